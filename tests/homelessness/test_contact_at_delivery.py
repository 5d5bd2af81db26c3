"""The applicant's safe-contact answers govern a message when it is delivered, not only when it was queued:
a worker down for an hour, or a retry, must not send what they have since ruled out."""

import pytest
from django.utils import timezone

from hackney_portal.core.models import AuditEvent, Notification
from hackney_portal.core.notifications import notification_deliver
from homelessness import services
from homelessness.models import Case, CaseMessage

pytestmark = pytest.mark.django_db


def _queued(case, officer) -> Notification:
    services.document_request_create(case=case, actor=officer, description="ID", due_on=timezone.localdate())
    note = CaseMessage.objects.get(case=case, template="homelessness/email/document_request").notification
    assert note.status == Notification.Status.PENDING  # recorded, waiting for the worker
    return note


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"no_messages": True}, "must not send them any messages"),
        ({"safe_method": "phone"}, "not safe"),
        ({"contact_email": "new@example.org"}, "email address changed"),
    ],
)
def test_a_message_queued_before_the_answers_changed_is_held_not_sent(
    make_case, officer, mailbox, change, reason
):
    case = make_case()
    note = _queued(case, officer)
    Case.objects.filter(pk=case.pk).update(**change)
    notification_deliver(notification_id=note.pk)
    note.refresh_from_db()
    assert note.status == Notification.Status.HELD
    assert reason in note.held_reason
    assert mailbox == []
    # Officers see it held on the case, and why, as a message held when it was queued.
    assert reason in CaseMessage.objects.get(notification=note).held_reason
    assert AuditEvent.objects.filter(action="homelessness.message.held", object_id=str(case.pk)).exists()


def test_a_message_the_answers_still_allow_is_sent(make_case, officer, mailbox):
    case = make_case()
    note = _queued(case, officer)
    notification_deliver(notification_id=note.pk)
    note.refresh_from_db()
    assert note.status == Notification.Status.SENT
    assert [m.to for m in mailbox] == [[case.contact_email]]
