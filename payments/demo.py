"""Demo rent accounts with a realistic year of weekly rent, benefit and payments (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .calendar import business_date
from .demo_codes import DEMO_RENT_LINK_CODES
from .models import AccountLinkCode, LedgerEntry, RentAccount
from .services import LINK_CODE_LETTER_LIFETIME, _link_code_hash, account_link, ledger_post

K = LedgerEntry.Kind
# The email on each demo tenancy record: link codes and "your account was linked" notices go there (in the
# demo, files in .data/mail/). The first is the demo resident's own, already linked.
DEMO_CONTACTS = {
    "1234567890": "resident@example.com",
    "2345678901": "kwame.mensah@example.com",
    "3456789012": "aisha.rahman@example.com",
}
DEMO_LETTER_CODES = DEMO_RENT_LINK_CODES
DEMO_ACCOUNTS = [
    # reference, postcode, name, address, weekly rent, service charge, benefit kind, weekly benefit
    (
        "1234567890",
        "E8 1EA",
        "Jane Smith",
        "Flat 4, 12 Mare Street, London",
        14_250,
        1_875,
        "housing_benefit",
        9_000,
    ),
    (
        "2345678901",
        "E5 0LL",
        "Kwame Mensah",
        "21 Clapton Square, London",
        16_110,
        0,
        "universal_credit",
        12_000,
    ),
    (
        "3456789012",
        "N16 7UJ",
        "Aisha Rahman",
        "Flat 9, Stoke Newington Road, London",
        13_040,
        2_210,
        "none",
        0,
    ),
]


def demo_load(*, users: dict, today: dt.date | None = None) -> None:
    resident = users.get("resident")
    today = today or business_date()
    start = today - dt.timedelta(days=364)
    start -= dt.timedelta(days=start.weekday())  # rent weeks start on Monday
    for i, (ref, postcode, name, address, rent, service, benefit, benefit_pence) in enumerate(DEMO_ACCOUNTS):
        account, created = RentAccount.objects.get_or_create(
            reference=ref,
            defaults={
                "postcode": postcode,
                "tenant_name": name,
                "address": address,
                "weekly_rent_pence": rent,
                "weekly_service_charge_pence": service,
                "benefit": benefit,
                "weekly_benefit_pence": benefit_pence,
            },
        )
        if account.contact_email != DEMO_CONTACTS[ref]:
            account.contact_email = DEMO_CONTACTS[ref]
            account.save(update_fields=["contact_email"])
        if ref in DEMO_LETTER_CODES:
            _demo_letter_code(account, DEMO_LETTER_CODES[ref])
        if created:
            _demo_history(account, i, rent, service, benefit, benefit_pence, start=start, today=today)
    if resident is not None:
        account_link(user=resident, account=RentAccount.objects.get(reference="1234567890"), actor=None)


def _demo_history(
    account, i, rent, service, benefit, benefit_pence, *, start: dt.date, today: dt.date
) -> None:
    """A year of weekly rent from the Monday `start`, up to and including `today` and never after it: a
    statement must not show money that has not moved yet (benefit and Direct Debit land later in the week)."""

    def post(kind, amount_pence: int, description: str, on: dt.date) -> None:
        if on <= today:
            ledger_post(
                account_id=account.pk, kind=kind, amount_pence=amount_pence, description=description, on=on
            )

    due = rent + service - benefit_pence
    monday, week = start, 0
    while monday <= today:
        post(K.RENT, rent, "Rent", monday)
        if service:
            post(K.SERVICE_CHARGE, service, "Service charges", monday)
        if benefit == "housing_benefit":
            post(K.HOUSING_BENEFIT, -benefit_pence, "Housing Benefit", monday)
        elif benefit == "universal_credit" and week % 4 == 0:
            post(
                K.UNIVERSAL_CREDIT,
                -benefit_pence * 4,
                "Universal Credit housing costs",
                monday + dt.timedelta(days=3),
            )
        # Tenants fall a little behind now and then; the first account ends in arrears.
        skip = (i == 0 and week % 9 == 4) or (i == 2 and week == 30)
        if not skip and due > 0:
            # Card payments need a Payment row from this service, so the history is Direct Debit; card
            # payments appear when you pay in the demo.
            post(
                K.DIRECT_DEBIT,
                -(due + (2_000 if i == 2 else 0)),
                "Direct Debit",
                monday + dt.timedelta(days=1),
            )
        monday += dt.timedelta(days=7)
        week += 1


def _demo_letter_code(account: RentAccount, code: str) -> None:
    now = timezone.now()
    live = AccountLinkCode.objects.filter(account=account, user=None, used_at__isnull=True)
    if live.filter(expires_at__gt=now, attempts__lt=AccountLinkCode.MAX_ATTEMPTS).exists():
        return
    live.update(used_at=now)
    AccountLinkCode.objects.create(
        account=account,
        user=None,
        channel=AccountLinkCode.Channel.LETTER,
        code_hash=_link_code_hash(account_id=account.pk, code=code),
        created_at=now,
        expires_at=now + LINK_CODE_LETTER_LIFETIME,
    )
