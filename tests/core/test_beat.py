"""Two beats, as on two hosts, send each scheduled job once; when the sender dies the other takes over."""

import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tests.conftest import BASE_DIR, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

PROBE_QUEUE = "beat-probe"


def _start_beat(env: dict, folder) -> tuple[subprocess.Popen, object]:
    folder.mkdir()
    log_path = folder / "beat.log"
    log = open(log_path, "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hackney_portal", "beat", "--loglevel", "INFO",
         "--schedule", str(folder / "celerybeat-schedule")],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return proc, log_path


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def test_two_beats_send_each_job_once_and_a_standby_takes_over(celery_worker_env, tmp_path, transactional_db):
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    # Only the probe is enabled, so the count below is the probe's and nothing real is queued.
    PeriodicTask.objects.update(enabled=False)
    PeriodicTask.objects.create(
        name="probe", task="portal.beat_probe", interval=every_second, queue=PROBE_QUEUE
    )
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(PROBE_QUEUE, settings.CELERY_BEAT_LOCK_KEY)
    env = {**celery_worker_env, "CELERY_BEAT_LOCK_TIMEOUT": "3"}

    beats = [_start_beat(env, tmp_path / f"host-{name}") for name in "ab"]
    try:
        wait_until(lambda: broker.llen(PROBE_QUEUE) >= 1, timeout=60, message="the first probe")
        started = time.monotonic()
        time.sleep(8)
        sent = broker.llen(PROBE_QUEUE) - 1
        elapsed = time.monotonic() - started
        # One beat sends one a second; two unlocked beats would send two a second.
        assert elapsed - 2 <= sent <= elapsed + 1, (sent, elapsed)

        leaders = [b for b in beats if b"now sends the schedule" in b[1].read_bytes()]
        assert len(leaders) == 1, [b[1].read_text()[-2000:] for b in beats]
        (leader,) = leaders
        (standby,) = [b for b in beats if b is not leader]
        _stop(leader[0])
        before = broker.llen(PROBE_QUEUE)
        killed_at = time.monotonic()
        wait_until(
            lambda: b"now sends the schedule" in standby[1].read_bytes(),
            timeout=30,
            message="the standby to take over",
        )
        time.sleep(5)
        resumed = broker.llen(PROBE_QUEUE) - before
        since_kill = time.monotonic() - killed_at
        # Within the lock timeout (3 s) the standby leads, and then sends one a second.
        assert 2 <= resumed <= since_kill + 1, (resumed, since_kill)
        assert standby[0].poll() is None
    finally:
        for proc, _ in beats:
            _stop(proc)
        broker.delete(PROBE_QUEUE, settings.CELERY_BEAT_LOCK_KEY, "celery")
