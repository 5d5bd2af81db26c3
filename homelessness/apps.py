from django.apps import AppConfig


class HomelessnessConfig(AppConfig):
    name = "homelessness"
    verbose_name = "Homelessness casework"

    def ready(self) -> None:
        # Restricted cases stay hidden in the shared audit and message tables too (core.visibility).
        from hackney_portal.core import visibility
        from hackney_portal.core.models import AuditEvent, Notification

        from . import selectors

        visibility.scope_register(AuditEvent, selectors.audit_events_scope)
        visibility.scope_register(Notification, selectors.notifications_scope)
