import time

import pytest
from django.db import connection

from hackney_portal.core import health


@pytest.fixture(autouse=True)
def _fresh_caches():
    health._worker_cache.update(at=0.0, ok=False)
    health._migrations_applied["ok"] = False


def test_healthz_is_liveness_only_and_touches_no_dependency(client, settings):
    from hackney_portal.devservices import free_port

    # Nothing answers on these ports: liveness must not care, or every pod restarts in a database outage.
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_ok_when_database_migrations_and_redis_are_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "redis": "ok"},
    }


@pytest.mark.integration
def test_readyz_with_worker_asks_a_worker(client, celery_worker):
    response = client.get("/readyz?worker=1")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["celery"] == "ok"


@pytest.mark.django_db
def test_readyz_with_worker_503_when_no_worker_answers(client):
    response = client.get("/readyz?worker=1")
    assert response.status_code == 503
    assert response.json()["checks"]["celery"] == "error: no worker replied"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_503_when_redis_is_unreachable(client, settings):
    from hackney_portal.devservices import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/readyz?worker=1")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["redis"].startswith("error")
    assert body["checks"]["celery"] == "error: broker unreachable"
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_503_while_a_migration_is_not_applied(client):
    # As after deploying new code before the migrate job has run: traffic must wait.
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM django_migrations WHERE id = "
            "(SELECT max(id) FROM django_migrations WHERE app = 'payments')"
        )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "error: 1 migration(s) not applied"


@pytest.mark.django_db
def test_responses_carry_a_request_id_and_security_headers(client):
    response = client.get("/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.django_db
def test_forged_request_id_is_replaced(client):
    response = client.get("/", HTTP_X_REQUEST_ID="bad\r\nid")
    assert response["X-Request-ID"] != "bad\r\nid"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db(transaction=True)
def test_readyz_worker_check_cannot_be_used_to_tie_up_the_web_server(client, monkeypatch):
    # The page is public and a ping waits a second for workers: hammering it must not ping once a request.
    from concurrent.futures import ThreadPoolExecutor

    from django.test import Client

    from hackney_portal.celery import app

    asked = []
    real_ping = app.control.ping

    def counted_ping(*args, **kwargs):
        asked.append(1)
        return real_ping(*args, **kwargs)

    monkeypatch.setattr(app.control, "ping", counted_ping)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: Client().get("/readyz?worker=1").status_code, range(8)))
    for _ in range(8):
        answers.append(client.get("/readyz?worker=1").status_code)
    assert set(answers) == {503}  # no worker in this test: never "ready"
    assert len(asked) <= 2


@pytest.mark.django_db
def test_readyz_worker_check_is_ignored_from_outside_without_the_token(client, settings):
    settings.METRICS_TOKEN = "s3cret"
    started = time.monotonic()
    response = client.get("/readyz?worker=1", REMOTE_ADDR="203.0.113.9")
    # No worker runs here: had the ping been sent, it would have waited its full second and failed.
    assert time.monotonic() - started < 0.9
    assert response.status_code == 200, response.json()
    assert "celery" not in response.json()["checks"]


@pytest.mark.django_db
def test_readyz_worker_check_from_outside_with_the_metrics_token(client, settings):
    settings.METRICS_TOKEN = "s3cret"
    response = client.get("/readyz?worker=1", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret")
    assert response.status_code == 503
    assert response.json()["checks"]["celery"] == "error: no worker replied"


@pytest.mark.django_db
def test_readyz_failed_worker_answer_is_cached_so_a_loop_cannot_hold_workers(client):
    assert client.get("/readyz?worker=1").status_code == 503
    started = time.monotonic()
    response = client.get("/readyz?worker=1")
    assert time.monotonic() - started < 0.5
    assert response.json()["checks"]["celery"] == "error: no worker replied"
