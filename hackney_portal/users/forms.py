"""allauth's two-factor forms with our code check (drift of one step, each step used once)."""

from __future__ import annotations

from allauth.mfa.adapter import get_adapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.models import Authenticator

from .services import totp_code_verify


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
