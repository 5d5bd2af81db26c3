"""Liveness and readiness, kept apart as orchestrators expect.

`/healthz` answers whether this process can serve at all, and touches nothing else: a database or Redis outage
must not make Kubernetes restart every healthy web process at once. `/readyz` answers whether this process
should be sent traffic: the database answers, every migration in the code is applied, and Redis answers;
`?worker=1` also asks a Celery worker to reply (used by `make run`, not by load balancers). Asking holds the
request up to a second, so it is honoured only from loopback or with the metrics token, and a failed answer is
cached too: otherwise anyone could tie up web workers with `/readyz?worker=1` in a loop.
"""

from __future__ import annotations

import hmac
import threading
import time

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

_worker_cache: dict[str, float | bool] = {"at": 0.0, "ok": False}
_worker_ping = threading.Lock()
# A ping waits up to a second for an answer, even for the callers allowed to ask: so an answer is reused for a
# while (a "no" only briefly, so `make run` sees the worker soon after it starts), and a process never pings
# twice at once.
WORKER_YES_SECONDS = 5.0
WORKER_NO_SECONDS = 1.5
# Once every migration is seen applied it stays applied for this code, so the graph is read once per process.
_migrations_applied: dict[str, bool] = {"ok": False}


def _check_database() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return "ok"


def _check_migrations() -> str:
    if _migrations_applied["ok"]:
        return "ok"
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    missing = set(loader.graph.leaf_nodes()) - set(loader.applied_migrations)
    # A leaf can be applied while an earlier node is not (a squash, a fake): compare the whole graph.
    missing |= set(loader.graph.nodes) - set(loader.applied_migrations) - set(loader.replacements)
    if missing:
        return f"error: {len(missing)} migration(s) not applied"
    _migrations_applied["ok"] = True
    return "ok"


def _check_redis() -> str:
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    return "ok"


def _worker_answer() -> str:
    return "ok" if _worker_cache["ok"] else "error: no worker replied"


def _check_worker() -> str:
    keep = WORKER_YES_SECONDS if _worker_cache["ok"] else WORKER_NO_SECONDS
    fresh = _worker_cache["at"] and time.monotonic() - float(_worker_cache["at"]) < keep
    if fresh:
        return _worker_answer()
    if not _worker_ping.acquire(blocking=False):
        # Another request of this process is asking right now: give the last answer rather than ask again.
        return _worker_answer() if _worker_cache["at"] else "error: no worker replied yet"
    try:
        from hackney_portal.celery import app

        ok = bool(app.control.ping(timeout=1.0))
        _worker_cache.update(at=time.monotonic(), ok=ok)
    finally:
        _worker_ping.release()
    return _worker_answer()


def _run(check) -> str:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; the type says which
        return f"error: {type(exc).__name__}"


def _may_ask_worker(request) -> bool:
    if request.META.get("REMOTE_ADDR") in {"127.0.0.1", "::1"}:
        return True
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    checks = {"database": _run(_check_database)}
    checks["migrations"] = _run(_check_migrations) if checks["database"] == "ok" else "error: no database"
    checks["redis"] = _run(_check_redis)
    if request.GET.get("worker") and _may_ask_worker(request):
        checks["celery"] = _run(_check_worker) if checks["redis"] == "ok" else "error: broker unreachable"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "error", "checks": checks}, status=200 if ready else 503
    )
