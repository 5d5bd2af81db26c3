"""Prometheus metrics: requests by view, Celery queue depth and task outcomes, and each service's own gauges.

Request figures are kept per host (every gunicorn worker writes to `PROMETHEUS_MULTIPROC_DIR`, which
gunicorn.conf.py sets, so one scrape of a host sums its workers); scrape every web host. Task outcomes are
counted in Redis, because tasks run on worker hosts that are not scraped; queue depth and the services' gauges
are read at scrape time from Redis and the database, so any host reports the same.

Services add gauges in their AppConfig.ready() with `gauge_register`; core knows none of them by name.

`/metrics` is not public: it answers only a request carrying `Authorization: Bearer $METRICS_TOKEN`, and is a
404 when no token is set.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

log = logging.getLogger(__name__)

REQUESTS = Counter("portal_http_requests", "HTTP requests served", ["view", "method", "status"])
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time to serve a request",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

TASK_OUTCOMES_KEY = "portal:metrics:task-outcomes"
_gauges: dict[str, tuple[str, Callable[[], float]]] = {}


def gauge_register(name: str, documentation: str, read: Callable[[], float]) -> None:
    """A figure read at scrape time, e.g. payments awaiting confirmation. `read` must be one cheap query."""
    _gauges[name] = (documentation, read)


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # The route's name, never the path: paths carry references and would make a series per resident.
        view = (match.view_name if match else None) or "unmatched"
        LATENCY.labels(view).observe(time.perf_counter() - started)
        REQUESTS.labels(
            view, request.method if request.method in _METHODS else "other", response.status_code
        ).inc()
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def task_outcome_record(*, task: str, outcome: str) -> None:
    try:
        _redis().hincrby(TASK_OUTCOMES_KEY, f"{task}|{outcome}", 1)
    except Exception:
        log.warning("could not record a task outcome metric", exc_info=True)


class _ScrapeTimeCollector:
    def collect(self):
        try:
            client = _redis()
            depth = GaugeMetricFamily(
                "portal_celery_queue_depth", "Tasks waiting in a queue", labels=["queue"]
            )
            for queue in sorted(settings.PORTAL_METRICS_QUEUES):
                depth.add_metric([queue], client.llen(queue))
            yield depth
            outcomes = CounterMetricFamily(
                "portal_celery_tasks", "Celery tasks finished, by outcome", labels=["task", "outcome"]
            )
            for field, count in sorted(client.hgetall(TASK_OUTCOMES_KEY).items()):
                task, _, outcome = field.decode().partition("|")
                outcomes.add_metric([task, outcome], int(count))
            yield outcomes
        except Exception:
            log.warning("metrics: Redis figures unavailable", exc_info=True)
        for name, (documentation, read) in sorted(_gauges.items()):
            try:
                value = read()
            except Exception:
                log.warning("metrics: gauge %s unavailable", name, exc_info=True)
                continue
            gauge = GaugeMetricFamily(name, documentation)
            gauge.add_metric([], value)
            yield gauge


def _registries() -> list[CollectorRegistry]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Sum every gunicorn worker on this host, not just the one answering the scrape.
        process = CollectorRegistry()
        multiprocess.MultiProcessCollector(process)
    else:
        from prometheus_client import REGISTRY as process
    scrape = CollectorRegistry()
    scrape.register(_ScrapeTimeCollector())
    return [process, scrape]


def metrics_view(request):
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Http404
    body = b"".join(generate_latest(registry) for registry in _registries())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
