from django.apps import AppConfig

from hackney_portal.core import roles
from hackney_portal.core.registry import PortalService


class EmploymentConfig(PortalService, AppConfig):
    name = "employment"
    verbose_name = "Hackney Works"
    task_name = "Find a job"
    portal_title = "Find work and training"
    portal_description = "Search local jobs, apprenticeships, training courses and volunteering."
    start_url_name = "employment:search"
    staff_groups = (roles.JOBS_MODERATORS,)
    # Moderators sign in to the listings waiting for them.
    staff_landing_url_name = "admin:employment_opportunity_changelist"
    staff_landing_query = "status__exact=submitted"
    summary_order = 30

    def resident_summary(self, *, user):
        from .selectors import resident_summary

        return resident_summary(user=user)

    def account_settings_rows(self, *, user):
        from .selectors import account_settings_rows

        return account_settings_rows(user=user)

    def account_closed(self, *, user, actor) -> None:
        from .services import resident_account_closed

        resident_account_closed(user=user, actor=actor)

    def demo_load(self, *, users) -> None:
        from .demo import demo_load

        demo_load(users=users)

    def beat_schedule(self) -> dict:
        from .schedule import BEAT_SCHEDULE

        return BEAT_SCHEDULE

    def ready(self):
        from hackney_portal.core.notifications import notification_headers_register

        from .services import alert_mail_headers

        notification_headers_register("employment/email/alert", alert_mail_headers)
