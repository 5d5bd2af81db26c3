"""Disputes: the money taken back by the card issuer, and given back if the council wins."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from hackney_portal.core.notifications import notification_send

from ..models import (
    Dispute,
    LedgerEntry,
    Payment,
)
from .intents import payment_status_set
from .ledger import ledger_post

Status = Payment.Status


@transaction.atomic
def dispute_record(*, payment_id: int, event_type: str, data: dict, actor=None) -> Dispute:
    """A dispute takes the money back (arrears reappear, finance is alerted); winning it gives it back."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    due = (data.get("evidence_details") or {}).get("due_by")
    dispute, created = Dispute.objects.get_or_create(
        provider_dispute_id=data["id"],
        defaults={
            "payment": payment,
            "amount_pence": int(data.get("amount") or payment.amount_pence),
            "status": data.get("status", ""),
            "reason": data.get("reason", ""),
            "evidence_due_by": dt.datetime.fromtimestamp(due, tz=dt.UTC) if due else None,
        },
    )
    if not created and data.get("status"):
        dispute.status = data["status"]
        dispute.save(update_fields=["status", "updated_at"])
    if event_type in {"charge.dispute.funds_withdrawn", "charge.dispute.created"}:
        _, posted = ledger_post(
            account_id=payment.account_id,
            kind=LedgerEntry.Kind.DISPUTE,
            amount_pence=dispute.amount_pence,
            dispute=dispute,
            actor=actor,
            description=f"Card payment {payment.reference} disputed",
        )
        if posted:
            payment_status_set(payment=payment, status=Status.DISPUTED, actor=actor)
            notification_send(
                template="payments/email/dispute_alert",
                to=settings.PAYMENTS_FINANCE_EMAIL,
                key=f"payments.dispute-alert:{dispute.pk}",
                context={"payment": payment, "dispute": dispute},
            )
    elif (
        event_type == "charge.dispute.funds_reinstated"
        or (event_type == "charge.dispute.closed" and data.get("status") == "won")
    ) and dispute.entries.filter(kind=LedgerEntry.Kind.DISPUTE).exists():
        ledger_post(
            account_id=payment.account_id,
            kind=LedgerEntry.Kind.DISPUTE_WON,
            amount_pence=-dispute.amount_pence,
            dispute=dispute,
            actor=actor,
            description=f"Disputed payment {payment.reference} reinstated",
        )
        # Back to paid; the card payment's own credit was never undone (the dispute entry was), so there is
        # nothing to credit again.
        payment_status_set(payment=payment, status=Status.SUCCEEDED, actor=actor)
    return dispute
