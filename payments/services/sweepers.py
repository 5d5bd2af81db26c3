"""Scheduled repairs: attempts stuck mid-way, and events whose webhook never arrived."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from hackney_portal.core.outbox import enqueue

from .. import stripe_gateway as gateway
from ..models import Payment, StripeEvent, SyncCursor
from .card import payment_confirmation_release, payment_expire
from .intents import payment_refresh
from .webhooks import stripe_event_store

log = logging.getLogger(__name__)
Status = Payment.Status


ABANDON_AFTER = dt.timedelta(minutes=90)
STUCK_AFTER = dt.timedelta(minutes=10)


def payments_sweep(*, now: dt.datetime | None = None) -> dict:
    """Re-check attempts stuck in a non-final state and expire abandoned ones. Each payment is its own
    transaction, so one failure does not stop the rest."""
    now = now or timezone.now()
    checked = expired = 0
    stuck = Payment.objects.filter(
        status__in=[Status.REQUIRES_ACTION, Status.PROCESSING, Status.CREATED, Status.CONFIRMING],
        updated_at__lt=now - STUCK_AFTER,
    ).values_list("pk", "created_at", "status")
    for pk, created_at, status in stuck:
        try:
            if created_at < now - ABANDON_AFTER:
                payment = payment_expire(payment_id=pk)
                expired += payment.status == Status.EXPIRED
            else:
                if status == Status.CONFIRMING:
                    # Its submission died mid-call (a request gives up on Stripe within a few minutes):
                    # free it, then read whatever Stripe did with the recorded intent.
                    payment_confirmation_release(payment_id=pk)
                payment_refresh(payment_id=pk)
                checked += 1
        except gateway.GatewayError:
            log.warning("sweeper could not reach Stripe for payment %s", pk)
    return {"checked": checked, "expired": expired, "requeued": stripe_events_requeue(now=now)}


# An event whose task died (a worker killed mid-task past its retries, a deadlock, a bug since fixed) would
# otherwise wait for ever: every other event is applied within seconds of arriving.
EVENT_STALE_AFTER = dt.timedelta(minutes=10)
EVENT_GIVE_UP_AFTER = dt.timedelta(days=7)


def stripe_events_requeue(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Queue again each stored event still not applied ten minutes after it arrived (oldest first, at most
    `limit` a sweep, none older than a week). Applying is idempotent: an event another task applies first is
    found done and changes nothing."""
    now = now or timezone.now()
    stale = list(
        StripeEvent.objects.filter(
            processed_at__isnull=True,
            received_at__lt=now - EVENT_STALE_AFTER,
            received_at__gte=now - EVENT_GIVE_UP_AFTER,
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    with transaction.atomic():
        for pk in stale:
            enqueue("payments.tasks.stripe_event_process", pk)
    if stale:
        log.warning("queued %d Stripe events again that were not applied within 10 minutes", len(stale))
    return len(stale)


def stripe_events_recover(*, limit: int = 1000) -> int:
    """Read Stripe's event list from our watermark and store any event whose webhook never arrived."""
    cursor, _ = SyncCursor.objects.get_or_create(name="stripe-events", defaults={"value": "0"})
    since = int(cursor.value or 0)
    # Overlap the window a little: events created in the same second as the watermark are re-read and
    # deduplicated by their unique id.
    events = gateway.events_list(created_after=max(0, since - 60))
    stored = 0
    newest = since
    for event in events[:limit]:
        _, created = stripe_event_store(event=event, source="sweeper")
        stored += created
        newest = max(newest, int(event.get("created") or 0))
    SyncCursor.objects.filter(pk=cursor.pk).update(value=str(newest))
    return stored
