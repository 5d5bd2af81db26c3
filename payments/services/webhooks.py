"""Stripe events: verified, stored once, and applied once."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from hackney_portal.core.outbox import enqueue

from .. import stripe_gateway as gateway
from ..models import (
    Payment,
    StripeEvent,
)
from .disputes import dispute_record
from .intents import _payment_apply_intent
from .refunds import refund_record

log = logging.getLogger(__name__)


def stripe_event_receive(
    *, payload: bytes, signature: str, source: str = "webhook"
) -> tuple[StripeEvent, bool]:
    """Verify, store once, and queue processing. Raises gateway.SignatureError for anything unsigned."""
    event = gateway.webhook_verify(payload, signature)
    return stripe_event_store(event=event, source=source)


@transaction.atomic
def stripe_event_store(*, event: dict, source: str) -> tuple[StripeEvent, bool]:
    obj = (event.get("data") or {}).get("object") or {}
    try:
        with transaction.atomic():
            row = StripeEvent.objects.create(
                event_id=event["id"],
                type=event.get("type", ""),
                object_id=str(obj.get("id", ""))[:100],
                created=int(event.get("created") or 0),
                payload=event,
                source=source,
            )
    except IntegrityError:
        return StripeEvent.objects.get(event_id=event["id"]), False
    enqueue("payments.tasks.stripe_event_process", row.pk)
    return row, True


def stripe_event_process(*, event_pk: int) -> StripeEvent:
    """Apply one stored event. The event row is locked and marked processed in the same transaction as its
    effect, so a redelivered task or a duplicate event changes nothing the second time."""
    with transaction.atomic():
        row = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if row.processed_at:
            return row
        obj = (row.payload.get("data") or {}).get("object") or {}
        if row.type.startswith("payment_intent."):
            _event_payment_intent(obj)
        elif row.type in {"charge.refunded", "refund.updated", "refund.created", "charge.refund.updated"}:
            _event_refund(obj)
        elif row.type.startswith("charge.dispute."):
            _event_dispute(row.type, obj)
        row.processed_at = timezone.now()
        row.attempts += 1
        row.save(update_fields=["processed_at", "attempts"])
        return row


def _payment_for_intent(intent_id: str) -> Payment | None:
    """Our payment for an intent, by the intent id we recorded before confirming it, and by nothing else.

    The id is committed before the intent is confirmed, so no webhook can arrive before it; an intent we
    never recorded (its metadata copied from one of ours, or another system's on the same Stripe account)
    is never adopted.
    """
    if not intent_id:
        return None
    return Payment.objects.filter(provider_payment_id=intent_id).first()


def _event_payment_intent(obj: dict) -> None:
    payment = _payment_for_intent(obj.get("id", ""))
    if payment is None:
        log.warning("event for a PaymentIntent we did not record: %s", obj.get("id"))
        return
    # Never trust the event body: re-read the intent.
    intent = gateway.intent_retrieve(obj["id"])
    _payment_apply_intent(payment_id=payment.pk, intent=intent)


def _event_refund(obj: dict) -> None:
    refunds = obj.get("refunds", {}).get("data") if obj.get("object") == "charge" else [obj]
    for data in refunds or []:
        payment = _payment_for_intent(data.get("payment_intent") or obj.get("payment_intent") or "")
        if payment is None:
            continue
        refund_record(
            payment_id=payment.pk,
            provider_refund_id=data["id"],
            amount_pence=int(data["amount"]),
            status=data.get("status", "succeeded"),
        )


def _event_dispute(event_type: str, obj: dict) -> None:
    intent_id = obj.get("payment_intent") or ""
    payment = _payment_for_intent(intent_id)
    if payment is None:
        log.warning("dispute for unknown payment %s", intent_id)
        return
    dispute_record(payment_id=payment.pk, event_type=event_type, data=obj)
