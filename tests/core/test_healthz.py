import pytest

from hackney_portal.core import views


@pytest.fixture(autouse=True)
def _fresh_worker_cache():
    views._worker_cache.update(at=0.0, ok=False)


@pytest.mark.integration
def test_healthz_ok_when_database_redis_and_worker_are_up(client, celery_worker):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "celery": "ok"}}


@pytest.mark.django_db
def test_healthz_503_when_no_worker_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["celery"] == "error: no worker replied"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_503_when_redis_is_unreachable(client, settings):
    from hackney_portal.devservices import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    body = client.get("/healthz").json()
    assert body["status"] == "error"
    assert body["checks"]["redis"].startswith("error")
    assert body["checks"]["celery"] == "error: broker unreachable"


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
