"""/metrics: private, and it counts what operators need to see."""

import datetime as dt

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from hackney_portal.core.metrics import TASK_OUTCOMES_KEY

TOKEN = "scrape-token-for-tests"


def _scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_metrics_are_not_public(client, token, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    assert client.get("/metrics", **extra).status_code == 404


@pytest.mark.django_db
def test_metrics_do_not_exist_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_requests_are_counted_by_route_not_by_path(client, token):
    key = ("portal_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "core:privacy")))
    before = _scrape(client).get(key, 0)
    client.get("/privacy/")
    client.get("/privacy/")
    after = _scrape(client)
    assert after[key] == before + 2
    assert after[("portal_http_request_duration_seconds_count", (("view", "core:privacy"),))] >= 2
    client.get("/no-such-page/E8%201EA")
    assert not [k for k in _scrape(client) if "E8" in str(k)]


@pytest.mark.django_db
def test_queue_depth_and_task_outcomes_come_from_redis(client, token, settings):
    broker = redis.Redis.from_url(settings.REDIS_URL)
    settings.PORTAL_METRICS_QUEUES = ["metrics-probe"]
    broker.delete("metrics-probe", TASK_OUTCOMES_KEY)
    broker.rpush("metrics-probe", "a", "b", "c")
    from hackney_portal.core.tasks import outbox_dispatch_pending

    outbox_dispatch_pending.delay()  # eager in tests: the same signal a worker sends
    samples = _scrape(client)
    assert samples[("portal_celery_queue_depth", (("queue", "metrics-probe"),))] == 3
    task = "hackney_portal.core.tasks.outbox_dispatch_pending"
    assert samples[("portal_celery_tasks_total", (("outcome", "success"), ("task", task)))] == 1
    broker.delete("metrics-probe", TASK_OUTCOMES_KEY)


@pytest.mark.django_db
def test_payments_awaiting_confirmation_and_open_discrepancies(client, token):
    from payments.models import Discrepancy, Payment, ReconciliationRun, RentAccount

    account = RentAccount.objects.create(
        reference="7700000001", postcode="E8 1EA", tenant_name="T", address="A", weekly_rent_pence=10_000
    )
    for n, status in enumerate(("confirming", "requires_action", "succeeded")):
        Payment.objects.create(
            account=account, amount_pence=100, status=status, reference=f"P{n}", attempt_key=f"k{n}"
        )
    today = dt.date(2026, 12, 1)
    run = ReconciliationRun.objects.create(period_start=today, period_end=today)
    for n, status in enumerate(["open", "open", "repaired"]):
        Discrepancy.objects.create(kind="duplicate", key=f"ch_{n}", status=status, run=run)
    samples = _scrape(client)
    assert samples[("portal_payments_awaiting_confirmation", ())] == 2
    assert samples[("portal_payments_open_discrepancies", ())] == 2
