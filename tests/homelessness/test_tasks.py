"""Beat jobs: deadline reminders, escalation of unassigned cases, and retention with legal hold."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from hackney_portal.core.models import AuditEvent, Notification
from homelessness import services
from homelessness.models import Case, DecisionLetter
from homelessness.rules import AssessmentOutcome, CloseReason, Stage

pytestmark = pytest.mark.django_db


def test_deadline_reminders_go_to_the_officer_and_their_manager_once(make_case, officer, manager):
    officer.manager = manager
    officer.save()
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    services.case_record_assessment(
        case=case, actor=officer, eligible=True, outcome=AssessmentOutcome.THREATENED
    )
    services.case_move(case=case, actor=officer, to_stage=Stage.PREVENTION, reasons="The duty is owed.")
    today = timezone.localdate()
    assert services.deadline_reminders_send(today=today) == 0  # 56 days away
    later = today + dt.timedelta(days=50)
    assert services.deadline_reminders_send(today=later) == 2
    services.deadline_reminders_send(today=later)
    sent = Notification.objects.filter(template="homelessness/email/deadline")
    assert sorted(sent.values_list("to", flat=True)) == sorted([officer.email, manager.email])


def test_unassigned_cases_older_than_a_working_day_are_escalated_once(make_case, manager):
    case = make_case()
    friday_evening = timezone.make_aware(dt.datetime(2026, 11, 20, 18, 0))
    Case.objects.filter(pk=case.pk).update(created_at=friday_evening)
    saturday = timezone.make_aware(dt.datetime(2026, 11, 21, 19, 0))
    assert services.unassigned_escalate(now=saturday) == 0  # not a working day later yet
    monday = timezone.make_aware(dt.datetime(2026, 11, 23, 19, 0))
    assert services.unassigned_escalate(now=monday) == 1
    assert services.unassigned_escalate(now=monday) == 0
    note = Notification.objects.get(template="homelessness/email/unassigned")
    assert note.to == manager.email
    assert AuditEvent.objects.filter(action="homelessness.case.escalated").count() == 1


def _closed(make_case, officer, closed_on):
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    services.case_record_assessment(
        case=case, actor=officer, eligible=True, outcome=AssessmentOutcome.NEITHER
    )
    services.case_move(
        case=case,
        actor=officer,
        to_stage=Stage.CLOSED,
        end_reason=CloseReason.NOT_HOMELESS,
        reasons="Not threatened.",
    )
    Case.objects.filter(pk=case.pk).update(closed_on=closed_on)
    return Case.objects.get(pk=case.pk)


def test_retention_deletes_old_closed_cases_unless_on_hold_or_under_review(
    make_case, officer, colleague, manager, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    old = _closed(make_case, officer, today - dt.timedelta(days=365 * 7))
    doc = services.document_upload(case=old, actor=None, upload=ContentFile(b"%PDF-1.4\n%%EOF", name="a.pdf"))
    held = _closed(make_case, officer, today - dt.timedelta(days=365 * 7))
    services.case_legal_hold_set(case=held, actor=manager, hold=True, reason="County court appeal")
    reviewed = _closed(make_case, officer, today - dt.timedelta(days=365 * 7))
    services.review_request(
        letter=DecisionLetter.objects.get(case=reviewed),
        actor=officer,
        requested_on=DecisionLetter.objects.get(case=reviewed).issued_on,
        kind="standard",
    )
    recent = _closed(make_case, officer, today - dt.timedelta(days=365 * 5))
    file_path = doc.file.path

    assert services.cases_retention_delete(today=today) == 1
    assert set(Case.objects.values_list("pk", flat=True)) == {held.pk, reviewed.pk, recent.pk}
    assert not DecisionLetter.objects.filter(case_id=old.pk).exists()
    import os

    assert not os.path.exists(file_path)
    event = AuditEvent.objects.get(action="homelessness.case.deleted_by_retention")
    assert event.data["reference"] == old.reference
    # Outside the retention job, letters still cannot be deleted.
    with pytest.raises(Exception, match="append-only"):
        DecisionLetter.objects.filter(case=held).delete()
