from django.apps import AppConfig


def _forget_journey(sender, request, user, **kwargs):
    """A draft or case left in this browser is not the next person's: it must not carry into a sign-in (a
    shared device) nor survive a sign-out."""
    if request is not None and hasattr(request, "session"):
        from .views import forget_journey

        forget_journey(request.session)


class HomelessnessConfig(AppConfig):
    name = "homelessness"
    verbose_name = "Homelessness casework"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        # Restricted cases stay hidden in the shared audit and message tables too (core.visibility).
        from hackney_portal.core import visibility
        from hackney_portal.core.models import AuditEvent, Notification

        from . import selectors

        user_logged_in.connect(_forget_journey, dispatch_uid="homelessness.forget_journey.in")
        user_logged_out.connect(_forget_journey, dispatch_uid="homelessness.forget_journey.out")
        visibility.scope_register(AuditEvent, selectors.audit_events_scope)
        visibility.scope_register(Notification, selectors.notifications_scope)
