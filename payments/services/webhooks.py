"""Stripe events: verified, stored once, and applied once."""

from __future__ import annotations

import json
import logging

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from hackney_portal.core.outbox import enqueue

from .. import rules, tasks
from .. import stripe_gateway as gateway
from ..models import (
    Payment,
    StripeEvent,
)
from .disputes import dispute_record
from .intents import payment_credit, payment_intent_apply, payment_locked
from .refunds import refund_record

log = logging.getLogger(__name__)


def stripe_event_receive(
    *, payload: bytes, signature: str, source: str = "webhook"
) -> tuple[StripeEvent, bool]:
    """Verify and store once; a succeeded event wakes the batch applier, anything else is queued to its own
    task. Raises gateway.SignatureError for anything unsigned."""
    event = gateway.webhook_verify(payload, signature)
    return stripe_event_store(event=event, source=source, batched=True)


# Not wrapped in transaction.atomic: the only write is one INSERT ... ON CONFLICT, atomic by itself, and
# BEGIN and COMMIT were two more round trips on the path every webhook takes (an eighth of its time). Called
# inside a caller's transaction it joins it, and the wake or task still waits for that commit.
def stripe_event_store(*, event: dict, source: str, batched: bool = False) -> tuple[StripeEvent, bool]:
    """Store the event once (a repeated id changes nothing) and queue a task to apply it, on commit.

    `batched` (the webhook request): a PaymentIntent event is not given a task of its own; after commit the
    request wakes the applier (`event_batches.stripe_events_apply`), which applies waiting succeeded events
    many at a time, and marks done the other intent events a paid payment makes moot, so the request is one
    INSERT and the provider is answered at once (see docs/performance.md). The applier hands any event it
    cannot settle to the event's own task. If
    the wake is lost (Redis down, a worker killed), the sweeper queues the event's task ten minutes on.
    """
    data = event.get("data") or {}
    obj = (data.get("object") if isinstance(data, dict) else None) or {}
    if not isinstance(data, dict) or not isinstance(obj, dict):
        # The applier reads every stored payload: one it cannot read would be retried by each batch.
        raise ValueError("event data and data.object must be objects")
    row = _event_insert(event=event, obj=obj, source=source)
    if row is None:
        return StripeEvent.objects.get(event_id=event["id"]), False
    if batched and row.type.startswith("payment_intent."):
        transaction.on_commit(applier_wake)
    else:
        enqueue("payments.tasks.stripe_event_process", row.pk)
    return row, True


# Set while an applier is queued and has not yet looked for waiting events: one task per burst, not per event.
APPLIER_WAKE_KEY = "payments:stripe-events:applier-wake"
# If the queued applier is lost, the flag lapses and the next event wakes another.
APPLIER_WAKE_SECONDS = 5


def applier_wake() -> None:
    """Queue one applier unless one is already queued (Redis SET NX: one round trip, no database row)."""
    if not cache.add(APPLIER_WAKE_KEY, 1, APPLIER_WAKE_SECONDS):
        return
    try:
        tasks.stripe_events_apply.apply_async(retry=False)
    except Exception as exc:  # noqa: BLE001 - broker down: the sweeper queues the events' own tasks
        cache.delete(APPLIER_WAKE_KEY)
        log.warning("could not wake the Stripe event applier (%s); the sweeper will", type(exc).__name__)


_EVENT_INSERT = (
    "INSERT INTO payments_stripeevent (event_id, type, object_id, created, payload, received_at, "
    "processed_at, attempts, last_error, source) VALUES (%s, %s, %s, %s, %s::jsonb, %s, %s, %s, '', %s) "
    "ON CONFLICT (event_id) DO NOTHING RETURNING id"
)


def _event_insert(*, event: dict, obj: dict, source: str) -> StripeEvent | None:
    """The stored event, or None if its id is already stored. One statement where the ORM needs a savepoint
    around its INSERT (three round trips, on the path every webhook takes); a concurrent insert of the same
    id waits for the other to commit, then stores nothing. ValueError for an id or type that is not a short
    string (the view answers 400), rather than a database error."""
    for key in ("id", "type"):
        if not isinstance(event.get(key), str) or not 0 < len(event[key]) <= 100:
            raise ValueError(f"event {key} must be a string of 1 to 100 characters")
    now = timezone.now()
    row = StripeEvent(
        event_id=event["id"],
        type=event.get("type", ""),
        object_id=str(obj.get("id", ""))[:100],
        created=int(event.get("created") or 0),
        payload=event,
        received_at=now,
        processed_at=None,
        attempts=0,
        source=source,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _EVENT_INSERT,
            [
                row.event_id,
                row.type,
                row.object_id,
                row.created,
                json.dumps(event),
                now,
                row.processed_at,
                row.attempts,
                source,
            ],
        )
        inserted = cursor.fetchone()
    if inserted is None:
        return None
    row.pk = inserted[0]
    row._state.adding, row._state.db = False, connection.alias
    return row


def stripe_event_process(*, event_pk: int) -> StripeEvent:
    """Apply one stored event, in its own transaction.

    The event row is locked and marked processed in the same transaction as its effect, so a redelivered
    task or a duplicate event changes nothing the second time, and a task queued for an event the batch
    applier has applied since finds it done. Waiting succeeded events are applied many at a time by the
    applier (`event_batches`), not here: this path waits for the payment's and account's locks, and two
    such paths taking several accounts each could deadlock.
    """
    with transaction.atomic():
        row = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if not row.processed_at:
            _event_apply(row)
        return row


def _object(row: StripeEvent) -> dict:
    data = row.payload.get("data") or {}
    obj = (data.get("object") if isinstance(data, dict) else None) or {}
    return obj if isinstance(obj, dict) else {}


def _event_apply(row: StripeEvent) -> None:
    obj = _object(row)
    if row.type.startswith("payment_intent."):
        _event_payment_intent(row.type, obj)
    elif row.type in {"charge.refunded", "refund.updated", "refund.created", "charge.refund.updated"}:
        _event_refund(obj)
    elif row.type.startswith("charge.dispute."):
        _event_dispute(row.type, obj)
    row.processed_at = timezone.now()
    row.attempts += 1
    row.save(update_fields=["processed_at", "attempts"])


def _payment_for_intent(intent_id: str) -> Payment | None:
    """Our payment for an intent, by the intent id we recorded before confirming it, and by nothing else.

    The id is committed before the intent is confirmed, so no webhook can arrive before it; an intent we
    never recorded (its metadata copied from one of ours, or another system's on the same Stripe account)
    is never adopted.
    """
    if not intent_id:
        return None
    return Payment.objects.filter(provider_payment_id=intent_id).first()


def _event_payment_intent(event_type: str, obj: dict) -> None:
    """Apply a PaymentIntent event to the payment we recorded it for.

    A signed "payment_intent.succeeded" whose id, amount, currency and reference match our payment is applied
    from its own payload (see `rules.event_payload_sufficient`): one locked read of the payment, no call to
    Stripe. Anything else (a non-terminal status that may be stale by now, or any mismatch) is only a
    trigger: the intent is re-read from Stripe, with no payment lock held during the call, and applied.
    """
    if _payment_intent_from_payload(event_type, obj):
        return
    intent_id = str(obj.get("id") or "")
    payment = _payment_for_intent(intent_id)
    if payment is None:
        log.warning("event for a PaymentIntent we did not record: %s", intent_id)
        return
    if _settled(payment) and _settled(locked := payment_locked(payment_id=payment.pk)):
        # A late or repeated event for a payment nothing can move (a "failed" after "succeeded"): the re-read
        # could only say what we know. A paid one is still credited if its credit is missing, as the re-read
        # path would.
        if locked.status == Payment.Status.SUCCEEDED:
            payment_credit(payment=locked)
        return
    success = _stored_success(intent_id, payment)
    if success is not None:
        # Stripe already told us, signed, that this intent succeeded (the event may still be waiting for the
        # batch applier): a succeeded intent never changes, so a re-read would only say the same.
        payment_intent_apply(payment=payment_locked(payment_id=payment.pk), intent=success)
        return
    intent = gateway.intent_retrieve(intent_id)
    payment_intent_apply(payment=payment_locked(payment_id=payment.pk), intent=intent)


def _stored_success(intent_id: str, payment: Payment) -> gateway.Intent | None:
    """The intent as a stored, signed "payment_intent.succeeded" gives it, if one matches our payment."""
    for row in StripeEvent.objects.filter(object_id=intent_id, type="payment_intent.succeeded").order_by(
        "pk"
    ):
        obj = _object(row)
        try:
            if rules.event_payload_sufficient(
                event_type=row.type,
                payload=obj,
                recorded_intent_id=payment.provider_payment_id,
                amount_pence=payment.amount_pence,
                reference=payment.reference,
            ):
                return gateway.intent_from_payload(obj)
        except (AttributeError, TypeError, ValueError):
            continue  # a payload of odd shape: the next one, or a re-read
    return None


def _settled(payment: Payment) -> bool:
    return rules.intent_event_settled(current=payment.status, has_charge=bool(payment.provider_charge_id))


def _payment_intent_from_payload(event_type: str, obj: dict) -> bool:
    """Apply a succeeded event from its own payload if it matches our payment, locked; False, with nothing
    changed, if it does not."""
    intent_id = str(obj.get("id") or "")
    if event_type != "payment_intent.succeeded" or not intent_id:
        return False
    # The payment only; the account is the ledger's lock, taken when it credits.
    payment = (
        Payment.objects.select_related("account")
        .select_for_update(of=("self",))
        .filter(provider_payment_id=intent_id)
        .first()
    )
    if payment is None or not rules.event_payload_sufficient(
        event_type=event_type,
        payload=obj,
        recorded_intent_id=payment.provider_payment_id,
        amount_pence=payment.amount_pence,
        reference=payment.reference,
    ):
        return False
    payment_intent_apply(payment=payment, intent=gateway.intent_from_payload(obj))
    return True


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
            discrepancy_id=(data.get("metadata") or {}).get("discrepancy_id", ""),
        )


def _event_dispute(event_type: str, obj: dict) -> None:
    intent_id = obj.get("payment_intent") or ""
    payment = _payment_for_intent(intent_id)
    if payment is None:
        log.warning("dispute for unknown payment %s", intent_id)
        return
    dispute_record(payment_id=payment.pk, event_type=event_type, data=obj)
