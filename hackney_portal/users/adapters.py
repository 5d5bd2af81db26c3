from allauth.account.adapter import DefaultAccountAdapter

# The module allauth's own adapter uses: its consume() returns a usage that can be rolled back.
from allauth.core.internal import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site

from hackney_portal.core.ratelimit import client_ip

# allauth's errors in the portal's words: what went wrong and what to do. (Pairs rather than a dict
# literal: bandit takes any string under a key naming a password for a password.)
ACCOUNT_ERRORS = [
    (
        "email_password_mismatch",
        "Your email address or password is not right. Check them and try again.",
    ),
    (
        "email_taken",
        "There is already an account with this email address. Sign in instead.",
    ),
    (
        "enter_current_password",
        "Enter your current password",
    ),
    (
        "incorrect_password",
        "Your current password is not right. Check it and try again.",
    ),
    (
        "invalid_password_reset",
        "This link to reset your password has expired or was already used. Ask for a new link.",
    ),
    (
        "password_mismatch",
        "The passwords do not match. Enter the same password twice.",
    ),
    (
        "too_many_login_attempts",
        "Too many failed attempts to sign in. Wait 15 minutes, then try again.",
    ),
    (
        "unknown_email",
        "There is no account with this email address. Check it or create an account.",
    ),
    (
        "unverified_primary_email",
        "Confirm your email address first. Use the link in the email we sent you.",
    ),
    (
        "rate_limited",
        "You have asked too many times. Wait a few minutes, then try again.",
    ),
]


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {**DefaultAccountAdapter.error_messages, **dict(ACCOUNT_ERRORS)}

    def is_open_for_signup(self, request) -> bool:
        return settings.COUNCIL.get("signup_open", True)

    def get_client_ip(self, request) -> str:
        # allauth's own per-address limits key on the same address as ours.
        return client_ip(request)

    def _account_key(self, request, **credentials) -> str:
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"{get_current_site(request).domain}:{login}"

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # Failures count against this account from this client: a guesser slows only himself down, and a
        # resident signing in from elsewhere (or another person behind the same address) is not affected.
        return f"{self._account_key(request, **credentials)}:{client_ip(request)}"

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)
        # And against the account from every client, with a window long enough that one client cannot fill
        # it alone (see ACCOUNT_RATE_LIMITS): guessing spread over many addresses is slowed as well.
        self._login_failed_account_usage = ratelimit.consume(
            request,
            app="allauth.account",
            action="login_failed_account",
            key=self._account_key(request, **credentials),
        )
        if not self._login_failed_account_usage:
            self._rollback_login_failed_rl_usage()
            raise self.validation_error("too_many_login_attempts")

    def _rollback_login_failed_rl_usage(self) -> None:
        super()._rollback_login_failed_rl_usage()
        usage = getattr(self, "_login_failed_account_usage", None)
        if usage:
            usage.rollback()

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        super()._delete_login_attempts_cached_email(request, **credentials)
        ratelimit.clear(
            request,
            app="allauth.account",
            action="login_failed_account",
            key=self._account_key(request, **credentials),
        )

    @staticmethod
    def _council_context() -> dict:
        """Emails speak for the council: its name and service, not the empty django.contrib.sites record
        ("Hello from !"). `current_site` too, for any allauth template we have not rewritten."""
        from types import SimpleNamespace
        from urllib.parse import urlsplit

        council = settings.COUNCIL
        return {
            "council": council,
            "site_url": settings.SITE_URL,
            "current_site": SimpleNamespace(
                name=council["service_name"], domain=urlsplit(settings.SITE_URL).netloc or settings.SITE_URL
            ),
        }

    def get_login_redirect_url(self, request) -> str:
        # Only asked when there is no safe `next`: staff start in the back office at their own queue, not
        # on the residents' "Your Hackney". Staff without two-factor are sent on from there to set it up.
        from hackney_portal.core.registry import staff_landing_url

        return staff_landing_url(request.user) or super().get_login_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Account emails go through the notifications outbox like every other email, so they are recorded,
        # sent after commit by Celery and never twice.
        from hackney_portal.core.notifications import notification_send_rendered

        msg = self.render_mail(template_prefix, email, {**context, **self._council_context()})
        notification_send_rendered(
            to=email,
            subject=msg.subject,
            body=msg.body,
            template=template_prefix,
            key=None,
            actor=None,
        )

    # Signing in is shown by the page itself (Your Hackney); a "Successfully signed in" banner above it is
    # noise a screen reader announces before anything useful.
    QUIET_MESSAGES = frozenset({"account/messages/logged_in.txt"})

    def add_message(
        self, request, level, message_template=None, message_context=None, extra_tags="", message=None
    ):
        if message_template in self.QUIET_MESSAGES:
            return
        super().add_message(
            request, level, message_template, message_context, extra_tags=extra_tags, message=message
        )


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "The code is not right. "
        "Enter the 6-digit code your app shows now, or a recovery code.",
        "unverified_email": "Confirm your email address before you set up two-factor authentication.",
        "cannot_generate_recovery_codes": "Set up two-factor authentication before you make recovery codes.",
    }
