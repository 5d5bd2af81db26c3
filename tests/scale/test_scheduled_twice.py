"""Every scheduled job is safe to run twice in a row: a beat that takes over from a lost one, or a task
redelivered after its worker died between finishing and acknowledging, sends a job again, and the second
run must change nothing and tell nobody anything twice.

Each job in the beat schedule (the kernel's and every service's, read from the registry so a new job is
covered without editing this file) runs on the demo data, with the tasks it queues run too; then it runs
again, and every table's rows and the mail sent must be exactly as the first run left them.
"""

from __future__ import annotations

import pytest
from celery import current_app
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import connection

from hackney_portal.core import registry

pytestmark = [pytest.mark.scale, pytest.mark.timeout(300)]

# Rows a run writes about itself, not the data it acts on: the scheduler's own bookkeeping.
NOT_COMPARED = {"django_celery_beat_periodictask", "django_celery_beat_periodictasks", "django_session"}
# A second reconciliation of a period is a second check, kept as a run of its own with its audit event (an
# officer can re-run a period too); discrepancies are unique per kind and key, so it finds nothing new and
# repairs nothing twice. Only these two tables may change, by one row each.
RECORDS_OF_A_RUN = {"payments-reconciliation": {"payments_reconciliationrun", "core_auditevent"}}
# A second reconciliation of a period is a second check, kept as a run of its own with its audit event (an
# officer can re-run a period too); discrepancies are unique per kind and key, so it finds nothing new and
# repairs nothing twice. Only these two tables may change, by one row each.
RECORDS_OF_A_RUN = {"payments-reconciliation": {"payments_reconciliationrun", "core_auditevent"}}


def _tables() -> list[str]:
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed}
    return sorted(tables - NOT_COMPARED)


def _state() -> dict[str, str]:
    """Each table's rows, every column, as one digest (so an update is seen as well as an insert)."""
    out = {}
    with connection.cursor() as cur:
        for table in _tables():
            cur.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: S608, E501
            )
            count, digest = cur.fetchone()
            out[table] = f"{count}:{digest}"
    out["mail sent"] = str(len(mail.outbox))
    return out


@pytest.fixture
def eager_tasks():
    """Tasks a job queues on commit run at once in this process, so their effects are compared too."""
    conf = current_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


def _run(task_name: str, capture) -> None:
    with capture(execute=True):
        current_app.tasks[task_name].apply(throw=True)


@pytest.mark.django_db
def test_every_scheduled_job_changes_nothing_when_run_again(eager_tasks, django_capture_on_commit_callbacks):
    call_command("seed_demo", verbosity=0)
    schedule = registry.beat_schedule()
    assert len(schedule) >= 10, sorted(schedule)
    did_work = []
    for name, entry in sorted(schedule.items()):
        before = _state()
        _run(entry["task"], django_capture_on_commit_callbacks)
        after_first = _state()
        if after_first != before:
            did_work.append(name)
        _run(entry["task"], django_capture_on_commit_callbacks)
        after_second = _state()
        changed = {
            k: (after_first[k], after_second[k]) for k in after_first if after_first[k] != after_second[k]
        }
        for table in RECORDS_OF_A_RUN.get(name, set()) & set(changed):
            first, second = (int(v.split(":")[0]) for v in changed.pop(table))
            assert second == first + 1, (name, table, first, second)
        assert not changed, f"{name} changed {sorted(changed)} when run a second time"
    # The test means something only if the jobs found work on the first run.
    assert len(did_work) >= 3, did_work
