"""SIGTERM (a rolling deploy, a scale-down) loses neither a request in flight nor a task being run."""

import os
import signal
import subprocess
import threading
import urllib.request

import psycopg
import pytest

from hackney_portal.devservices import free_port, wait_for_port, web_command
from payments.models import LedgerEntry, Payment, RentAccount, StripeEvent
from tests.conftest import BASE_DIR, WorkerProcess, _test_database_url, wait_until
from tests.faults.test_database import WAITING_ON_ACCOUNT
from tests.payments.conftest import intent_event, paid_at_stripe, signed

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def test_web_finishes_a_request_in_flight_on_sigterm(celery_worker_env, tmp_path):
    port = free_port()
    marker = tmp_path / "in-the-view"
    env = {**celery_worker_env, "DJANGO_ROOT_URLCONF": "tests.core.slow_urls", "SLOW_MARKER": str(marker)}
    log = open(tmp_path / "web.log", "wb")  # noqa: SIM115
    web = subprocess.Popen(
        web_command(port=port, workers=1), cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_port(port, timeout=60, proc=web)
        answer: dict = {}

        def ask():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/slow/", timeout=30) as response:
                    answer["status"], answer["body"] = response.status, response.read()
            except Exception as exc:  # noqa: BLE001 - reported below
                answer["error"] = repr(exc)

        request = threading.Thread(target=ask)
        request.start()
        wait_until(marker.exists, timeout=60, message="the request to reach the view")
        # As Kubernetes and Docker do: SIGTERM to the main process only.
        os.kill(web.pid, signal.SIGTERM)
        request.join(30)
        assert answer == {"status": 200, "body": b"finished"}, (
            answer,
            (tmp_path / "web.log").read_text()[-2000:],
        )
        assert web.wait(30) == 0
    finally:
        if web.poll() is None:
            os.killpg(web.pid, signal.SIGKILL)
        log.close()


def test_worker_finishes_the_task_it_is_running_on_sigterm(
    client, celery_worker_env, tmp_path, transactional_db
):
    account = RentAccount.objects.create(
        reference="7700000002", postcode="E8 1EA", tenant_name="T", address="A", weekly_rent_pence=10_000
    )
    payment, intent = paid_at_stripe(account, 1234)
    # Hold the account's row lock so the crediting task is mid-transaction when the worker is told to stop.
    holder = psycopg.connect(_test_database_url(), autocommit=False)
    holder.execute("SELECT id FROM payments_rentaccount WHERE id = %s FOR UPDATE", [account.pk])
    worker = WorkerProcess(celery_worker_env, tmp_path / "worker.log", concurrency=1).start()
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
            wait_until(
                lambda: watcher.execute(WAITING_ON_ACCOUNT).fetchone() is not None,
                timeout=60,
                message="the task to be waiting inside its transaction",
            )
        # To the main process only, as Kubernetes does: Celery's warm shutdown finishes what is running.
        os.kill(worker.proc.pid, signal.SIGTERM)
        threading.Event().wait(1.0)
        assert worker.proc.poll() is None, "the worker quit with a task unfinished"
        holder.rollback()
        assert worker.proc.wait(60) == 0
    finally:
        holder.close()
        worker.stop()
    assert LedgerEntry.objects.filter(payment=payment, kind="card_payment").count() == 1
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert StripeEvent.objects.get().processed_at is not None
