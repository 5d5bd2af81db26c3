"""Refunds: a finance officer's request, and recording what Stripe reports."""

from __future__ import annotations

import logging

from django.db import transaction

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.notifications import notification_send

from .. import rules
from .. import stripe_gateway as gateway
from ..models import (
    LedgerEntry,
    Payment,
    Refund,
)
from .intents import payment_status_set
from .ledger import ledger_post

log = logging.getLogger(__name__)
Status = Payment.Status


def refund_request(*, payment_id: int, amount_pence: int, reason: str, actor) -> Refund:
    """A finance officer refunds all or part of a payment.

    The amount is reserved under a lock on the payment (pending refunds count against it), so two officers
    refunding at once can never exceed what was paid. Stripe is called after the reservation commits, with an
    idempotency key per refund row.
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status not in rules.REFUNDABLE or not payment.provider_payment_id:
            raise ApplicationError("Only a paid card payment can be refunded", field="amount")
        pending = sum(
            payment.refunds.filter(status=Refund.Status.PENDING).values_list("amount_pence", flat=True)
        )
        available = payment.refundable_pence - pending
        if amount_pence <= 0:
            raise ApplicationError("Refund must be more than £0", field="amount")
        if amount_pence > available:
            raise ApplicationError(
                f"Refund must be £{available // 100:,}.{available % 100:02d} or less: that is what is left "
                "to refund on this payment",
                field="amount",
            )
        refund = Refund.objects.create(
            payment=payment,
            amount_pence=amount_pence,
            reason=reason[:300],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_log(
            actor=actor,
            action="payments.refund.requested",
            obj=payment,
            data={"refund": refund.pk, "amount_pence": amount_pence, "reason": reason[:300]},
        )
    try:
        data = gateway.refund_create(
            intent_id=payment.provider_payment_id,
            amount_pence=amount_pence,
            idempotency_key=f"refund-{refund.pk}",
        )
    except gateway.GatewayError:
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
                status=Refund.Status.FAILED
            )
            audit_log(actor=actor, action="payments.refund.failed", obj=payment, data={"refund": refund.pk})
        raise
    return refund_record(
        payment_id=payment.pk,
        provider_refund_id=data["id"],
        amount_pence=int(data["amount"]),
        status=data.get("status", "pending"),
        refund_id=refund.pk,
        actor=actor,
    )


@transaction.atomic
def refund_record(
    *,
    payment_id: int,
    provider_refund_id: str,
    amount_pence: int,
    status: str,
    refund_id: int | None = None,
    discrepancy_id: str = "",
    actor=None,
) -> Refund | None:
    """Record a refund Stripe reports; debit the ledger once when it succeeds; reverse it if it fails."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if (
        discrepancy_id
        or Refund.objects.filter(provider_refund_id=provider_refund_id, discrepancy__isnull=False).exists()
    ):
        # The refund of a duplicate charge (made from its discrepancy): that money was never credited, so
        # it is never debited; the webhook may arrive before or after we record the refund's id.
        return _duplicate_refund_reported(
            payment=payment,
            provider_refund_id=provider_refund_id,
            discrepancy_id=discrepancy_id,
            status=status,
            actor=actor,
        )
    refund = Refund.objects.filter(provider_refund_id=provider_refund_id).first()
    if refund is None and refund_id is not None:
        refund = Refund.objects.get(pk=refund_id)
        refund.provider_refund_id = provider_refund_id
        refund.save(update_fields=["provider_refund_id"])
    if refund is None:
        refund = Refund.objects.create(
            payment=payment, provider_refund_id=provider_refund_id, amount_pence=amount_pence, created_by=None
        )
    if status == "succeeded" and refund.status != Refund.Status.SUCCEEDED:
        if amount_pence > payment.refundable_pence:
            log.error("refund %s exceeds what is refundable on %s", provider_refund_id, payment.reference)
            return refund
        refund.status = Refund.Status.SUCCEEDED
        refund.save(update_fields=["status"])
        ledger_post(
            account_id=payment.account_id,
            kind=LedgerEntry.Kind.REFUND,
            amount_pence=amount_pence,
            description=f"Refund of card payment {payment.reference}",
            refund=refund,
            actor=actor,
        )
        payment.refunded_pence += amount_pence
        payment.save(update_fields=["refunded_pence", "updated_at"])
        payment_status_set(
            payment=payment,
            status=rules.status_after_refund(
                amount_pence=payment.amount_pence, refunded_pence=payment.refunded_pence
            ),
            actor=actor,
        )
        refund_email_send(payment=payment, refund=refund)
    elif status in {"failed", "canceled"} and refund.status != Refund.Status.FAILED:
        if refund.status == Refund.Status.SUCCEEDED:
            # The provider reversed a refund it had reported done: put the money back, as a new entry.
            ledger_post(
                account_id=payment.account_id,
                kind=LedgerEntry.Kind.REFUND,
                amount_pence=-refund.amount_pence,
                description=f"Refund of {payment.reference} failed and was reversed",
                actor=actor,
            )
            payment.refunded_pence -= refund.amount_pence
            payment.save(update_fields=["refunded_pence", "updated_at"])
        refund.status = Refund.Status.FAILED
        refund.save(update_fields=["status"])
        audit_log(actor=actor, action="payments.refund.failed", obj=payment, data={"refund": refund.pk})
    return refund


def refund_email_send(*, payment, refund: Refund, duplicate: bool = False) -> None:
    """Tell the payer their money is on its way back, once per refund whichever path reports it done (the
    key makes a second send a no-op), to the address they gave for the receipt."""
    if payment.email:
        notification_send(
            template="payments/email/refund",
            to=payment.email,
            key=f"payments.refund:{refund.pk}",
            context={
                "payment": payment,
                "account": payment.account,
                "refund": refund,
                "duplicate": duplicate,
            },
        )


def _duplicate_refund_reported(*, payment, provider_refund_id: str, discrepancy_id: str, status: str, actor):
    """What the provider says of a duplicate's refund. Done: the refund row says so. Failed (even after it
    said done): the refund row says failed and the discrepancy is open again for the finance team, with the
    who, when and why in the audit trail; the ledger is not touched either way."""
    from ..models import Discrepancy

    refund = Refund.objects.filter(payment=payment, provider_refund_id=provider_refund_id).first()
    if refund is None and str(discrepancy_id).isdigit():
        refund = Refund.objects.filter(payment=payment, discrepancy__pk=int(discrepancy_id)).first()
    if refund is None:
        return None
    if status == "succeeded" and refund.status == Refund.Status.PENDING:
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.SUCCEEDED)
        refund_email_send(payment=payment, refund=refund, duplicate=True)
    elif status in {"failed", "canceled"} and refund.status != Refund.Status.FAILED:
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED)
        d = Discrepancy.objects.select_for_update().filter(refund=refund).first()
        if d is not None:
            Discrepancy.objects.filter(pk=d.pk).update(
                status=Discrepancy.Status.OPEN,
                resolution="",
                refund=None,
                resolved_by=None,
                resolved_at=None,
                resolution_note="",
            )
            audit_log(
                actor=actor,
                action="payments.discrepancy.refund_failed",
                obj=d,
                data={
                    "refund": refund.pk,
                    "provider_refund_id": provider_refund_id,
                    "why": f"the card provider reported the refund {status}",
                },
            )
    refund.refresh_from_db()
    return refund
