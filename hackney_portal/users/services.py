from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from hackney_portal.core.exceptions import ApplicationError

from .models import User


@transaction.atomic
def user_ensure(
    *,
    email: str,
    password: str,
    name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    groups: list[str] | None = None,
    totp_secret: str | None = None,
    actor=None,
) -> User:
    """Create or update a user with a verified email; idempotent, for demo data and provisioning."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    user, created = User.objects.get_or_create(email=email.lower(), defaults={"name": name})
    user.name = name or user.name
    user.is_staff = is_staff
    user.is_superuser = is_superuser
    if created or not user.has_usable_password():
        user.set_password(password)
    user.save()
    if groups:
        user.groups.set(Group.objects.filter(name__in=groups))
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    if totp_secret and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
        from allauth.mfa.totp.internal.auth import TOTP

        TOTP.activate(user, totp_secret)
        RecoveryCodes.activate(user)
    return user


def totp_code_verify(*, authenticator_id: int, code: str, now: float | None = None) -> bool:
    """Check a two-factor code, allowing `MFA_TOTP_TOLERANCE` steps of clock drift (RFC 6238 s5.2), and
    accept each time step at most once.

    allauth remembers a used code in the cache for one period only, but with drift allowed a code stays
    valid for (2 * tolerance + 1) periods, and a cache can be flushed or down. So the last accepted time step
    is kept on the authenticator row itself, and any code for that step or an earlier one is refused. The
    row lock makes two submissions of one code at once accept exactly one.
    """
    import time

    from allauth.core.internal.cryptokit import compare_user_code, normalize_user_code
    from allauth.mfa import app_settings
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    code = normalize_user_code(code or "")  # "123 456" as the app shows it is "123456"
    if not (code.isascii() and code.isdigit()) or len(code) != app_settings.TOTP_DIGITS:
        return False
    with transaction.atomic():
        auth = Authenticator.objects.select_for_update().get(
            pk=authenticator_id, type=Authenticator.Type.TOTP
        )
        secret = decrypt(auth.data["secret"])
        current = int(time.time() if now is None else now) // app_settings.TOTP_PERIOD
        tolerance = app_settings.TOTP_TOLERANCE
        last = auth.data.get("last_step")
        for step in range(current - tolerance, current + tolerance + 1):
            if last is not None and step <= last:
                continue
            if compare_user_code(actual=code, expected=format_hotp_value(hotp_value(secret, step))):
                auth.data = {**auth.data, "last_step": step}
                auth.save(update_fields=["data"])
                return True
    return False


@transaction.atomic
def user_name_set(*, user: User, name: str, actor) -> User:
    from hackney_portal.core.audit import audit_log

    user = User.objects.select_for_update().get(pk=user.pk)
    user.name = name.strip()
    user.full_clean(validate_unique=False, validate_constraints=False)
    user.save(update_fields=["name"])
    audit_log(actor=actor, action="users.account.name_changed", obj=user)
    return user


@transaction.atomic
def user_sessions_end_all(*, user: User, actor) -> None:
    """Sign the user out on every device, this one included: every session's hash stops matching."""
    from django.db.models import F

    from hackney_portal.core.audit import audit_log

    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    audit_log(actor=actor, action="users.account.signed_out_everywhere", obj=user)


@transaction.atomic
def user_account_close(*, user: User, actor) -> None:
    """A resident's "delete my account": the login and what it holds about them go; records the council
    must keep by law (rent ledger and payments, housing applications, audit log) stay, no longer linked to a
    login. Each service drops what it held for the login (its app config's `account_closed`: rent account
    links, job alerts, saved jobs). The user row is kept, emptied and disabled, because the append-only
    audit log refers to it."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.db.models import F

    from hackney_portal.core import registry
    from hackney_portal.core.audit import audit_log

    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_staff or user.is_superuser:
        raise ApplicationError("Staff accounts are closed by your manager. Ask them to close it.")
    if not user.is_active:
        return
    audit_log(actor=actor, action="users.account.closed", obj=user)
    for service in registry.services():
        service.account_closed(user=user, actor=actor)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"closed-{user.pk}@closed.invalid"
    user.name = ""
    user.set_unusable_password()
    user.is_active = False
    user.reminder_emails = False
    user.save(update_fields=["email", "name", "password", "is_active", "reminder_emails"])
    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
