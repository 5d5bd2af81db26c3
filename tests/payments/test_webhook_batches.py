"""The batch applier: many succeeded events in one transaction, each payment credited exactly once."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection, connections, transaction
from django.db.models import Sum
from django.utils import timezone

from hackney_portal.core.models import AuditEvent, Notification, OutboxTask
from payments import services
from payments.models import LedgerEntry, Payment, RentAccount, StripeEvent
from payments.services.event_batches import APPLIER_LOCK, HANDED
from payments.services.sweepers import stripe_events_requeue
from payments.services.webhooks import APPLIER_WAKE_KEY
from tests.payments.conftest import intent_event, start_payment

TASK = "payments.tasks.stripe_event_process"


def _recorded(payment: Payment) -> str:
    """An intent id recorded for the payment. The applier never calls Stripe, so none exists there: only a
    payload that is believed can pay it."""
    intent_id = f"pi_batch_{uuid.uuid4().hex[:16]}"
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=intent_id)
    payment.provider_payment_id = intent_id
    return intent_id


def _succeeded(payment: Payment, **changes) -> dict:
    event = intent_event(payment.provider_payment_id, metadata={"payment_reference": payment.reference})
    event["data"]["object"].update(
        {"status": "succeeded", "amount": payment.amount_pence, "currency": "gbp", **changes}
    )
    return event


def _store(event: dict) -> StripeEvent:
    """As the webhook request stores it, with the applier's wake flag already up (as when one is queued), so
    storing wakes no applier even where transactions really commit: each test runs the applier itself."""
    cache.set(APPLIER_WAKE_KEY, 1, 60)
    row, _ = services.stripe_event_store(event=event, source="webhook", batched=True)
    return row


@pytest.fixture(autouse=True)
def _wake_flag_down():
    yield
    cache.delete(APPLIER_WAKE_KEY)


def _payments(accounts, n: int) -> list[Payment]:
    out = []
    for i in range(n):
        payment = start_payment(accounts[i % len(accounts)], amount_pence=1000 + i)
        _recorded(payment)
        out.append(payment)
    return out


def _assert_ledgers_consistent(accounts) -> None:
    for account in accounts:
        account.refresh_from_db()
        seqs = list(LedgerEntry.objects.filter(account=account).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
        total = LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount_pence"))["s"] or 0
        assert account.balance_pence == total
        last = LedgerEntry.objects.filter(account=account).order_by("-seq").first()
        assert last is None or last.balance_after_pence == total


@pytest.mark.django_db
def test_a_batch_with_duplicate_events_credits_each_payment_once_with_its_receipt(account, other_account):
    payments = _payments([account, other_account], 6)
    rows = [_store(_succeeded(p)) for p in payments]
    again = _succeeded(payments[0])
    rows.append(_store(again))
    assert services.stripe_event_store(event=again, source="webhook", batched=True)[1] is False
    rows.append(_store(_succeeded(payments[1])))  # resent by the provider under a new id
    balances = {a.pk: a.balance_pence for a in (account, other_account)}

    assert services.stripe_events_apply_batch() == (len(rows), [], False, 0, 0)
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()
    assert set(StripeEvent.objects.values_list("attempts", flat=True)) == {1}
    for payment in payments:
        payment.refresh_from_db()
        assert payment.status == Payment.Status.SUCCEEDED
        assert payment.succeeded_at is not None
        assert list(LedgerEntry.objects.filter(payment=payment).values_list("amount_pence", flat=True)) == [
            -payment.amount_pence
        ]
        assert Notification.objects.filter(key=f"payments.receipt:{payment.pk}").count() == 1
        assert (
            AuditEvent.objects.filter(object_id=str(payment.pk), action="payments.ledger.credited").count()
            == 1
        )
    _assert_ledgers_consistent([account, other_account])
    account.refresh_from_db()
    assert account.balance_pence == balances[account.pk] - sum(p.amount_pence for p in payments[::2])
    # Nothing is left, and a second round changes nothing.
    assert services.stripe_events_apply_batch() == (0, [], False, 0, 0)
    assert LedgerEntry.objects.filter(kind="card_payment").count() == len(payments)
    assert not OutboxTask.objects.filter(task_name=TASK).exists()


@pytest.mark.django_db
def test_an_event_for_a_payment_already_paid_or_refunded_is_marked_done_and_credits_nothing(account):
    paid, refunded, disputed, fresh = _payments([account], 4)
    # Paid and credited by the per-event path before the batch runs.
    for payment in (paid, refunded, disputed):
        services.stripe_event_process(event_pk=_store(_succeeded(payment)).pk)
    Payment.objects.filter(pk=refunded.pk).update(status=Payment.Status.REFUNDED)
    Payment.objects.filter(pk=disputed.pk).update(status=Payment.Status.DISPUTED)
    account.refresh_from_db()
    before = account.balance_pence
    rows = [_store(_succeeded(p)) for p in (paid, refunded, disputed, fresh)]

    assert services.stripe_events_apply_batch() == (4, [], False, 0, 0)

    for row in rows:
        row.refresh_from_db()
        assert row.processed_at is not None
    for payment in (paid, refunded, disputed, fresh):
        assert LedgerEntry.objects.filter(payment=payment, kind="card_payment").count() == 1
    refunded.refresh_from_db()
    assert refunded.status == Payment.Status.REFUNDED  # never taken backwards
    disputed.refresh_from_db()
    assert disputed.status == Payment.Status.DISPUTED  # only the dispute's own events end a dispute
    account.refresh_from_db()
    assert account.balance_pence == before - fresh.amount_pence
    _assert_ledgers_consistent([account])


@pytest.mark.django_db
def test_a_constraint_hit_by_the_batch_falls_back_to_each_event_on_its_own(account):
    first, second = _payments([account], 2)
    # Both payloads name the same charge: the unique charge id stops the batch's bulk update, so each event
    # is applied on its own; the second hits the same constraint and is left to its own task (a re-read).
    _store(_succeeded(first, latest_charge="ch_same"))
    second_row = _store(_succeeded(second, latest_charge="ch_same"))

    assert services.stripe_events_apply_batch().applied == 2
    assert LedgerEntry.objects.filter(payment=first).count() == 1
    assert not LedgerEntry.objects.filter(payment=second).exists()
    second_row.refresh_from_db()
    assert second_row.processed_at is None
    assert OutboxTask.objects.filter(task_name=TASK, args=[second_row.pk]).count() == 1
    _assert_ledgers_consistent([account])


def _hold(model, pk: int, locked: threading.Event, release: threading.Event) -> threading.Thread:
    def holder():
        try:
            with transaction.atomic():
                model.objects.select_for_update().get(pk=pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert locked.wait(10)
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_payment_locked_elsewhere_is_left_waiting_and_applied_once_it_is_free(account, other_account):
    held, free = _payments([account, other_account], 2)
    held_row, free_row = _store(_succeeded(held)), _store(_succeeded(free))
    locked, release = threading.Event(), threading.Event()
    thread = _hold(Payment, held.pk, locked, release)
    try:
        started = time.monotonic()
        result = services.stripe_events_apply_batch()
        assert time.monotonic() - started < 5  # never waited for the lock
    finally:
        release.set()
        thread.join(30)
    assert result == (1, [held_row.pk], False, 0, 0)
    held_row.refresh_from_db()
    assert held_row.processed_at is None
    assert LedgerEntry.objects.filter(payment=free).count() == 1
    assert not LedgerEntry.objects.filter(payment=held).exists()
    assert services.stripe_events_apply_batch() == (1, [], False, 0, 0)
    assert LedgerEntry.objects.filter(payment=held).count() == 1
    free_row.refresh_from_db()
    assert free_row.attempts == 1
    _assert_ledgers_consistent([account, other_account])


@pytest.mark.django_db(transaction=True)
def test_two_appliers_at_once_credit_every_payment_once_and_balances_equal_the_ledger(account, other_account):
    accounts = [account, other_account]
    payments = _payments(accounts, 60)
    for payment in payments:
        _store(_succeeded(payment))
        if payment.pk % 3 == 0:
            _store(_succeeded(payment))  # resent under a new id
    errors, busy = [], []
    go = threading.Barrier(3)

    def applier():
        try:
            go.wait(10)
            for _ in range(2000):
                result = services.stripe_events_apply_batch(limit=7)
                busy.append(result.busy)
                if result.busy:
                    time.sleep(0.01)
                if result == (0, [], False, 0, 0):
                    return
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=applier) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert any(busy)  # they did overlap, and only one ran a round at a time
    assert services.stripe_events_apply_batch() == (0, [], False, 0, 0)
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()
    assert set(StripeEvent.objects.values_list("attempts", flat=True)) == {1}
    for payment in payments:
        assert LedgerEntry.objects.filter(payment=payment, kind="card_payment").count() == 1
    _assert_ledgers_consistent(accounts)


@pytest.mark.django_db(transaction=True)
def test_an_applier_killed_mid_batch_leaves_nothing_half_done_and_the_sweeper_applies_each_once(
    account, other_account
):
    accounts = [account, other_account]
    payments = _payments(accounts, 8)
    rows = [_store(_succeeded(p)) for p in payments]
    at_insert, backend = threading.Event(), {}
    errors = []

    def stop_at_the_ledger_insert(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "payments_ledgerentry"'):
            at_insert.set()
            time.sleep(2)  # killed here, as a SIGKILLed worker's connection is
        return execute(sql, params, many, context)

    def applier():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend["pid"] = cursor.fetchone()[0]
            with connection.execute_wrapper(stop_at_the_ledger_insert):
                services.stripe_events_apply_batch()
        except OperationalError as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=applier)
    thread.start()
    assert at_insert.wait(20)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend["pid"]])
    thread.join(30)
    assert errors, "the applier's connection should have been killed"
    # Its transaction rolled back whole: no payment moved, no credit, no event marked.
    assert not StripeEvent.objects.filter(processed_at__isnull=False).exists()
    assert not LedgerEntry.objects.filter(kind="card_payment").exists()
    assert not Payment.objects.filter(status=Payment.Status.SUCCEEDED).exists()
    # Ten minutes on, the sweeper queues each event's own task (run in-process at commit here).
    requeued = stripe_events_requeue(now=timezone.now() + dt.timedelta(minutes=11))
    assert requeued == len(rows)
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()
    for payment in payments:
        assert LedgerEntry.objects.filter(payment=payment, kind="card_payment").count() == 1
        assert Notification.objects.filter(key=f"payments.receipt:{payment.pk}").count() == 1
    _assert_ledgers_consistent(accounts)
    assert RentAccount.objects.count() == 2


@pytest.mark.django_db
def test_signed_events_with_odd_payloads_are_handed_to_their_tasks_and_never_block_the_batch(account):
    good, odd_metadata, odd_charge, odd_object = _payments([account], 4)
    bad_metadata = _succeeded(odd_metadata)
    bad_metadata["data"]["object"]["metadata"] = ["payment_reference", odd_metadata.reference]
    bad_object = _succeeded(odd_object)
    bad_object["data"]["object"] = "pi_not_an_object"
    rows = [
        _store(_succeeded(good)),
        _store(bad_metadata),
        _store(_succeeded(odd_charge, latest_charge=["ch_1", "ch_2"])),
        # The request refuses this shape now (400); one stored before that must not block a batch either.
        StripeEvent.objects.create(
            event_id=bad_object["id"],
            type=bad_object["type"],
            object_id="",
            created=bad_object["created"],
            payload=bad_object,
        ),
    ]

    result = services.stripe_events_apply_batch()

    assert LedgerEntry.objects.filter(payment=good).count() == 1
    assert result.applied <= 2
    for row in rows[1:]:
        row.refresh_from_db()
        if row.processed_at is None:  # left to its own task, never retried by the batch for ever
            assert OutboxTask.objects.filter(task_name=TASK, args=[row.pk]).count() == 1
    assert not LedgerEntry.objects.filter(payment__in=[odd_metadata, odd_object]).exists()
    _assert_ledgers_consistent([account])


@pytest.mark.django_db
def test_the_applier_hands_every_waiting_event_it_cannot_settle_to_its_task_round_after_round(account):
    payments = _payments([account], 5)
    rows = [_store(_succeeded(p, amount=1)) for p in payments]  # none matches: each needs a re-read

    services.stripe_events_apply(batch=2)

    # Three rounds of at most two, not one round and a wait for the next wake or the sweeper.
    for row in rows:
        assert OutboxTask.objects.filter(task_name=TASK, args=[row.pk]).count() == 1
    # A later applier (woken by the next event) does not hand them over again while their tasks are queued.
    services.stripe_events_apply(batch=2)
    for row in rows:
        assert OutboxTask.objects.filter(task_name=TASK, args=[row.pk]).count() == 1
    assert not LedgerEntry.objects.filter(kind="card_payment").exists()


@pytest.mark.django_db(transaction=True)
def test_an_applier_that_finds_another_running_waits_its_turn_and_applies_what_is_left(account):
    payment = _payments([account], 1)[0]
    row = _store(_succeeded(payment))
    locked, release = threading.Event(), threading.Event()

    def another_applier_mid_round():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPLIER_LOCK])
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=another_applier_mid_round)
    thread.start()
    assert locked.wait(10)
    threading.Timer(0.5, release.set).start()
    # In-process (eager) it looks again every 0.2 s; a worker would queue itself again instead.
    assert services.stripe_events_apply() == 1
    thread.join(30)
    row.refresh_from_db()
    assert row.processed_at is not None
    assert LedgerEntry.objects.filter(payment=payment).count() == 1


def _late(payment: Payment, kind: str, status: str) -> dict:
    event = intent_event(
        payment.provider_payment_id,
        f"payment_intent.{kind}",
        metadata={"payment_reference": payment.reference},
    )
    event["data"]["object"].update({"status": status, "amount": payment.amount_pence, "currency": "gbp"})
    return event


@pytest.mark.django_db
def test_intent_events_a_paid_payment_makes_moot_are_done_in_the_batch_and_the_rest_get_tasks(account):
    with_charge, without_charge, unpaid = _payments([account], 3)
    rows = {
        "late failure": _store(_late(with_charge, "payment_failed", "requires_payment_method")),
        "success": _store(_succeeded(with_charge, latest_charge="ch_batch_1")),
        "processing": _store(_late(with_charge, "processing", "processing")),
        # Paid by this batch, but with no charge id: a re-read may still learn it.
        "no charge": _store(_late(without_charge, "payment_failed", "requires_payment_method")),
        "its success": _store(_succeeded(without_charge)),
        # Nothing says this one was paid: only Stripe knows where it is now.
        "unpaid": _store(_late(unpaid, "processing", "processing")),
    }

    services.stripe_events_apply()

    for name, row in rows.items():
        row.refresh_from_db()
        handed = OutboxTask.objects.filter(task_name=TASK, args=[row.pk]).exists()
        assert handed == (name in {"no charge", "unpaid"}), name
        assert (row.processed_at is not None) == (not handed), name
    with_charge.refresh_from_db()
    assert (with_charge.status, with_charge.provider_charge_id) == (Payment.Status.SUCCEEDED, "ch_batch_1")
    assert LedgerEntry.objects.filter(payment=with_charge).count() == 1
    unpaid.refresh_from_db()
    assert unpaid.status == Payment.Status.CREATED


@pytest.mark.django_db
def test_a_late_failure_that_arrives_just_before_its_success_waits_a_round_and_is_settled_with_it(account):
    paid_later, paid_now = _payments([account], 2)
    failure = _store(_late(paid_later, "payment_failed", "requires_payment_method"))
    _store(_succeeded(paid_now, latest_charge="ch_batch_now"))

    first = services.stripe_events_apply_batch()

    # The round applied a payment, so the failure waits for the next one rather than a re-read from Stripe.
    assert (first.applied, first.handed, first.held) == (1, 0, 1)
    success = _store(_succeeded(paid_later, latest_charge="ch_batch_later"))
    second = services.stripe_events_apply_batch()

    assert (second.applied, second.handed, second.held) == (2, 0, 0)
    for row in (failure, success):
        row.refresh_from_db()
        assert row.processed_at is not None
        assert not OutboxTask.objects.filter(task_name=TASK, args=[row.pk]).exists()
    paid_later.refresh_from_db()
    assert paid_later.status == Payment.Status.SUCCEEDED
    assert LedgerEntry.objects.filter(payment=paid_later).count() == 1


@pytest.mark.django_db
def test_an_unsettled_event_is_held_only_briefly_and_only_by_a_round_that_makes_progress(account):
    waiting, old, other, another = _payments([account], 4)
    recent = _store(_late(waiting, "payment_failed", "requires_payment_method"))
    stale = _store(_late(old, "processing", "processing"))
    StripeEvent.objects.filter(pk=stale.pk).update(received_at=timezone.now() - dt.timedelta(seconds=3))
    _store(_succeeded(other, latest_charge="ch_batch_other"))

    first = services.stripe_events_apply_batch()

    # Past the hold, an event goes to its task even while the applier is busy applying others.
    assert (first.applied, first.handed, first.held) == (1, 1, 1)
    assert OutboxTask.objects.filter(task_name=TASK, args=[stale.pk]).count() == 1
    # A round that applies nothing does not hold: no success is coming that it could wait for.
    second = services.stripe_events_apply_batch()
    assert (second.applied, second.handed, second.held) == (0, 1, 0)
    assert OutboxTask.objects.filter(task_name=TASK, args=[recent.pk]).count() == 1
    # The whole run ends with nothing held or lost.
    _store(_late(another, "payment_failed", "requires_payment_method"))
    services.stripe_events_apply()
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exclude(last_error=HANDED).exists()
