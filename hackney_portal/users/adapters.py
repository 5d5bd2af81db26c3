from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return settings.COUNCIL.get("signup_open", True)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Account emails go through the notifications outbox like every other email, so they are recorded,
        # sent after commit by Celery and never twice.
        from hackney_portal.core.notifications import notification_send_rendered

        msg = self.render_mail(template_prefix, email, context)
        notification_send_rendered(
            to=email,
            subject=msg.subject,
            body=msg.body,
            template=template_prefix,
            key=None,
            actor=None,
        )
