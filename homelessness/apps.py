from django.apps import AppConfig

from hackney_portal.core import roles
from hackney_portal.core.registry import PortalService


def _forget_journey(sender, request, user, **kwargs):
    """A draft or case left in this browser is not the next person's: it must not carry into a sign-in (a
    shared device) nor survive a sign-out."""
    if request is not None and hasattr(request, "session"):
        from .views import forget_journey

        forget_journey(request.session)


class HomelessnessConfig(PortalService, AppConfig):
    name = "homelessness"
    verbose_name = "Homelessness casework"
    task_name = "Get help with housing"
    portal_title = "Get help if you are homeless or at risk"
    portal_description = "Ask for help if you have nowhere to stay or might lose your home, or refer someone."
    start_url_name = "homelessness:start"
    staff_groups = (roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS)
    # Officers sign in to the case list: the triage queue, urgent cases and nearest deadlines first.
    staff_landing_url_name = "admin:homelessness_case_changelist"
    summary_order = 20

    def resident_summary(self, *, user):
        from .selectors import resident_summary

        return resident_summary(user=user)

    def demo_load(self, *, users) -> None:
        from .demo import demo_load

        demo_load(users=users)

    def beat_schedule(self) -> dict:
        from .schedule import BEAT_SCHEDULE

        return BEAT_SCHEDULE

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
        # A safe-contact answer given after a message was queued still governs it (core.notifications).
        from hackney_portal.core.notifications import notification_guard_register

        from .services.common import case_message_delivery_check

        notification_guard_register(case_message_delivery_check)
