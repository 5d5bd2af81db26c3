"""Old home of the GOV.UK template tags: `{% load govuk %}` now finds hackney_portal.frontend's library.
Defines no `register`, so Django does not see a second library called `govuk`."""

# moved to frontend; kept for branches in flight
from hackney_portal.frontend.templatetags.govuk import (  # noqa: F401
    govuk_error_summary,
    govuk_field,
    pence,
    pence_abs,
    tel,
    tel_uri,
)
