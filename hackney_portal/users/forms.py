"""allauth's forms where ours differ: sign-up with equal timing for registered emails, and two-factor with our
code check (drift of one step, each step used once)."""

from __future__ import annotations

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib.auth.hashers import make_password

from .services import totp_code_verify

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
CHOOSE_HINT = "Use at least 10 characters. A few words together are easy to remember and hard to guess."
# name: (label, hint, message when empty, autocomplete)
FIELD_WORDING = {
    "login": ("Email address", "", "Enter your email address", "email"),
    "email": ("Email address", "", "Enter your email address", "email"),
    "password": ("Password", "", "Enter your password", "current-password"),
    "oldpassword": ("Current password", "", "Enter your current password", "current-password"),
    "password1": ("Create a password", CHOOSE_HINT, "Create a password", "new-password"),
    "password2": ("Enter the password again", "", "Enter the password again", "new-password"),
    "code": (
        "Code",
        "The 6-digit code your authenticator app shows now, or one of your recovery codes",
        "Enter the code from your authenticator app",
        "one-time-code",
    ),
}
# allauth's own wording of errors its forms add in code, and ours.
ERROR_WORDING = {
    "You must type the same password each time.": (
        "The passwords do not match. Enter the same password twice."
    ),
}


class PortalWording:
    """allauth's fields with the portal's labels, hints and errors (what to do, never "This field is
    required."), no placeholders (GOV.UK: a hint stays visible), and autocomplete tokens (WCAG 1.3.5)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in FIELD_WORDING:
                continue
            label, hint, required, autocomplete = FIELD_WORDING[name]
            field.label, field.help_text = label, hint
            field.error_messages = {**field.error_messages, "required": required, "invalid": EMAIL_FORMAT}
            field.widget.attrs.pop("placeholder", None)
            field.widget.attrs["autocomplete"] = autocomplete
            if name in ("login", "email"):
                field.widget.attrs["spellcheck"] = "false"

    def clean(self):
        cleaned = super().clean()
        for name, errors in self.errors.items():
            self.errors[name] = forms.utils.ErrorList([ERROR_WORDING.get(str(e), e) for e in errors])
        return cleaned


class LoginForm(PortalWording, AllauthLoginForm):
    def clean(self):
        # A wrong email or password is shown against the email field, so the error summary links to it.
        try:
            return super().clean()
        except forms.ValidationError as error:
            self.add_error("login", error)
            return self.cleaned_data


class ResetPasswordForm(PortalWording, AllauthResetPasswordForm):
    pass


class ResetPasswordKeyForm(PortalWording, AllauthResetPasswordKeyForm):
    pass


class ChangePasswordForm(PortalWording, AllauthChangePasswordForm):
    pass


class AddEmailForm(PortalWording, AllauthAddEmailForm):
    pass


class AccountReauthenticateForm(PortalWording, AllauthReauthenticateForm):
    pass


class SignupForm(PortalWording, AllauthSignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            # Signing up with a registered email creates nothing and only sends an "you already have an
            # account" email. Without the password hash a new account costs, that answers several times
            # faster than a new sign-up, telling a stranger which emails are registered. Same work, same time.
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)


class _CodeCheck:
    """Replaces allauth's `clean_code`: the same rate limit, failure signal and error, but TOTP codes are
    checked by `totp_code_verify` (recovery codes still by allauth, which marks each used in the database)."""

    def clean_code(self) -> str:
        clear_rl = check_rate_limit(self.user)
        code = self.cleaned_data["code"]
        main_auth = None
        for auth in Authenticator.objects.filter(user=self.user).exclude(type=Authenticator.Type.WEBAUTHN):
            if not main_auth or auth.type == Authenticator.Type.TOTP:
                main_auth = auth
            if auth.type == Authenticator.Type.TOTP:
                valid = totp_code_verify(authenticator_id=auth.pk, code=code)
            else:
                valid = auth.wrap().validate_code(code)
            if valid:
                auth.user = self.user
                self.authenticator = auth
                clear_rl()
                return code
        if main_auth:
            self._emit_authentication_failed(main_auth)
        raise get_adapter().validation_error("incorrect_code")


class TwoFactorAuthenticateForm(PortalWording, _CodeCheck, AuthenticateForm):
    pass


class TwoFactorReauthenticateForm(PortalWording, _CodeCheck, ReauthenticateForm):
    pass
