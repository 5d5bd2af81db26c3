"""Rent accounts: finding one, linking it to a login with a one-time code, unlinking."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.notifications import notification_send
from hackney_portal.core.ratelimit import rate_limit_record, rate_limit_wait, wait_message

from ..models import (
    AccountLink,
    AccountLinkCode,
    RentAccount,
)


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", value or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def account_find(*, reference: str, postcode: str, client_key: str, actor=None) -> RentAccount:
    """Find an account by number and postcode; the same error whichever half is wrong.

    Failures are limited per client (`client_key`, from `core.ratelimit.client_ip`) and per account number
    from any client, in short windows: guessing slows down, and nobody is locked out for long.
    """
    reference = reference.strip()
    values = {"client": client_key, "account": reference}
    wait = rate_limit_wait(action="rent_lookup", values=values, record=False)
    if wait:
        raise ApplicationError(f"{wait_message(wait)} Or call us.", code="rate_limited")
    account = RentAccount.objects.filter(reference=reference, postcode=normalise_postcode(postcode)).first()
    if account is None:
        rate_limit_record(action="rent_lookup", values=values)
        raise ApplicationError(
            "We could not find a rent account with that account number and postcode. "
            "Check both and try again.",
            code="not_found",
            field="reference",
            also=("postcode",),
        )
    return account


LINK_CODE_EMAIL_LIFETIME = dt.timedelta(minutes=15)
LINK_CODE_LETTER_LIFETIME = dt.timedelta(days=30)


def _link_code_hash(*, account_id: int, code: str) -> str:
    # Keyed with SECRET_KEY: a six-digit code is too short for a plain hash to hide it if the table leaked.
    return salted_hmac("payments.link_code", f"{account_id}:{code}", algorithm="sha256").hexdigest()


def _link_code_new(*, account: RentAccount, user, channel: str) -> tuple[AccountLinkCode, str]:
    now = timezone.now()
    # A new code replaces any earlier one for the same login (or, for letters, the earlier letter).
    AccountLinkCode.objects.filter(account=account, user=user, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    lifetime = (
        LINK_CODE_LETTER_LIFETIME if channel == AccountLinkCode.Channel.LETTER else LINK_CODE_EMAIL_LIFETIME
    )
    row = AccountLinkCode.objects.create(
        account=account,
        user=user,
        channel=channel,
        code_hash=_link_code_hash(account_id=account.pk, code=code),
        created_at=now,
        expires_at=now + lifetime,
    )
    return row, code


@transaction.atomic
def account_link_code_send(*, account: RentAccount, user, client_key: str, actor) -> AccountLinkCode:
    """Email a one-time link code to the contact on the tenancy record, for this login only."""
    if not account.contact_email:
        raise ApplicationError(
            "We do not have an email address on your tenancy record. Call us on "
            f"{settings.COUNCIL['contact_phone']} and we will post a code to the property.",
            code="no_contact",
        )
    wait = rate_limit_wait(
        action="rent_link_code_send", values={"client": client_key, "account": account.reference}
    )
    if wait:
        raise ApplicationError(wait_message(wait), code="rate_limited")
    row, code = _link_code_new(account=account, user=user, channel=AccountLinkCode.Channel.EMAIL)
    notification_send(
        template="payments/email/link_code",
        to=account.contact_email,
        key=f"payments.link_code:{row.pk}",
        context={
            "account": account,
            "code": code,
            "minutes": int(LINK_CODE_EMAIL_LIFETIME.total_seconds() // 60),
        },
        actor=actor,
    )
    audit_log(actor=actor, action="payments.account.link_code_sent", obj=account, data={"user": user.pk})
    return row


@transaction.atomic
def account_link_code_issue_letter(*, account: RentAccount, actor) -> str:
    """A code to post to the property, for a tenant with no email on record; any login may use it once."""
    row, code = _link_code_new(account=account, user=None, channel=AccountLinkCode.Channel.LETTER)
    audit_log(actor=actor, action="payments.account.link_code_letter", obj=account, data={"code": row.pk})
    return code


def account_link_with_code(*, user, account: RentAccount, code: str, client_key: str, actor) -> AccountLink:
    """Link the account to this login if `code` is a live code for it; tell the tenant it was linked."""
    values = {"client": client_key, "user": str(user.pk)}
    wait = rate_limit_wait(action="rent_link_code_verify", values=values, record=False)
    if wait:
        raise ApplicationError(wait_message(wait), field="code", code="rate_limited")
    code = re.sub(r"\s+", "", code or "")
    with transaction.atomic():
        now = timezone.now()
        # Locked, so two tries at once (right or wrong) are counted and used one after the other.
        live = list(
            AccountLinkCode.objects.select_for_update()
            .filter(
                Q(user=user) | Q(user__isnull=True),
                account=account,
                used_at__isnull=True,
                expires_at__gt=now,
                attempts__lt=AccountLinkCode.MAX_ATTEMPTS,
            )
            .order_by("pk")
        )
        given = _link_code_hash(account_id=account.pk, code=code)
        match = next((row for row in live if constant_time_compare(row.code_hash, given)), None)
        if match is not None:
            match.used_at = now
            match.save(update_fields=["used_at"])
            link = account_link(user=user, account=account, actor=actor)
            if account.contact_email:
                notification_send(
                    template="payments/email/account_linked",
                    to=account.contact_email,
                    key=f"payments.account_linked:{link.pk}",
                    context={"account": account, "linked_at": link.linked_at},
                    actor=actor,
                )
            return link
        # Every live code this login could have meant takes the wrong try, so guesses cannot be spread.
        AccountLinkCode.objects.filter(pk__in=[row.pk for row in live]).update(attempts=F("attempts") + 1)
    rate_limit_record(action="rent_link_code_verify", values=values)
    audit_log(actor=actor, action="payments.account.link_code_wrong", obj=account, data={"user": user.pk})
    raise ApplicationError(
        "The code is not right, or it has expired or been used. Check it, or ask for a new code.",
        field="code",
        code="wrong_code",
    )


@transaction.atomic
def account_link(*, user, account: RentAccount, actor) -> AccountLink:
    """Record the link. Checks nothing: residents link through `account_link_with_code`; this is for the demo
    data and for officers acting on the tenant's behalf."""
    try:
        with transaction.atomic():
            link = AccountLink.objects.create(user=user, account=account)
    except IntegrityError:
        return AccountLink.objects.get(user=user, account=account, unlinked_at__isnull=True)
    audit_log(actor=actor, action="payments.account.linked", obj=account, data={"user": user.pk})
    return link


@transaction.atomic
def account_unlink(*, user, account: RentAccount, actor) -> None:
    updated = 0
    for link in AccountLink.objects.select_for_update().filter(
        user=user, account=account, unlinked_at__isnull=True
    ):
        link.unlinked_at = timezone.now()
        link.save(update_fields=["unlinked_at"])
        updated += 1
    if updated:
        audit_log(actor=actor, action="payments.account.unlinked", obj=account, data={"user": user.pk})


@transaction.atomic
def resident_account_closed(*, user, actor) -> None:
    """The resident closed their portal account: their rent accounts are unlinked from it (the accounts,
    ledger and payments stay, as the law requires)."""
    for link in AccountLink.objects.select_for_update().filter(user=user, unlinked_at__isnull=True):
        link.unlinked_at = timezone.now()
        link.save(update_fields=["unlinked_at"])
        audit_log(
            actor=actor, action="payments.account.unlinked", obj=link.account, data={"reason": "closed"}
        )
