"""Applying what Stripe says about a PaymentIntent to our payment, and the ledger credit.

Every function here that changes a payment takes the payment already locked by its caller
(`select_for_update`), inside the caller's transaction: the row is read once per change, and nothing is
re-read by id further down.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.notifications import notification_send

from .. import rules
from .. import stripe_gateway as gateway
from ..calendar import business_date
from ..models import LedgerEntry, Payment
from .ledger import ledger_post

log = logging.getLogger(__name__)
Status = Payment.Status


def payment_locked(*, payment_id: int) -> Payment:
    """The payment, locked for the rest of the caller's transaction (only its own row: the account row is the
    ledger's lock, taken to credit)."""
    return Payment.objects.select_for_update(of=("self",)).get(pk=payment_id)


def payment_refresh(*, payment_id: int, actor=None) -> Payment:
    """Treat whatever we heard as a trigger: read the PaymentIntent from Stripe and apply it."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.provider_payment_id:
        return payment
    intent = gateway.intent_retrieve(payment.provider_payment_id)
    with transaction.atomic():
        return payment_intent_apply(payment=payment_locked(payment_id=payment_id), intent=intent, actor=actor)


def payment_intent_apply(*, payment: Payment, intent: gateway.Intent, actor=None) -> Payment:
    """Apply the intent's status to the locked `payment`, and credit the ledger if it succeeded.

    Only the intent we created and recorded before confirming it belongs to this payment. Metadata proves
    nothing: anyone who can create an intent on the account can copy our reference into it.
    """
    if not payment.provider_payment_id or intent.id != payment.provider_payment_id:
        log.error("intent %s is not the one recorded for payment %s: ignored", intent.id, payment.reference)
        return payment
    status = rules.status_for_intent(intent_status=intent.status, current=payment.status)
    if status == Status.SUCCEEDED and not rules.intent_creditable(
        intent_id=intent.id,
        amount=intent.amount,
        currency=intent.currency,
        recorded_intent_id=payment.provider_payment_id,
        amount_pence=payment.amount_pence,
    ):
        log.error(
            "intent %s amount/currency differ from payment %s: not credited", intent.id, payment.reference
        )
        return payment
    if intent.charge_id and not payment.provider_charge_id:
        payment.provider_charge_id = intent.charge_id
        payment.save(update_fields=["provider_charge_id", "updated_at"])
    payment_status_set(payment=payment, status=status, failure_message=intent.failure_message, actor=actor)
    if payment.status == Status.SUCCEEDED:
        # Also when it had already succeeded: the credit is once per payment whatever calls it, and this
        # repairs a payment marked paid whose credit is missing.
        payment_credit(payment=payment, actor=actor)
    return payment


def payment_status_set(*, payment: Payment, status: str, failure_message: str = "", actor=None) -> bool:
    """Move the locked `payment` to `status` if the rules allow it; any other move is ignored, never applied
    (a late "failed" after "succeeded"). Returns whether it moved. Touches no money: see `payment_credit`."""
    if not rules.can_move(payment.status, status):
        return False
    previous = payment.status
    payment.status = status
    changed = ["status"]
    if status == Status.FAILED:
        payment.failure_message = (failure_message or "Your card has been declined")[:300]
        changed.append("failure_message")
    if status == Status.SUCCEEDED and payment.succeeded_at is None:
        payment.succeeded_at = timezone.now()
        changed.append("succeeded_at")
    payment.save(update_fields=[*changed, "updated_at"])
    audit_log(
        actor=actor,
        action=f"payments.payment.{status}",
        obj=payment,
        data={"from": previous, "provider_payment_id": payment.provider_payment_id},
    )
    return True


def payment_credit(*, payment: Payment, actor=None) -> bool:
    """Credit a paid card payment to the rent account, once: the ledger's unique constraint makes a second
    credit for the same payment a no-op. Sends the receipt with the first credit. Returns whether it credited.
    """
    if payment.status != Status.SUCCEEDED or payment.succeeded_at is None:
        raise ValueError(f"payment {payment.reference} has not succeeded: nothing to credit")
    if LedgerEntry.objects.filter(payment=payment, kind=LedgerEntry.Kind.CARD_PAYMENT).exists():
        # Already credited (the ledger is append-only, so it stays so): a replayed or late event need not
        # lock the rent account, which the batch applier may be holding, only to be refused by the constraint.
        return False
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
        payment_receipt_send(payment=payment, entry=entry)
    return created


def payment_receipt_send(*, payment: Payment, entry: LedgerEntry) -> None:
    """The receipt for a payment's first credit, if the payer asked for one (its key makes it once only)."""
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
