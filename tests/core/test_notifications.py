from pathlib import Path

import pytest
from django.db import transaction

from hackney_portal.core.models import AuditEvent, Notification, OutboxTask
from hackney_portal.core.notifications import notification_deliver, notification_send
from tests.conftest import wait_until


def _send(key="welcome:1", to="person@example.org"):
    return notification_send(template="core/email/test_message", to=to, context={"name": "Rita"}, key=key)


@pytest.mark.django_db
def test_message_is_recorded_rendered_and_sent_after_commit(mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = _send()
        assert mailbox == []  # nothing leaves before the transaction commits
    note.refresh_from_db()
    assert note.status == Notification.Status.SENT
    assert note.sent_at is not None
    assert len(mailbox) == 1
    assert mailbox[0].to == ["person@example.org"]
    assert "Rita" in mailbox[0].body


@pytest.mark.django_db
def test_same_key_twice_records_and_sends_once(mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _send()
        second = _send()
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(mailbox) == 1


@pytest.mark.django_db
def test_delivering_again_after_success_sends_nothing(mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = _send()
    notification_deliver(notification_id=note.pk)
    notification_deliver(notification_id=note.pk)
    assert len(mailbox) == 1


@pytest.mark.django_db
def test_nothing_is_recorded_when_the_callers_transaction_rolls_back(mailbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        _send()
        raise RuntimeError("the service failed half-way")
    assert Notification.objects.count() == 0
    assert OutboxTask.objects.count() == 0


@pytest.mark.integration
def test_real_worker_delivers_through_redis_to_the_mail_folder(celery_worker, settings):
    mail_dir = Path(celery_worker.env["PORTAL_EMAIL_FILE_PATH"])
    before = set(mail_dir.glob("*.log")) if mail_dir.exists() else set()
    with transaction.atomic():
        note = _send(key="integration:1", to="worker@example.org")
    wait_until(lambda: Notification.objects.get(pk=note.pk).status == "sent", message="worker to send")
    new_files = set(mail_dir.glob("*.log")) - before
    assert any("worker@example.org" in f.read_text() for f in new_files)
    assert OutboxTask.objects.get(args=[note.pk]).dispatched_at is not None


def _reset_pool(app):
    # Celery caches broker connections; drop them so the next send uses the new broker URL.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_outbox_keeps_tasks_while_redis_is_down_and_sends_them_later(settings):
    from hackney_portal.celery import app
    from hackney_portal.core.outbox import outbox_dispatch_pending
    from hackney_portal.devservices import free_port

    real_broker = app.conf.broker_url
    app.conf.task_always_eager = False
    try:
        app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
        _reset_pool(app)
        with transaction.atomic():
            note = _send(key="outage:1")
        row = OutboxTask.objects.get(args=[note.pk])
        assert row.dispatched_at is None  # the request succeeded and the task is kept
        assert row.attempts == 1
    finally:
        app.conf.broker_url = real_broker
        _reset_pool(app)
    assert outbox_dispatch_pending() == 1
    row.refresh_from_db()
    assert row.dispatched_at is not None


@pytest.mark.django_db
def test_audit_log_is_append_only_in_the_database():
    from django.db import DatabaseError

    event = AuditEvent.objects.create(action="test.thing", data={"a": 1})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.thing"


@pytest.mark.django_db
def test_plain_text_is_sent_as_written_and_only_the_html_part_is_escaped(
    mailbox, django_capture_on_commit_callbacks
):
    from types import SimpleNamespace

    title = "O'Brien & Sons <b>chef</b>"
    opp = SimpleNamespace(title=title, rejection_reason='Say "hours" & pay')
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(
            template="employment/email/rejected", to="boss@example.org", context={"opp": opp}, key="t:1"
        )
    (message,) = mailbox
    assert message.subject == f'Your listing "{title}" was not published'
    assert title in message.body
    assert 'Say "hours" & pay' in message.body
    assert "&amp;" not in message.body + message.subject
    assert "&#x27;" not in message.body + message.subject
