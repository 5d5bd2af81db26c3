"""The web server, Celery worker and beat command lines as `make run` starts them (the tests and benchmarks
start the same ones), and stopping a child with everything it forked."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def web_command(*, port: int, workers: int | None = None) -> list[str]:
    """The web server as `make run` starts it; the benchmarks start the same one, configured by
    `gunicorn.conf.py` like production, with only the address and size given here."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(BASE_DIR / "gunicorn.conf.py"),
        "hackney_portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers or os.environ.get("WEB_CONCURRENCY", "3")),
    ]


def worker_command(*, concurrency: int = 2, loglevel: str = "INFO") -> list[str]:
    """A Celery worker as `make run` starts it; the tests and benchmarks start the same one."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "hackney_portal",
        "worker",
        "--loglevel",
        loglevel,
        "--concurrency",
        str(concurrency),
    ]


def terminate_group(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Stop a child and everything it forked (gunicorn and Celery workers fork their own children)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def beat_command(*, schedule_file: Path, loglevel: str = "INFO") -> list[str]:
    """Celery beat as `make run` starts it (its last-run file in the data folder)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "hackney_portal",
        "beat",
        "--loglevel",
        loglevel,
        "--schedule",
        str(schedule_file),
    ]
