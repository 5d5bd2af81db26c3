"""Old home of the layout tags: `{% load portal %}` now finds hackney_portal.frontend's library. Defines no
`register`, so Django does not see a second library called `portal`."""

# moved to frontend; kept for branches in flight
from hackney_portal.frontend.templatetags.portal import CaptureNode, capture  # noqa: F401
