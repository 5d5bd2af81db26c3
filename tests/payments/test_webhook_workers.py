"""Real Celery worker processes applying the same events at once: one credit each, no call to Stripe."""

from __future__ import annotations

import threading

import pytest
import redis
from celery import current_app
from django.db import connection
from django.db.models import Sum

from payments import services
from payments import stripe_gateway as gateway
from payments.models import LedgerEntry, Payment, StripeEvent
from tests.conftest import WorkerProcess, wait_until
from tests.payments.conftest import CARD_OK, card_token, intent_event, start_payment
from tests.payments.stripe_calls import StripeCallCounter

TASK = "payments.tasks.stripe_event_process"


@pytest.fixture
def counted_worker(celery_worker_env, tmp_path, transactional_db, settings):
    """A worker (2 processes) whose every call to localstripe, like this process's, is counted."""
    with StripeCallCounter(settings.STRIPE_API_BASE) as counter:
        settings.STRIPE_API_BASE = counter.url
        worker = WorkerProcess(
            {**celery_worker_env, "STRIPE_API_BASE": counter.url}, tmp_path / "worker.log"
        ).start()
        try:
            yield counter
        finally:
            worker.stop()


def _paid_and_recorded(account, amount_pence: int) -> tuple[Payment, str]:
    payment = start_payment(account, amount_pence=amount_pence)
    intent = gateway.intent_create(
        payment_id=payment.pk,
        reference=payment.reference,
        account_reference=account.reference,
        amount_pence=amount_pence,
        card_token=card_token(CARD_OK),
        idempotency_key=f"w-{payment.pk}",
    )
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=intent.id)
    gateway.intent_confirm(intent.id, idempotency_key=f"w-{payment.pk}-c")
    return payment, intent.id


def _succeeded(payment: Payment, intent_id: str) -> dict:
    event = intent_event(intent_id, metadata={"payment_reference": payment.reference})
    event["data"]["object"].update({"status": "succeeded", "amount": payment.amount_pence, "currency": "gbp"})
    return event


@pytest.mark.integration
def test_two_workers_and_a_third_process_on_the_same_events_credit_each_once_with_no_call_to_stripe(
    counted_worker, account, other_account, settings
):
    paid = [_paid_and_recorded(acc, 700 + i) for i, acc in enumerate([account, other_account] * 10)]
    counted_worker.reset()
    rows = []
    for payment, intent_id in paid:
        event = _succeeded(payment, intent_id)
        rows.append(services.stripe_event_store(event=event, source="webhook")[0])  # its task, on commit
        services.stripe_event_store(event=event, source="webhook")  # the same id again: stored once
        services.stripe_event_store(event=_succeeded(payment, intent_id), source="webhook")  # a resend
    # Every event's task delivered twice more, to a worker with two processes, while this process applies
    # the same events as well: whoever locks an event first applies it, the rest find it done.
    for row in rows:
        current_app.send_task(TASK, args=[row.pk])
        current_app.send_task(TASK, args=[row.pk])

    def third_process():
        try:
            for row in reversed(rows):
                services.stripe_event_process(event_pk=row.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=third_process)
    thread.start()
    thread.join(timeout=120)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    wait_until(
        lambda: (
            not StripeEvent.objects.filter(processed_at__isnull=True).exists()
            and broker.llen("celery") == 0
            and broker.hlen("unacked") == 0
        ),
        timeout=120,
        message="every event applied and every task finished",
    )
    assert StripeEvent.objects.count() == 2 * len(paid)
    for payment, _ in paid:
        payment.refresh_from_db()
        assert payment.status == Payment.Status.SUCCEEDED
        assert LedgerEntry.objects.filter(payment=payment, kind="card_payment").count() == 1
    # Each event's effect was applied once: by one task, or the third process, never twice.
    assert set(StripeEvent.objects.values_list("attempts", flat=True)) == {1}
    assert counted_worker.calls == []
    for acc in (account, other_account):
        acc.refresh_from_db()
        assert acc.balance_pence == acc.entries.aggregate(s=Sum("amount_pence"))["s"]
