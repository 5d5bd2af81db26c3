"""Fixtures shared by every test: users, a real Celery worker, the mail folder, Redis hygiene.

Tests run against the real embedded PostgreSQL, Redis and localstripe started by
`python -m hackney_portal.devservices exec` (what `make test` does).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from hackney_portal.devservices import worker_command
from hackney_portal.users.models import User
from tests.factories import TOTP_SECRET, StaffFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parents[1]

# `make test-fast` runs everything not marked slow. Marked slow here: browser journeys, many hosts and fault
# injection (whole folders), tests with a real Celery worker, a live server, S3 or a flush of every table, and
# modules that start servers or fresh interpreters of their own.
SLOW_FOLDERS = {"e2e", "scale", "faults"}
SLOW_FIXTURES = {
    "live_server",
    "transactional_db",
    "celery_worker",
    "celery_worker_env",
    "s3_server",
    "s3_bucket",
}
SLOW_MODULES = {
    "core/test_deploy.py",
    "core/test_graceful_shutdown.py",
    "core/test_pgbouncer.py",
    "core/test_production_settings.py",
    "core/test_run_supervisor.py",
    "core/test_settings_modules.py",
    "core/test_test_fast.py",
    "payments/test_backup_restore.py",
}


def is_slow(item: pytest.Item) -> bool:
    where = item.path.relative_to(BASE_DIR / "tests")
    db = item.get_closest_marker("django_db")
    return (
        where.parts[0] in SLOW_FOLDERS
        or where.as_posix() in SLOW_MODULES
        or item.get_closest_marker("integration") is not None
        or bool(db and db.kwargs.get("transaction"))
        or bool(SLOW_FIXTURES & set(getattr(item, "fixturenames", ())))
    )


# What reaches the database: a test is a unit test (`make test-unit`) when it is not slow and asks for none of
# these, directly or through a fixture (pytest-django refuses database access to any other test, so a test
# wrongly counted as a unit test fails rather than passing unchecked).
DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


def is_unit(item: pytest.Item) -> bool:
    return (
        not is_slow(item)
        and item.get_closest_marker("slow") is None
        and item.get_closest_marker("django_db") is None
        and not (DB_FIXTURES & set(getattr(item, "fixturenames", ())))
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
        elif is_unit(item):
            item.add_marker(pytest.mark.unit)


@pytest.fixture(autouse=True)
def _celery_eager(request, settings):
    """Unit tests run tasks in-process when their transaction commits; integration tests use a real worker."""
    from hackney_portal.celery import app

    eager = request.node.get_closest_marker("integration") is None
    app.conf.task_always_eager = eager
    app.conf.task_eager_propagates = eager
    yield
    app.conf.task_always_eager = False


OUR_APPS = {"users", "payments", "employment", "homelessness"}


def _replay_data_migrations() -> None:
    """Re-run our data migrations (all idempotent): groups, their permissions, H-CLIC code lists."""
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    keys = sorted((k for k in loader.disk_migrations if k[0] in OUR_APPS), key=lambda k: (k[0] != "users", k))
    for key in keys:
        for op in loader.disk_migrations[key].operations:
            if isinstance(op, RunPython):
                op.code(apps, None)


@pytest.fixture(autouse=True, scope="session")
def _flush_past_append_only_triggers():
    """Transactional tests end with Django's flush, a TRUNCATE of every table, which the append-only tables'
    triggers refuse. The test database's superuser may switch ordinary triggers off for that transaction
    (`session_replication_role`), as the portal's own role in production cannot."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else statements

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A transactional test ends by flushing every table, taking the rows data migrations made with it;
    put them back so the next test sees the database as `migrate` leaves it."""
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        return
    from django.contrib.auth.models import Group

    if not Group.objects.exists():
        _replay_data_migrations()


@pytest.fixture(autouse=True)
def _clear_cache_keys():
    """Rate-limit counters and cached sessions must not leak between tests (the broker's keys stay)."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    for key in client.scan_iter(f"{prefix}:*", count=1000):
        client.delete(key)


@pytest.fixture
def mailbox(settings, tmp_path):
    """Django's locmem outbox, for tests that read what was sent."""
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def make_user(
    email: str = "resident@example.org",
    *,
    password: str = "correct-horse-battery",
    staff=False,
    groups=(),
    totp_secret: str | None = None,
    name: str = "Test Person",
) -> User:
    return UserFactory(
        email=email,
        password=password,
        name=name,
        is_staff=staff,
        groups=tuple(groups),
        totp_secret=totp_secret,
    )


@pytest.fixture
def resident(db) -> User:
    return make_user("resident@example.org", name="Rita Resident")


@pytest.fixture
def other_resident(db) -> User:
    return make_user("other@example.org", name="Oscar Other")


_TOTP_ISSUED: dict[str, int] = {}


@pytest.fixture(autouse=True)
def _totp_steps_forgotten():
    """Each test's users are its own (rolled back or flushed after it), so the steps a test gave out are
    forgotten with them. Remembered across tests, the third sign-in anywhere in a 30-second window waited for
    the window to turn: half a minute each for a dozen tests of the suite."""
    _TOTP_ISSUED.clear()


def totp_now(secret: str = TOTP_SECRET) -> str:
    """A code the portal accepts whenever it checks it in the next 30 seconds, window boundary or not.

    The portal allows one step of drift and takes each step once, so this gives the current step's code,
    or the next step's if the current one was already given out for this secret, and waits for the window
    to turn only when both were.
    """
    import pyotp

    totp = pyotp.TOTP(secret)
    while True:
        now = time.time()
        current = int(now // totp.interval)
        step = max(current, _TOTP_ISSUED.get(secret, current - 1) + 1)
        if step <= current + 1:
            _TOTP_ISSUED[secret] = step
            return totp.at(step * totp.interval)
        time.sleep((current + 1) * totp.interval - now + 0.05)


def staff_login(
    client, user: User, *, password: str = UserFactory.password, secret: str = TOTP_SECRET
) -> None:
    """Sign a staff user in as they do: their password, then a code from their authenticator app (made by
    StaffFactory, so `secret` is theirs). The code is for the first time step the portal has not yet taken
    from this authenticator, so several sign-ins in one test each get a code the portal accepts."""
    import pyotp
    from allauth.mfa.models import Authenticator
    from django.urls import reverse

    client.logout()  # whoever used this browser before signs out first
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, f"{user.email} could not sign in with their password"
    if response.url != reverse("mfa_authenticate"):
        return
    totp = pyotp.TOTP(secret)
    while True:
        authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        now = time.time()
        current = int(now // totp.interval)
        step = max(current, authenticator.data.get("last_step", current - 1) + 1)
        if step <= current + settings.MFA_TOTP_TOLERANCE:
            break
        time.sleep((current + 1) * totp.interval - now + 0.05)
    response = client.post(reverse("mfa_authenticate"), {"code": totp.at(step * totp.interval)})
    assert response.status_code == 302, f"{user.email}'s two-factor code was refused"


@pytest.fixture
def make_staff(db):
    def _make(email: str, *groups: str, superuser: bool = False) -> User:
        extra = {"is_superuser": True} if superuser else {}
        return StaffFactory(email=email, groups=groups, **extra)

    return _make


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_env(django_db_setup, django_db_blocker):
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "PORTAL_IGNORE_SERVICES_FILE": "1",
        "CELERY_VISIBILITY_TIMEOUT": os.environ.get("CELERY_VISIBILITY_TIMEOUT", "10"),
        "LOG_FORMAT": "plain",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    }
    return env


def _clear_broker(env: dict) -> None:
    """Drop messages left by earlier tests, including unacked ones from workers they killed.

    Otherwise a redelivered task from another test (its database rows long flushed) runs in this one.
    """
    import redis

    client = redis.Redis.from_url(env.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    keys = [b"celery", b"unacked", b"unacked_index", b"unacked_mutex"]
    keys += list(client.scan_iter(match="celery\x06*"))
    client.delete(*keys)


class WorkerProcess:
    def __init__(self, env: dict, log_path: Path, concurrency: int = 2, queues: str | None = None):
        self.env = env
        self.log_path = log_path
        self.concurrency = concurrency
        self.queues = queues
        self.proc: subprocess.Popen | None = None

    def start(self, *, clear_broker: bool = True) -> WorkerProcess:
        cmd = [
            *worker_command(concurrency=self.concurrency),
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
        ]
        if self.queues:
            cmd += ["-Q", self.queues]
        if clear_broker:
            _clear_broker(self.env)
        self.log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd, cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log_path.read_text()[-3000:]}")
            if b"ready." in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        raise TimeoutError(f"worker not ready: {self.log_path.read_text()[-3000:]}")

    def child_pids(self) -> list[int]:
        import psutil

        return [c.pid for c in psutil.Process(self.proc.pid).children(recursive=True)]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()


@pytest.fixture
def celery_worker(celery_worker_env, tmp_path, transactional_db):
    """A real Celery worker process consuming from the real Redis, writing to the test database."""
    worker = WorkerProcess(celery_worker_env, tmp_path / "worker.log").start()
    yield worker
    worker.stop()


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


@pytest.fixture(scope="session")
def s3_server():
    """A local S3-compatible server (moto's server mode) in its own process, as object storage would be."""
    from hackney_portal.devservices import free_port, terminate_group, wait_for_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for_port(port, timeout=60, proc=proc)
    yield f"http://127.0.0.1:{port}"
    terminate_group(proc)


S3_KEYS = {"access_key": "testing", "secret_key": "testing", "region_name": "eu-west-2"}


@pytest.fixture
def s3_bucket(s3_server, settings):
    """Private files go to a fresh bucket on the local S3 server for this test."""
    import uuid

    import boto3

    bucket = f"portal-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="eu-west-2",
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "hackney_portal.core.storage.EncryptedS3Storage",
            "OPTIONS": {"bucket_name": bucket, "endpoint_url": s3_server, "location": "private", **S3_KEYS},
        },
    }
    return client, bucket
