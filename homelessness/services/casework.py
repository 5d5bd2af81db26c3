"""Officers' casework: access records, assignment, assessments, restriction, legal hold, notes, plans,
placements.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError

from .. import rules, selectors
from ..models import Assessment, Case, CaseNote, Code, DecisionLetter, PlanStep, TemporaryAccommodation
from ..rules import Stage
from .common import _is_housing_staff, _lock, _require_officer, _restrict, _today, officer_seniority

# ---------------------------------------------------------------------------------------------------------
# Officers


def letter_download_record(*, letter: DecisionLetter, actor, fmt: str) -> None:
    """An applicant or officer opened a letter (on the page or as a PDF): a read of case data, logged."""
    audit_log(
        actor=actor,
        action="homelessness.letter.opened",
        obj=letter.case,
        data={"letter": letter.pk, "format": fmt},
    )


def case_view_record(*, case: Case, actor, what: str = "viewed", data: dict | None = None) -> None:
    """Every read of a case by staff is logged (who, when, what), in its own transaction."""
    audit_log(
        actor=actor, action=f"homelessness.case.{what}", obj=case, data=data or {"reference": case.reference}
    )


def case_list_record(*, actor, references: list[str], query: str) -> None:
    audit_log(
        actor=actor, action="homelessness.case.listed", data={"references": references, "query": query[:500]}
    )


def case_access_denied(*, actor, case_id, document_id=None) -> None:
    """A member of staff asked for a case they may not see, or for a document through a case it is not on:
    refused (the 404 is logged by AccessDeniedLogMiddleware), and the attempt kept in the audit log."""
    data = {"case_id": str(case_id)[:20]}
    if document_id is not None:
        data["document_id"] = str(document_id)[:20]
    audit_log(actor=actor, action="homelessness.case.access_denied", data=data)


def hclic_download_record(*, actor, export, which: str) -> None:
    """Who took which file of a return. Not how many restricted cases their copy left out: the audit log is
    read by administrators who are not named on those cases, and a count says they exist. What a download
    held follows from the snapshot and the restrictions in force then, which are audited themselves."""
    audit_log(actor=actor, action="homelessness.hclic.downloaded", obj=export, data={"file": which})


@transaction.atomic
def case_assign(*, case: Case, officer, actor) -> Case:
    _require_officer(actor)
    if not _is_housing_staff(officer):
        raise ApplicationError("Cases can only be assigned to housing officers.", field="officer")
    case = _lock(case)
    if case.restricted_team and not selectors.restricted_team_officers().filter(pk=officer.pk).exists():
        raise ApplicationError(
            "This case can only be assigned to an officer of the restricted cases team.", field="officer"
        )
    if case.stage == Stage.CLOSED:
        raise ApplicationError("This case is closed.")
    if case.restriction and not case.named_officers.filter(pk=officer.pk).exists():
        case.named_officers.add(officer)  # the assignee must be able to see the case they are given
    previous = case.assigned_to
    case.assigned_to = officer
    case.assigned_at = timezone.now()
    update = ["assigned_to", "assigned_at"]
    if case.stage == Stage.RECEIVED:
        # Picking up a new case starts triage (s.184: inquiries begin when there is reason to believe).
        case.stage = Stage.TRIAGE
        case.triage_started_on = _today()
        update += ["stage", "triage_started_on"]
    case.save(update_fields=update)
    audit_log(
        actor=actor,
        action="homelessness.case.assigned",
        obj=case,
        data={"to": officer.email, "from": previous.email if previous else None},
    )
    return case


@transaction.atomic
def case_record_assessment(
    *,
    case: Case,
    actor,
    eligible: bool,
    outcome: str,
    priority_need: str = "",
    household_type: str = "",
    reason_loss: str = "",
    accommodation_at_application: str = "",
    support_needs: list[str] | None = None,
) -> Case:
    """The s.184 inquiries and s.189A assessment: eligibility, homelessness, priority need, needs."""
    _require_officer(actor)
    case = _lock(case)
    if case.stage not in (Stage.TRIAGE, Stage.ASSESSMENT, Stage.PREVENTION, Stage.RELIEF):
        raise ApplicationError("An assessment is recorded at triage, or kept under review during a duty.")
    if outcome not in rules.AssessmentOutcome.values:
        raise ApplicationError("Choose the outcome of the assessment.", field="outcome")
    if not eligible and outcome != rules.AssessmentOutcome.NOT_ELIGIBLE:
        raise ApplicationError(
            "An applicant who is not eligible has the outcome “Not eligible”.", field="outcome"
        )
    case.eligible = eligible
    case.assessment_outcome = outcome
    case.priority_need = priority_need
    for name, value in (
        ("household_type", household_type),
        ("reason_loss", reason_loss),
        ("accommodation_at_application", accommodation_at_application),
    ):
        if value:
            setattr(case, name, value)
    if support_needs is not None:
        case.support_needs = sorted(support_needs)
    first = case.assessed_on is None
    if first:
        case.assessed_on = _today()
    if case.stage == Stage.TRIAGE:
        case.stage = Stage.ASSESSMENT
    if priority_need and "priority_need" not in case.flags:
        case.flags = [*case.flags, "priority_need"]
    if (
        eligible
        and outcome == rules.AssessmentOutcome.HOMELESS
        and priority_need
        and "interim_s188" not in case.flags
    ):
        # s.188: reason to believe homeless, eligible and in priority need means accommodation now.
        case.flags = [*case.flags, "interim_s188"]
        case.urgent = True
    case.save()
    # s.189A: the initial assessment and each review of it is kept, dated, with who made it.
    assessment = Assessment.objects.create(
        case=case,
        kind=Assessment.Kind.INITIAL
        if first or not case.assessments.filter(kind=Assessment.Kind.INITIAL).exists()
        else Assessment.Kind.REVIEW,
        assessed_on=_today(),
        made_by=actor,
        eligible=eligible,
        outcome=outcome,
        priority_need=priority_need,
        household_type=case.household_type,
        accommodation_at_application=case.accommodation_at_application,
        reason_loss=case.reason_loss,
        support_needs=list(case.support_needs or []),
    )
    audit_log(
        actor=actor,
        action="homelessness.case.assessed",
        obj=case,
        data={
            "eligible": eligible,
            "outcome": outcome,
            "priority_need": priority_need,
            "assessment": assessment.pk,
            "kind": assessment.kind,
        },
    )
    return case


@transaction.atomic
def case_restrict(*, case: Case, actor, restriction: str, officers) -> Case:
    if officer_seniority(actor) < 2:
        raise ApplicationError("Only a housing manager can restrict a case.")
    case = _lock(case)
    _restrict(case, restriction, [actor, *officers], actor)
    return case


@transaction.atomic
def case_legal_hold_set(*, case: Case, actor, hold: bool, reason: str) -> Case:
    """Keep a case past its retention date (a review, an appeal, a claim), or let it go again: a housing
    manager's decision, with the reason kept on the case and in the audit log."""
    if officer_seniority(actor) < 2:
        raise ApplicationError("Only a housing manager can put a case on legal hold or lift the hold.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError(
            "Give the reason for putting the case on legal hold or lifting it.", field="reason"
        )
    if len(reason) > 500:
        raise ApplicationError("The reason must be 500 characters or fewer.", field="reason")
    case = _lock(case)
    if case.legal_hold == hold:
        raise ApplicationError(
            "The case is already on legal hold." if hold else "The case is not on legal hold."
        )
    case.legal_hold = hold
    case.legal_hold_reason = reason
    case.legal_hold_by = actor
    case.legal_hold_on = _today()
    case.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_by", "legal_hold_on"])
    audit_log(
        actor=actor, action="homelessness.case.legal_hold", obj=case, data={"hold": hold, "reason": reason}
    )
    return case


@transaction.atomic
def case_note_add(*, case: Case, actor, text: str) -> CaseNote:
    _require_officer(actor)
    if not text.strip():
        raise ApplicationError("Enter the note.", field="text")
    note = CaseNote.objects.create(case=case, author=actor, text=text.strip())
    audit_log(actor=actor, action="homelessness.note.added", obj=case, data={"note": note.pk})
    return note


@transaction.atomic
def plan_step_add(*, case: Case, actor, owner: str, text: str, due_on: dt.date) -> PlanStep:
    """A step of the Personalised Housing Plan (s.189A(4)): what the applicant and the council will do."""
    _require_officer(actor)
    step = PlanStep.objects.create(case=case, owner=owner, text=text, due_on=due_on, created_by=actor)
    audit_log(
        actor=actor, action="homelessness.plan.step_added", obj=case, data={"step": step.pk, "owner": owner}
    )
    return step


@transaction.atomic
def plan_step_complete(*, step: PlanStep, actor, done: bool = True) -> PlanStep:
    step = PlanStep.objects.select_for_update().get(pk=step.pk)
    step.done_at = timezone.now() if done else None
    step.save(update_fields=["done_at"])
    audit_log(
        actor=actor, action="homelessness.plan.step_done", obj=step.case, data={"step": step.pk, "done": done}
    )
    return step


@transaction.atomic
def placement_add(
    *, case: Case, actor, kind: str, start_on: dt.date, in_borough: bool, children: int
) -> TemporaryAccommodation:
    _require_officer(actor)
    placement = TemporaryAccommodation.objects.create(
        case=case, kind=kind, start_on=start_on, in_borough=in_borough, children=children
    )
    audit_log(actor=actor, action="homelessness.placement.added", obj=case, data={"placement": placement.pk})
    return placement


@transaction.atomic
def case_duty_outcome_record(
    *,
    case: Case,
    actor,
    prevention_activity: str = "",
    relief_activity: str = "",
    accommodation_secured: str = "",
) -> Case:
    """What the prevention and relief work came to, for H-CLIC (15.11): the main activity of each duty and the
    accommodation secured when a duty ended that way, as codes of the current "activity" and
    "accommodation_secured" lists. A blank answer clears what was recorded."""
    _require_officer(actor)
    case = _lock(case)
    answers = {
        "prevention_activity": ("activity", prevention_activity),
        "relief_activity": ("activity", relief_activity),
        "accommodation_secured": ("accommodation_secured", accommodation_secured),
    }
    for field, (list_name, code) in answers.items():
        if code and not Code.objects.filter(code_list__name=list_name, code=code).exists():
            raise ApplicationError("Choose one of the options.", field=field)
    if prevention_activity and not case.prevention_start:
        raise ApplicationError("This case has had no prevention duty.", field="prevention_activity")
    if relief_activity and not case.relief_start:
        raise ApplicationError("This case has had no relief duty.", field="relief_activity")
    for field, (_, code) in answers.items():
        setattr(case, field, code)
    case.save(update_fields=list(answers))
    audit_log(
        actor=actor,
        action="homelessness.case.duty_outcome_recorded",
        obj=case,
        data={field: code for field, (_, code) in answers.items()},
    )
    return case
