"""Applying what Stripe says about a PaymentIntent to our payment, and the ledger credit."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.notifications import notification_send

from .. import stripe_gateway as gateway
from ..calendar import business_date
from ..models import (
    LedgerEntry,
    Payment,
)
from .ledger import ledger_post

log = logging.getLogger(__name__)
Status = Payment.Status


def payment_refresh(*, payment_id: int, actor=None) -> Payment:
    """Treat whatever we heard as a trigger: read the PaymentIntent from Stripe and apply it."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.provider_payment_id:
        return payment
    intent = gateway.intent_retrieve(payment.provider_payment_id)
    return _payment_apply_intent(payment_id=payment_id, intent=intent, actor=actor)


_INTENT_STATUS = {
    "requires_action": Status.REQUIRES_ACTION,
    "requires_confirmation": Status.CREATED,
    "processing": Status.PROCESSING,
    "succeeded": Status.SUCCEEDED,
    "canceled": Status.CANCELLED,
}


def _payment_apply_intent(*, payment_id: int, intent: gateway.Intent, actor=None) -> Payment:
    payment = Payment.objects.get(pk=payment_id)
    if not payment.provider_payment_id or intent.id != payment.provider_payment_id:
        # Only the intent we created and recorded before confirming it belongs to this payment. Metadata
        # proves nothing: anyone who can create an intent on the account can copy our reference into it.
        log.error("intent %s is not the one recorded for payment %s: ignored", intent.id, payment.reference)
        return payment
    if intent.status == "requires_payment_method":
        # Stripe's way of saying the card was declined or authentication failed.
        status = Status.FAILED if intent.failure_message or payment.provider_payment_id else Status.CREATED
    else:
        status = _INTENT_STATUS.get(intent.status, payment.status)
    if status == Status.SUCCEEDED and (intent.amount != payment.amount_pence or intent.currency != "gbp"):
        log.error(
            "intent %s amount/currency differ from payment %s: not credited", intent.id, payment.reference
        )
        return payment
    return _payment_apply(
        payment_id=payment_id,
        status=status,
        provider_payment_id=intent.id,
        charge_id=intent.charge_id,
        failure_message=intent.failure_message,
        actor=actor,
    )


@transaction.atomic
def _payment_apply(
    *,
    payment_id: int,
    status: str,
    provider_payment_id: str | None = None,
    charge_id: str = "",
    failure_message: str = "",
    actor=None,
) -> Payment:
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    changed = []
    if provider_payment_id and not payment.provider_payment_id:
        payment.provider_payment_id = provider_payment_id
        changed.append("provider_payment_id")
    if charge_id and not payment.provider_charge_id:
        payment.provider_charge_id = charge_id
        changed.append("provider_charge_id")
    if status != payment.status and status in Payment.TRANSITIONS[payment.status]:
        previous = payment.status
        payment.status = status
        changed.append("status")
        if status == Status.FAILED:
            payment.failure_message = (failure_message or "Your card has been declined")[:300]
            changed.append("failure_message")
        if status == Status.SUCCEEDED and payment.succeeded_at is None:
            payment.succeeded_at = timezone.now()
            changed.append("succeeded_at")
        audit_log(
            actor=actor,
            action=f"payments.payment.{status}",
            obj=payment,
            data={"from": previous, "provider_payment_id": payment.provider_payment_id},
        )
    if changed:
        payment.save(update_fields=[*changed, "updated_at"])
    if payment.status == Status.SUCCEEDED:
        _payment_credit(payment=payment, actor=actor)
    return payment


def _payment_credit(*, payment: Payment, actor=None) -> None:
    entry, created = ledger_post(
        account_id=payment.account_id,
        kind=LedgerEntry.Kind.CARD_PAYMENT,
        amount_pence=-payment.amount_pence,
        description=f"Card payment {payment.reference}",
        payment=payment,
        actor=actor,
        on=business_date(payment.succeeded_at),
    )
    if created:
        audit_log(
            actor=actor,
            action="payments.ledger.credited",
            obj=payment,
            data={"entry": entry.pk, "amount_pence": payment.amount_pence},
        )
        if payment.email:
            notification_send(
                template="payments/email/receipt",
                to=payment.email,
                key=f"payments.receipt:{payment.pk}",
                context={
                    "payment": payment,
                    "account": payment.account,
                    "balance_pence": entry.balance_after_pence,
                },
            )
