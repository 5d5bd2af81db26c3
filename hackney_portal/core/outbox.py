"""Queue Celery tasks reliably: record them in the transaction, send them after commit.

`enqueue()` is how every service schedules work. The task row commits with the data it refers to; after
commit we try to hand it to Celery at once. If Redis is unreachable the row waits and
`outbox_dispatch_pending` (beat, every minute) sends it when Redis is back. Tasks must be idempotent.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from django.utils import timezone

from .models import OutboxTask

log = logging.getLogger(__name__)


def enqueue(task_name: str, *args, **kwargs) -> OutboxTask:
    row = OutboxTask.objects.create(task_name=task_name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: _dispatch(row.pk))
    return row


def _dispatch(pk: int) -> bool:
    row = OutboxTask.objects.filter(pk=pk, dispatched_at__isnull=True).first()
    if row is None:
        return False
    if current_app.conf.task_always_eager:
        # Unit tests run the task in-process; its errors must surface, not look like a broker outage.
        current_app.tasks[row.task_name].apply(args=row.args, kwargs=row.kwargs, throw=True)
        OutboxTask.objects.filter(pk=pk).update(dispatched_at=timezone.now(), attempts=row.attempts + 1)
        return True
    try:
        current_app.send_task(row.task_name, args=row.args, kwargs=row.kwargs, retry=False)
    except Exception as exc:  # noqa: BLE001 - the broker is down: leave the row for the dispatcher
        OutboxTask.objects.filter(pk=pk).update(attempts=row.attempts + 1)
        log.warning(
            "outbox: could not queue %s (%s: %s); will retry",
            row.task_name,
            type(exc).__name__,
            str(exc)[:200],
        )
        return False
    OutboxTask.objects.filter(pk=pk).update(dispatched_at=timezone.now(), attempts=row.attempts + 1)
    return True


def outbox_dispatch_pending(*, limit: int = 500) -> int:
    """Send tasks whose first dispatch failed. Returns how many were sent."""
    sent = 0
    with transaction.atomic():
        # SKIP LOCKED lets two dispatchers run at once without sending the same row twice.
        pks = list(
            OutboxTask.objects.select_for_update(skip_locked=True)
            .filter(dispatched_at__isnull=True)
            .values_list("pk", flat=True)[:limit]
        )
        for pk in pks:
            if not _dispatch(pk):
                break
            sent += 1
    return sent
