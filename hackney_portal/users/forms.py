"""allauth's forms where ours differ: sign-up with equal timing for registered emails, and two-factor with our
code check (drift of one step, each step used once)."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.models import Authenticator
from django.contrib.auth.hashers import make_password

from .services import totp_code_verify


class SignupForm(AllauthSignupForm):
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


class TwoFactorAuthenticateForm(_CodeCheck, AuthenticateForm):
    pass


class TwoFactorReauthenticateForm(_CodeCheck, ReauthenticateForm):
    pass
