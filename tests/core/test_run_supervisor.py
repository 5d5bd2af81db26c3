"""`make run` end to end: the supervisor starts everything, refuses a second copy, and stops cleanly."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil
import pytest

from hackney_portal.devservices import free_port
from tests.conftest import BASE_DIR

pytestmark = pytest.mark.integration


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            return resp.status == 200 and json.loads(resp.read())["status"] == "ok"
    except OSError:
        return False


def _start(env):
    return subprocess.Popen(
        [sys.executable, "-m", "hackney_portal.devservices", "run"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_healthy(proc, url, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read().decode()[-3000:]
        if _healthy(url):
            return time.monotonic()
        time.sleep(0.5)
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            last = response.read().decode()
    except urllib.error.HTTPError as exc:
        last = exc.read().decode()
    except OSError as exc:
        last = repr(exc)
    raise AssertionError(f"not healthy within {timeout}s: {last}")


def _stop(proc) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    return out.decode()


def test_run_starts_healthy_refuses_a_second_copy_and_leaves_nothing_behind(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "STRIPE_SECRET_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "STRIPE_WEBHOOK_SECRET",
            "STRIPE_API_BASE",
            "STRIPE_JS_URL",
            "PORTAL_IGNORE_SERVICES_FILE",
        }
    }
    env.update(
        PORTAL_DATA_DIR=str(tmp_path / "run"),
        PORT=str(port),
        WEB_CONCURRENCY="2",
        PORTAL_EMAIL_FILE_PATH=str(tmp_path / "mail"),
        # As a developer runs it (pytest's own test settings read no services file).
        DJANGO_SETTINGS_MODULE="hackney_portal.settings.development",
    )
    url = f"http://127.0.0.1:{port}/readyz?worker=1"

    first = _start(env)
    try:
        _wait_healthy(first, url, timeout=180)
        descendants = psutil.Process(first.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in descendants if p.is_running())
        for part in ("gunicorn", "worker", "beat", "localstripe", "valkey-server"):
            assert part in names, part
        postgres = [
            p
            for p in psutil.process_iter(["cmdline"])
            if p.info["cmdline"]
            and str(tmp_path) in " ".join(p.info["cmdline"])
            and "postgres" in " ".join(p.info["cmdline"])
        ]
        assert postgres
        watched = descendants + postgres

        second = subprocess.run(
            [sys.executable, "-m", "hackney_portal.devservices", "run"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode != 0
        assert "already in use" in second.stdout
        assert _healthy(url)  # the first run is untouched
    finally:
        out = _stop(first)
    assert "nothing is left running" in out
    time.sleep(1)
    alive = [p for p in watched if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [p.cmdline() for p in alive]

    # Data survives a restart, the second start is quick, and demo data is not duplicated.
    again = _start(env)
    try:
        started = time.monotonic()
        _wait_healthy(again, url, timeout=60)
        assert time.monotonic() - started < 30
        users = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from hackney_portal.users.models import User; print(User.objects.count())",
            ],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()
        assert users.splitlines()[-1] == "7"
    finally:
        out = _stop(again)
    # Nothing had changed, so neither migrate nor the demo data ran again.
    assert "database migrations: nothing changed since the last run" in out
    assert "demo data: already loaded" in out
