"""Old home of the GOV.UK form fields and ApplicationError: use hackney_portal.frontend.forms and
hackney_portal.core.exceptions."""

# moved to core.exceptions; kept for branches in flight
from hackney_portal.core.exceptions import ApplicationError, add_application_error  # noqa: F401

# moved to frontend; kept for branches in flight
from hackney_portal.frontend.forms import CheckboxesField, DateInputWidget, GovukDateField  # noqa: F401
