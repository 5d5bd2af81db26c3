"""Gunicorn's configuration for every way the portal is served: `make run`, the benchmarks and production.

Gunicorn reads `./gunicorn.conf.py` by default, so `gunicorn hackney_portal.wsgi` started from the project
folder (as the image does) uses it; values come from the environment so containers size themselves.
"""

import os
import shutil
import tempfile

# Every worker writes its request metrics here and /metrics sums them (core/metrics.py). Set before any
# worker imports prometheus_client; emptied at start so a previous run's dead workers are not counted.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="portal-metrics-")
else:
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Threads let a worker keep serving while one request waits on Stripe or the database.
threads = int(os.environ.get("WEB_THREADS", "4"))
# SIGTERM (a rolling deploy, a scale-down) stops accepting, lets requests in flight finish, then exits.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
keepalive = 5
# Requests are logged by the portal's own middleware (JSON, with request ids and no query strings).
accesslog = None
errorlog = "-"
# A worker is recycled after this many requests, with jitter so they do not all restart together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# The load balancer's X-Forwarded-* are trusted by Django's own settings (TRUSTED_PROXY_COUNT), not here.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def post_worker_init(worker):
    """Take what the worker has loaded for good (Django, the apps, the URLs) out of the cyclic collector.

    Measured in a warm worker: a full collection walked about 180,000 long-lived objects and took 90 ms, with
    every thread of the worker stopped; frozen, it takes about 12 ms.
    """
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every URLconf now, so it is frozen too
    gc.collect()
    gc.freeze()
