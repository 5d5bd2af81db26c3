from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "employment"
    verbose_name = "Hackney Works"

    def ready(self):
        from hackney_portal.core.notifications import notification_headers_register

        from .services import alert_mail_headers

        notification_headers_register("employment/email/alert", alert_mail_headers)
