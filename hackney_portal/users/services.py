from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

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
