"""`rows_update`: many rows written in one statement, each with its own values, constraints still checked."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from hackney_portal.core.bulk import rows_update
from hackney_portal.core.models import Notification, OutboxTask

pytestmark = pytest.mark.django_db


def _notifications(n: int) -> list[Notification]:
    return [
        Notification.objects.create(
            key=f"bulk-{uuid.uuid4()}", template="t", to=f"p{i}@example.org", subject="s", body=f"body {i}"
        )
        for i in range(n)
    ]


def test_each_row_gets_its_own_values_in_one_statement_and_other_rows_are_untouched():
    rows = _notifications(5)
    bystander = rows.pop()
    sent_at = dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC)
    for i, row in enumerate(rows):
        row.attempts = i + 1
        row.status = Notification.Status.SENT if i % 2 else Notification.Status.FAILED
        row.sent_at = sent_at + dt.timedelta(minutes=i) if i % 2 else None
        row.body = f"new body {i} with a 'quote' and ; DROP TABLE"
    with CaptureQueriesContext(connection) as queries:
        assert rows_update(Notification, rows, ["attempts", "status", "sent_at", "body"]) == 4
    assert len(queries) == 1
    for i, row in enumerate(Notification.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")):
        assert row.attempts == i + 1
        assert row.status == ("sent" if i % 2 else "failed")
        assert row.sent_at == (sent_at + dt.timedelta(minutes=i) if i % 2 else None)
        # Prepared as save() prepares it: the encrypted field is stored encrypted and reads back whole.
        assert row.body == f"new body {i} with a 'quote' and ; DROP TABLE"
    bystander.refresh_from_db()
    assert (bystander.attempts, bystander.status, bystander.body) == (0, "pending", "body 4")


def test_the_databases_own_checks_still_apply_and_a_failure_writes_nothing():
    rows = _notifications(3)
    rows[0].status = Notification.Status.FAILED
    rows[1].status = Notification.Status.SENT  # without sent_at: the check constraint refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_update(Notification, rows, ["status"])
    assert set(Notification.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)) == {
        "pending"
    }


def test_a_value_too_long_for_its_column_is_refused_not_cut_short():
    [row] = _notifications(1)
    row.to = "x" * 255
    with pytest.raises(DataError), transaction.atomic():
        rows_update(Notification, [row], ["to"])


def test_nothing_to_write_runs_no_statement_and_a_json_field_is_refused():
    with CaptureQueriesContext(connection) as queries:
        assert rows_update(Notification, [], ["status"]) == 0
    assert not queries
    task = OutboxTask.objects.create(task_name="x", args=[1])
    with pytest.raises(ValueError, match="args"):
        rows_update(OutboxTask, [task], ["args"])


def test_an_unsaved_row_or_the_same_row_twice_is_refused_before_anything_is_written():
    [row] = _notifications(1)
    row.status = Notification.Status.FAILED
    same = Notification.objects.get(pk=row.pk)
    with CaptureQueriesContext(connection) as queries:
        with pytest.raises(ValueError, match="no primary key"):
            rows_update(Notification, [row, Notification(key="new")], ["status"])
        with pytest.raises(ValueError, match="twice"):
            rows_update(Notification, [row, same], ["status"])
    assert not queries
    row.refresh_from_db()
    assert row.status == "pending"
