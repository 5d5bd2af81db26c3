"""The append-only rent ledger: the one place an entry is written and the balance moves."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..calendar import business_date, financial_year, rent_week
from ..models import (
    Dispute,
    LedgerEntry,
    Payment,
    Refund,
    RentAccount,
)


def ledger_post(
    *,
    account_id: int,
    kind: str,
    amount_pence: int,
    description: str,
    actor=None,
    on: dt.date | None = None,
    payment: Payment | None = None,
    refund: Refund | None = None,
    dispute: Dispute | None = None,
) -> tuple[LedgerEntry, bool]:
    """Append an entry and move the balance. Returns (entry, created).

    The account row is locked so running balances are strictly sequential. The unique constraints on
    payment, refund and dispute make a second entry for the same event impossible: on conflict we return the
    existing entry and change nothing.
    """
    # No savepoint of its own when called inside a transaction (every service that credits is): it would add
    # two round trips to every credit, and nothing that calls this carries on after it raises.
    with transaction.atomic(savepoint=False):
        account = RentAccount.objects.select_for_update().get(pk=account_id)
        last = account.entries.order_by("-seq").values_list("seq", flat=True).first() or 0
        day = on or business_date()
        try:
            with transaction.atomic():
                entry = LedgerEntry.objects.create(
                    account=account,
                    seq=last + 1,
                    kind=kind,
                    amount_pence=amount_pence,
                    balance_after_pence=account.balance_pence + amount_pence,
                    description=description,
                    business_date=day,
                    rent_week=rent_week(day),
                    financial_year=financial_year(day),
                    payment=payment,
                    refund=refund,
                    dispute=dispute,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            existing = LedgerEntry.objects.filter(
                account=account, kind=kind, payment=payment, refund=refund, dispute=dispute
            ).first()
            if existing is None:
                raise
            return existing, False
        account.balance_pence = entry.balance_after_pence
        account.balance_updated_at = timezone.now()
        account.save(update_fields=["balance_pence", "balance_updated_at"])
        return entry, True
