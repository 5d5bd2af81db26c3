"""Exactly one Celery beat sends the schedule, however many are started.

Every host may run a beat (so losing a host never stops reminders or reconciliation), but only the holder of a
lock in Redis sends anything. The holder renews the lock on every tick; if it dies or is partitioned, the lock
expires after `CELERY_BEAT_LOCK_TIMEOUT` seconds and a standby takes over, reading the last run times the
leader wrote to the database after each task it sent (`beat_sync_every = 1`), so nothing is sent twice on
takeover. The jobs themselves are idempotent as well: a leader paused past its lock can still send one.
"""

from __future__ import annotations

import contextlib
import logging

import redis
from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler
from redis.exceptions import LockError, LockNotOwnedError, RedisError

logger = logging.getLogger(__name__)


class SingleBeatScheduler(DatabaseScheduler):
    def __init__(self, *args, **kwargs):
        self.lock_timeout = float(getattr(settings, "CELERY_BEAT_LOCK_TIMEOUT", 60))
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        # thread_local=False: the token must survive beat's own threads; it is this process's identity.
        self._lock = client.lock(settings.CELERY_BEAT_LOCK_KEY, timeout=self.lock_timeout, thread_local=False)
        self.leading = False
        super().__init__(*args, **kwargs)

    def setup_schedule(self):
        # The schedule comes from the kernel and each council service's app config (core/registry.py), read
        # here, once Django's apps are loaded, rather than when the Celery app is imported.
        from .registry import beat_schedule

        self.app.conf.beat_schedule = beat_schedule()
        super().setup_schedule()

    def _hold_lock(self) -> bool:
        try:
            if self.leading:
                self._lock.reacquire()
                return True
            if self._lock.acquire(blocking=False):
                logger.info("beat: this process now sends the schedule")
                self.leading = True
                # Another beat may have sent entries while this one waited: read their last runs afresh.
                self._initial_read = True
                self._heap = None
                return True
        except LockNotOwnedError:
            logger.warning("beat: lost the schedule lock; standing by")
        except (RedisError, LockError) as exc:
            # Without Redis nobody can prove they lead; sending nothing is safe, the broker is down anyway.
            logger.warning("beat: cannot reach the lock (%s); standing by", type(exc).__name__)
        self.leading = False
        return False

    def tick(self, *args, **kwargs):
        # Renew well within the timeout, however long the schedule says it could sleep.
        renew_every = self.lock_timeout / 3
        if not self._hold_lock():
            return min(renew_every, self.max_interval)
        return min(super().tick(*args, **kwargs), renew_every)

    def close(self):
        try:
            super().close()
        finally:
            if self.leading:
                with contextlib.suppress(RedisError, LockError):  # it expires by itself anyway
                    self._lock.release()
                self.leading = False
