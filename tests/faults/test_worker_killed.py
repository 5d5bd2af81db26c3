"""A Celery worker SIGKILLed in the middle of crediting a payment: the task is redelivered to another worker
and the payment is credited exactly once."""

import os
import signal

import psutil
import psycopg
import pytest

from payments.models import LedgerEntry, Payment, RentAccount, StripeEvent
from tests.conftest import WorkerProcess, _test_database_url, wait_until
from tests.faults.test_database import WAITING_ON_ACCOUNT
from tests.payments.conftest import intent_event, paid_at_stripe, signed

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def _kill(worker: WorkerProcess) -> None:
    proc = psutil.Process(worker.proc.pid)
    for p in [*proc.children(recursive=True), proc]:
        os.kill(p.pid, signal.SIGKILL)
    worker.proc.wait(10)


def test_worker_killed_while_crediting_a_payment_is_redelivered_and_credits_once(
    client, celery_worker_env, tmp_path, transactional_db
):
    account = RentAccount.objects.create(
        reference="7700000000", postcode="E8 1EA", tenant_name="T", address="A", weekly_rent_pence=10_000
    )
    payment, intent = paid_at_stripe(account, 4321)

    env = {
        **celery_worker_env,
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    # Hold the rent account's row lock, so the crediting task stops half-way inside its transaction.
    holder = psycopg.connect(_test_database_url(), autocommit=False)
    holder.execute("SELECT id FROM payments_rentaccount WHERE id = %s FOR UPDATE", [account.pk])
    first = WorkerProcess(env, tmp_path / "first.log", concurrency=1).start()
    try:
        body, signature = signed(intent_event(intent.id))
        response = client.post(
            "/payments/stripe/webhook/",
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )
        assert response.status_code == 200
        with psycopg.connect(_test_database_url(), autocommit=True) as watcher:
            try:
                wait_until(
                    lambda: watcher.execute(WAITING_ON_ACCOUNT).fetchone() is not None,
                    timeout=60,
                    message="the task to be waiting inside its transaction",
                )
            except AssertionError as exc:
                seen = watcher.execute(
                    "SELECT pid, state, wait_event_type, left(query, 200) FROM pg_stat_activity "
                    "WHERE backend_type = 'client backend'"
                ).fetchall()
                raise AssertionError(f"{exc}; backends: {seen}") from None
        _kill(first)
    finally:
        holder.rollback()
        holder.close()
    # The killed worker's transaction was rolled back: nothing half-written.
    assert not LedgerEntry.objects.filter(payment=payment).exists()
    assert StripeEvent.objects.get().processed_at is None

    # The killed worker's message is still in Redis, unacknowledged: keep it for the next worker.
    second = WorkerProcess(env, tmp_path / "second.log", concurrency=2).start(clear_broker=False)
    try:
        wait_until(
            lambda: LedgerEntry.objects.filter(payment=payment).exists(),
            timeout=90,
            message="the redelivered task to credit the payment",
        )
        # Let any further redelivery run too, then check nothing was counted twice.
        wait_until(
            lambda: StripeEvent.objects.get().processed_at is not None, timeout=30, message="event done"
        )
    finally:
        second.stop()
    assert LedgerEntry.objects.filter(payment=payment, kind="card_payment").count() == 1
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    account.refresh_from_db()
    assert account.balance_pence == -4321
