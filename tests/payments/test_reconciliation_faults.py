"""A reconciliation worker killed with SIGKILL part-way: the next run finishes with nothing counted twice."""

import os
import signal
import time
import urllib.request

import psutil
import pytest
from django.db import transaction

from hackney_portal.core.outbox import enqueue
from payments.calendar import business_date
from payments.models import Discrepancy, LedgerEntry, Payment, ReconciliationRun, RentAccount
from payments.reconciliation import reconciliation_run
from tests.conftest import WorkerProcess, wait_until
from tests.payments.conftest import paid_at_stripe

pytestmark = pytest.mark.integration
LOST = 120


@pytest.fixture
def small_pages_worker(celery_worker_env, tmp_path, transactional_db):
    env = {**celery_worker_env, "PAYMENTS_RECONCILIATION_PAGE_SIZE": "4"}
    worker = WorkerProcess(env, tmp_path / "worker.log", concurrency=1).start()
    yield worker
    worker.stop()


def test_killed_reconciliation_is_completed_by_the_next_run_exactly_once(settings, small_pages_worker):
    req = urllib.request.Request(f"{settings.STRIPE_API_BASE}/_config/data", method="DELETE")
    urllib.request.urlopen(req, timeout=10).read()
    account = RentAccount.objects.create(
        reference="6600000000", postcode="E8 1EA", tenant_name="T", address="A", weekly_rent_pence=10_000
    )
    for i in range(LOST):
        paid_at_stripe(account, 100 + i)
    day = business_date().isoformat()
    with transaction.atomic():
        enqueue("payments.tasks.reconciliation_run", day, day)

    wait_until(
        lambda: ReconciliationRun.objects.filter(transactions_seen__gte=12).exists(),
        timeout=120,
        interval=0.02,
        message="the run to get part-way",
    )
    proc = psutil.Process(small_pages_worker.proc.pid)
    for p in [*proc.children(recursive=True), proc]:
        os.kill(p.pid, signal.SIGKILL)
    small_pages_worker.proc.wait(10)
    time.sleep(0.5)

    half = ReconciliationRun.objects.get()
    assert half.status == "running"
    assert 0 < half.transactions_seen < LOST

    # The next run (tonight's beat, or a finance officer's click) takes over from the cursor.
    done = reconciliation_run(period_start=business_date(), period_end=business_date())
    assert done.pk == half.pk
    assert done.status == "completed"
    assert done.transactions_seen == LOST
    assert Discrepancy.objects.filter(kind="missing_credit", status="repaired").count() == LOST
    assert LedgerEntry.objects.filter(kind="card_payment").count() == LOST
    assert Payment.objects.filter(status="succeeded").count() == LOST
    account.refresh_from_db()
    assert account.balance_pence == -sum(100 + i for i in range(LOST))
