"""Scheduled work: deadline reminders, escalation of unassigned cases and retention."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hackney_portal.core.append_only import RETENTION_SETTING
from hackney_portal.core.audit import audit_log
from hackney_portal.core.notifications import notification_send

from .. import selectors
from ..models import Case, Review
from ..rules import Stage
from .common import _today
from .intake import _housing_managers

# ---------------------------------------------------------------------------------------------------------
# Scheduled work


def _officer_and_manager(case: Case) -> list[str]:
    people = [case.assigned_to] if case.assigned_to else []
    if case.assigned_to and case.assigned_to.manager:
        people.append(case.assigned_to.manager)
    return [p.email for p in people if p.is_active]


def _staff_recipients(case: Case, emails: list[str]) -> list[str]:
    """Staff emails about a restricted case go only to people named on it; the team mailbox, read by
    everyone, is replaced by the named officers."""
    allowed = selectors.restricted_case_recipients(case, emails or [settings.HOMELESSNESS_TEAM_EMAIL])
    if case.restriction and not allowed:
        allowed = sorted(case.named_officers.filter(is_active=True).values_list("email", flat=True))
    if case.restricted_team and not allowed:
        allowed = sorted(selectors.restricted_team_officers().values_list("email", flat=True))
        if settings.HOMELESSNESS_RESTRICTED_TEAM_EMAIL:
            allowed.append(settings.HOMELESSNESS_RESTRICTED_TEAM_EMAIL)
    return allowed


def deadline_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the officer and their manager of duties ending and reviews due within 7 days, once each."""
    today = today or _today()
    soon = today + dt.timedelta(days=7)
    sent = 0
    cases = Case.objects.filter(
        stage__in=[Stage.PREVENTION, Stage.RELIEF], duty_deadline__lte=soon
    ).select_related("assigned_to__manager")
    for case in cases:
        for email in _staff_recipients(case, _officer_and_manager(case)):
            with transaction.atomic():
                notification_send(
                    template="homelessness/email/deadline",
                    to=email,
                    context={
                        "case": case,
                        "what": "duty ends",
                        "due": case.duty_deadline,
                        "overdue": case.duty_deadline < today,
                    },
                    key=f"homelessness.deadline:{case.pk}:{case.duty_deadline}:{email}",
                )
            sent += 1
    for review in Review.objects.filter(decided_on__isnull=True, due_on__lte=soon).select_related(
        "case__assigned_to__manager"
    ):
        for email in _staff_recipients(review.case, _officer_and_manager(review.case)):
            with transaction.atomic():
                notification_send(
                    template="homelessness/email/deadline",
                    to=email,
                    context={
                        "case": review.case,
                        "what": "review decision due",
                        "due": review.due_on,
                        "overdue": review.due_on < today,
                    },
                    key=f"homelessness.review_due:{review.pk}:{email}",
                )
            sent += 1
    return sent


def add_working_days(moment: dt.datetime, days: int) -> dt.datetime:
    """Saturdays and Sundays do not count (bank holidays are not modelled)."""
    moment = timezone.localtime(moment)
    while days:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def unassigned_escalate(*, now: dt.datetime | None = None) -> int:
    """Cases nobody has picked up within a working day go to the housing managers, once per case."""
    now = now or timezone.now()
    managers = [u.email for u in _housing_managers()] or [settings.HOMELESSNESS_TEAM_EMAIL]
    count = 0
    due = Case.objects.filter(
        assigned_to__isnull=True, escalated_at__isnull=True, created_at__lt=now - dt.timedelta(days=1)
    ).exclude(stage=Stage.CLOSED)
    for pk, created_at in list(due.values_list("pk", "created_at")):
        if add_working_days(created_at, 1) > now:
            continue
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.escalated_at or case.assigned_to_id:
                continue
            recipients = _staff_recipients(case, managers)
            for email in recipients:
                notification_send(
                    template="homelessness/email/unassigned",
                    to=email,
                    context={"case": case},
                    key=f"homelessness.unassigned:{case.pk}:{email}",
                )
            case.escalated_at = now
            case.save(update_fields=["escalated_at"])
            audit_log(actor=None, action="homelessness.case.escalated", obj=case, data={"to": recipients})
        count += 1
    return count


def cases_retention_delete(*, today: dt.date | None = None) -> int:
    """Delete cases closed longer ago than the retention period, unless on legal hold or under review, with
    the messages about them."""
    today = today or _today()
    years = settings.HOMELESSNESS_RETENTION_YEARS
    cutoff = selectors.years_before(today, years)
    due = (
        Case.objects.filter(stage=Stage.CLOSED, closed_on__lt=cutoff, legal_hold=False)
        .exclude(reviews__decided_on__isnull=True, reviews__isnull=False)
        .values_list("pk", flat=True)
    )
    deleted = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(pk=pk).first()
            if case is None or case.legal_hold:
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {RETENTION_SETTING} = 'on'")
            for doc in case.documents.all():
                doc.file.delete(save=False)
            # Its messages are letters and case updates: they go with it. Which they are is read before its
            # letters and requests go; they are deleted after it, as its case messages protect them.
            messages = selectors.notifications_about_cases([case.pk])
            # About the case, so hidden once it has gone; whether it was restricted is kept for the audit
            # scope, which hides the case lists that showed a restricted case's reference.
            audit_log(
                actor=None,
                action=selectors.RETENTION_DELETED,
                obj=case,
                data={
                    "reference": case.reference,
                    "closed_on": str(case.closed_on),
                    "retention_years": years,
                    "restricted": bool(case.restriction),
                },
            )
            case.delete()
            messages.delete()
            with connection.cursor() as cursor:
                # SET LOCAL lasts to the end of the outermost transaction: switch it off again at once.
                cursor.execute(f"SET LOCAL {RETENTION_SETTING} = 'off'")
            deleted += 1
    return deleted
