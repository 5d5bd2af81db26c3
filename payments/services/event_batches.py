"""Signed `payment_intent.succeeded` events applied many at a time, set-based, in the worker.

The webhook request only verifies and stores an event, then wakes one applier (see `webhooks.applier_wake`).
The applier takes a batch of waiting succeeded events and, in one transaction, applies those whose own signed
payload matches the payment we recorded (`rules.event_payload_sufficient`): a handful of statements for the
whole batch instead of a dozen per event. The database constraints (one card credit per payment, one ledger
line per account and seq) stay the guarantee of exactly once; on any IntegrityError the batch's writes roll
back and each event is applied by the per-event path instead.

One applier runs a round at a time (a transaction-level advisory lock, tried, never waited for), and nothing
here ever waits for a lock (events, payments and rent accounts are all taken with SKIP LOCKED), so an applier
can take part in no deadlock. An event whose payment or account another transaction holds is left
waiting for the next round; one that needs Stripe (any mismatch) or is for no payment of ours is handed to its
own task (`stripe_event_process`), which re-reads the intent as before.

Stripe does not promise order: a payment's late `payment_failed` can arrive a moment before its
`payment_intent.succeeded`. While rounds are applying events, such a recent event that its payment cannot yet
settle is held for the next round (for at most `HOLD_SECONDS`), where its success usually settles it; a round
that applies nothing hands every such event over, so none waits for a wake that may not come.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from typing import NamedTuple

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from hackney_portal.core.audit import audit_log_many
from hackney_portal.core.bulk import rows_update
from hackney_portal.core.outbox import enqueue

from .. import rules
from .. import stripe_gateway as gateway
from ..calendar import business_date, financial_year, rent_week
from ..models import LedgerEntry, Payment, RentAccount, StripeEvent
from .intents import payment_receipt_send
from .webhooks import APPLIER_WAKE_KEY, _event_apply, _object

log = logging.getLogger(__name__)
Status = Payment.Status
SUCCEEDED_EVENT = "payment_intent.succeeded"
INTENT_EVENTS = "payment_intent."

# Events per transaction: large enough that the fixed cost of a round is small, small enough that locks are
# held for tens of milliseconds.
BATCH = 200
# Rounds per task, so one task never runs for ever while events keep arriving (it wakes the next one).
ROUNDS = 50
# Held by the applier running a round (transaction-level, so PgBouncer in transaction mode is fine).
APPLIER_LOCK = 0x57E_B47C
BUSY_LOOK_AGAIN_SECONDS = 0.2
# How long a productive round may hold a recent non-success event its payment cannot settle yet (see above);
# past it, or in a round that applies nothing, the event goes to its own task and a re-read from Stripe.
HOLD_SECONDS = 2.0
HANDED = "given its own task by the batch applier"


def stripe_events_apply(*, batch: int = BATCH, rounds: int = ROUNDS) -> int:
    """Apply waiting succeeded events, round after round, until none is left. Returns how many were applied.

    One applier runs rounds at a time (an advisory lock): two would only skip each other's locked accounts.
    One that finds another running looks again shortly, since the other may be on its last round. The wake
    flag is cleared inside each round, before it reads the waiting events, so an event stored after that
    read sets it again and wakes another applier: none is left waiting for a wake that never comes.
    """
    from ..tasks import stripe_events_apply as task

    applied = 0
    for _ in range(rounds):
        result = stripe_events_apply_batch(limit=batch)
        if result.busy:
            if task.app.conf.task_always_eager:
                # In-process tasks (tests, CELERY_TASK_ALWAYS_EAGER): a countdown would recurse at once.
                time.sleep(BUSY_LOOK_AGAIN_SECONDS)
                continue
            task.apply_async(countdown=BUSY_LOOK_AGAIN_SECONDS, retry=False)
            return applied
        applied += result.applied
        if not result.applied and not result.handed:
            if result.locked:
                # No progress because others hold those rows: their own tasks wait for the locks instead.
                with transaction.atomic():
                    _hand_over(result.locked)
            return applied
    task.apply_async(retry=False)
    return applied


class Round(NamedTuple):
    applied: int  # events applied (marked processed) in this round
    locked: list[int]  # events left because their payment or account was locked elsewhere
    busy: bool = False  # another applier was running a round: this one did nothing
    handed: int = 0  # events given to their own task (any mismatch, or no payment of ours)
    held: int = 0  # recent events left for the next round, which may bring their payment's success


def stripe_events_apply_batch(*, limit: int = BATCH) -> Round:
    """One round, one transaction. An event given to its own task is marked so (`HANDED`, in the same
    transaction), so no later round or applier hands it over again; if that task is lost, the sweeper queues
    it again, as it does any event not applied in ten minutes."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [APPLIER_LOCK])
            if not cursor.fetchone()[0]:
                return Round(0, [], busy=True)
        cache.delete(APPLIER_WAKE_KEY)
        events = list(
            StripeEvent.objects.select_for_update(skip_locked=True)
            .filter(processed_at__isnull=True, type__startswith=INTENT_EVENTS)
            .exclude(last_error=HANDED)
            .order_by("pk")[:limit]
        )
        if not events:
            return Round(0, [])
        by_intent: dict[str, list[StripeEvent]] = defaultdict(list)
        for event in events:
            by_intent[str(_object(event).get("id") or "")[:100]].append(event)
        payments = {
            p.provider_payment_id: p
            for p in Payment.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(provider_payment_id__in=set(by_intent) - {""})
            .order_by("pk")
        }
        accounts = {
            a.pk: a
            for a in RentAccount.objects.select_for_update(skip_locked=True)
            .filter(pk__in={p.account_id for p in payments.values()})
            .order_by("pk")
        }
        missing = set(by_intent) - set(payments)
        busy = set(
            Payment.objects.filter(provider_payment_id__in=missing).values_list(
                "provider_payment_id", flat=True
            )
        )
        ready: list[tuple[Payment, list[StripeEvent]]] = []
        locked: list[int] = []
        to_hand: list[StripeEvent] = []
        unsettled: list[StripeEvent] = []
        for intent_id, group in by_intent.items():
            payment = payments.get(intent_id)
            if intent_id in busy or (payment is not None and payment.account_id not in accounts):
                locked += [e.pk for e in group]
                continue
            if payment is None:
                to_hand += group  # for no payment of ours: its task logs it and marks it done
                continue
            done, hand = _settle(group, payment)
            to_hand += [e for e in hand if e.type == SUCCEEDED_EVENT]
            unsettled += [e for e in hand if e.type != SUCCEEDED_EVENT]
            if done:
                payment.account = accounts[payment.account_id]
                ready.append((payment, done))
        held = _held(unsettled) if ready else []
        to_hand += [e for e in unsettled if e not in held]
        _hand_over([e.pk for e in to_hand])
        if ready:
            _apply_or_fall_back(ready)
        return Round(sum(len(group) for _, group in ready), locked, handed=len(to_hand), held=len(held))


def _held(unsettled: list[StripeEvent]) -> list[StripeEvent]:
    """The unsettled non-success events recent enough to wait one more round for their payment's success."""
    since = timezone.now() - dt.timedelta(seconds=HOLD_SECONDS)
    return [e for e in unsettled if e.received_at and e.received_at > since]


def _hand_over(pks: list[int]) -> None:
    if pks:
        StripeEvent.objects.filter(pk__in=pks).update(last_error=HANDED)
    for pk in pks:
        enqueue("payments.tasks.stripe_event_process", pk)


def _settle(group: list[StripeEvent], payment: Payment) -> tuple[list[StripeEvent], list[StripeEvent]]:
    """The events this round settles (matching successes first, then any others they make moot), and the
    events to hand to their own tasks.

    Any other intent event (a late "payment_failed", a "processing" delivered after the success) cannot
    move a payment that is paid, now or by this round's success, with its charge recorded: its own task
    would only mark it done (`rules.intent_event_settled`), so it is marked done here with the rest.
    """
    fits = [e for e in group if e.type == SUCCEEDED_EVENT and _fits(e, payment)]
    others = [e for e in group if e.type != SUCCEEDED_EVENT]
    # After a matching success the payment is paid (or stays failed): settled once its charge is known.
    charge = bool(payment.provider_charge_id) or bool(
        fits and gateway.intent_from_payload(_object(fits[0])).charge_id
    )
    settled = bool(fits and charge) or rules.intent_event_settled(current=payment.status, has_charge=charge)
    moot = others if settled else []
    return fits + moot, [e for e in group if e not in fits and e not in moot]


def _fits(event: StripeEvent, payment: Payment) -> bool:
    """Whether the event's own payload settles it; a payload of odd shape (signed, so Stripe's, but not as
    documented) is left to the event's task rather than failing every batch it is in."""
    try:
        return rules.event_payload_sufficient(
            event_type=event.type,
            payload=_object(event),
            recorded_intent_id=payment.provider_payment_id,
            amount_pence=payment.amount_pence,
            reference=payment.reference,
        ) and isinstance(_object(event).get("latest_charge") or "", (str, dict))
    except (AttributeError, TypeError, ValueError):
        return False


def _apply_or_fall_back(ready: list[tuple[Payment, list[StripeEvent]]]) -> None:
    try:
        with transaction.atomic():
            _apply_set(ready)
        return
    except DatabaseError:
        log.warning("batch of %d payments hit a constraint: applying each event on its own", len(ready))
    for _, group in ready:
        for event in group:
            event.refresh_from_db()
            try:
                with transaction.atomic():
                    _event_apply(event)
            except DatabaseError:
                log.exception("event %s left for its own task", event.event_id)
                _hand_over([event.pk])


def _apply_set(ready: list[tuple[Payment, list[StripeEvent]]]) -> None:
    """What `payment_intent_apply` does for each payment, in a fixed number of statements for all of them."""
    now = timezone.now()
    changed: list[Payment] = []
    audits: list[tuple[str, object, dict]] = []
    for payment, group in ready:
        if group[0].type != SUCCEEDED_EVENT:
            continue  # only events made moot by the payment's own state: nothing to apply
        intent = gateway.intent_from_payload(_object(group[0]))
        touched = False
        if intent.charge_id and not payment.provider_charge_id:
            payment.provider_charge_id, touched = intent.charge_id, True
        if rules.can_move(
            payment.status, rules.status_for_intent(intent_status=intent.status, current=payment.status)
        ):
            audits.append(
                (
                    f"payments.payment.{Status.SUCCEEDED}",
                    payment,
                    {"from": payment.status, "provider_payment_id": payment.provider_payment_id},
                )
            )
            payment.status, touched = Status.SUCCEEDED, True
            payment.succeeded_at = payment.succeeded_at or now
        if touched:
            payment.updated_at = now
            changed.append(payment)
    if changed:
        rows_update(Payment, changed, ["status", "succeeded_at", "provider_charge_id", "updated_at"])
    # Only a payment that is "succeeded" now is credited (as `payment_intent_apply`): one refunded or
    # disputed since was credited long ago, and one that failed was never paid.
    paid = [p for p, _ in ready if p.status == Status.SUCCEEDED]
    credited = set(
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CARD_PAYMENT, payment__in=paid).values_list(
            "payment_id", flat=True
        )
    )
    entries = _credits([p for p in paid if p.pk not in credited], now=now)
    for entry in entries:
        audits.append(
            (
                "payments.ledger.credited",
                entry.payment,
                {"entry": entry.pk, "amount_pence": entry.payment.amount_pence},
            )
        )
    audit_log_many(actor=None, entries=audits)
    StripeEvent.objects.filter(pk__in=[e.pk for _, group in ready for e in group]).update(
        processed_at=now, attempts=F("attempts") + 1
    )
    for entry in entries:
        payment_receipt_send(payment=entry.payment, entry=entry)


def _credits(payments: list[Payment], *, now) -> list[LedgerEntry]:
    """One INSERT of the credits, each account's in payment order after its last line, with running balances;
    one UPDATE of the accounts' balances. The caller holds every account's row lock."""
    if not payments:
        return []
    accounts = {p.account_id: p.account for p in payments}
    last = dict(
        LedgerEntry.objects.filter(account_id__in=accounts)
        .order_by()
        .values("account_id")
        .annotate(seq=Max("seq"))
        .values_list("account_id", "seq")
    )
    entries = []
    for payment in sorted(payments, key=lambda p: (p.account_id, p.pk)):
        account = accounts[payment.account_id]
        last[account.pk] = last.get(account.pk, 0) + 1
        account.balance_pence -= payment.amount_pence
        day = business_date(payment.succeeded_at)
        entries.append(
            LedgerEntry(
                account=account,
                seq=last[account.pk],
                kind=LedgerEntry.Kind.CARD_PAYMENT,
                amount_pence=-payment.amount_pence,
                balance_after_pence=account.balance_pence,
                description=f"Card payment {payment.reference}",
                business_date=day,
                rent_week=rent_week(day),
                financial_year=financial_year(day),
                payment=payment,
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    for account in accounts.values():
        account.balance_updated_at = now
    rows_update(RentAccount, list(accounts.values()), ["balance_pence", "balance_updated_at"])
    return entries
