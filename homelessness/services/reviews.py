"""Non-cooperation (s.193B) and reviews of decisions (s.202)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError

from .. import rules
from ..models import Case, DecisionLetter, NonCooperationNotice, Review
from ..rules import Stage
from .common import _lock, _require_officer, _today, officer_seniority
from .decisions import NOT_REVIEWABLE, letter_issue


@transaction.atomic
def case_noncooperation_warn(*, case: Case, actor, reasons: str) -> DecisionLetter:
    """s.193B(4): before a non-cooperation notice, a written warning of what will happen if the applicant
    still refuses, and a reasonable period (`rules.NONCOOPERATION_WARNING_DAYS`) to put it right."""
    _require_officer(actor)
    case = _lock(case)
    if case.stage not in (Stage.PREVENTION, Stage.RELIEF):
        raise ApplicationError(
            "A non-cooperation warning is given during a prevention or relief duty (s.193B)."
        )
    return letter_issue(
        case=case,
        actor=actor,
        kind=DecisionLetter.Kind.NONCOOP_WARNING,
        reasons=reasons,
        extra={
            "duty": Stage(case.stage).label,
            "respond_by": _today() + dt.timedelta(days=rules.NONCOOPERATION_WARNING_DAYS),
        },
    )


@transaction.atomic
def noncooperation_propose(*, case: Case, actor, reasons: str) -> NonCooperationNotice:
    _require_officer(actor)
    case = _lock(case)
    if case.stage not in (Stage.PREVENTION, Stage.RELIEF):
        raise ApplicationError("A non-cooperation notice ends a prevention or relief duty (s.193B).")
    if not reasons.strip():
        raise ApplicationError("Give the reasons for the notice.", field="reasons")
    notice = NonCooperationNotice.objects.create(case=case, proposed_by=actor, reasons=reasons.strip())
    audit_log(
        actor=actor, action="homelessness.noncooperation.proposed", obj=case, data={"notice": notice.pk}
    )
    return notice


@transaction.atomic
def noncooperation_approve(*, notice: NonCooperationNotice, actor) -> NonCooperationNotice:
    """s.193B: a second officer, at least as senior and not involved, must approve the notice."""
    notice = NonCooperationNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.approved_at:
        return notice
    if notice.proposed_by_id == actor.pk:
        raise ApplicationError("A second officer must approve a notice you proposed.")
    if not actor.has_perm("homelessness.approve_noncooperation"):
        raise ApplicationError("Only a senior officer can approve a non-cooperation notice.")
    if officer_seniority(actor) < officer_seniority(notice.proposed_by):
        raise ApplicationError("The approving officer must be at least as senior as the proposing officer.")
    notice.approved_by = actor
    notice.approved_at = timezone.now()
    notice.save(update_fields=["approved_by", "approved_at"])
    audit_log(
        actor=actor,
        action="homelessness.noncooperation.approved",
        obj=notice.case,
        data={"notice": notice.pk},
    )
    return notice


@transaction.atomic
def review_request(
    *,
    letter: DecisionLetter,
    actor,
    requested_on: dt.date,
    kind: str,
    late_reason: str = "",
    notified_on: dt.date | None = None,
) -> Review:
    """s.202(3): a review requested within 21 days of the applicant being notified of the decision, or later
    if the council allows it in writing: a late request is accepted at the officer's discretion, with the
    reason recorded. `notified_on` is the day they were told when that was after the letter's date (its email
    was held, say); the 21 days begin then."""
    _require_officer(actor)
    if letter.kind in NOT_REVIEWABLE:
        raise ApplicationError(
            "This letter is not a decision that can be reviewed (a review decision is appealed to the county"
            " court, s.204).",
            field="letter",
        )
    late_reason = (late_reason or "").strip()
    if requested_on < letter.issued_on:
        raise ApplicationError(
            "A review cannot be requested before the decision was made.", field="requested_on"
        )
    if notified_on is not None and notified_on < letter.issued_on:
        raise ApplicationError(
            "The applicant cannot have been told of the decision before the letter's date.",
            field="notified_on",
        )
    if notified_on == letter.issued_on:
        notified_on = None  # told on the letter's own day: its deadline stands
    if notified_on is not None and notified_on > requested_on:
        raise ApplicationError(
            "The day the applicant was told of the decision must be on or before the day they asked for the"
            " review.",
            field="notified_on",
        )
    deadline = (
        rules.review_request_deadline(notified_on) if notified_on is not None else letter.review_deadline
    )
    late = requested_on > deadline
    if late and not late_reason:
        raise ApplicationError(
            f"The request is out of time: reviews must be asked for by {deadline:%-d %B %Y}."
            " To accept it anyway (s.202(3)), give the reason.",
            field="late_reason",
        )
    if Review.objects.filter(letter=letter, decided_on__isnull=True).exists():
        raise ApplicationError("A review of this decision is already open.")
    review = Review.objects.create(
        case=letter.case,
        letter=letter,
        kind=kind,
        requested_on=requested_on,
        notified_on=notified_on,
        due_on=rules.review_decision_due(requested_on=requested_on, kind=kind),
        original_decider=letter.issued_by,
        late_reason=late_reason if late else "",
        late_accepted_by=actor if late else None,
    )
    audit_log(
        actor=actor,
        action="homelessness.review.requested",
        obj=letter.case,
        data={
            "review": review.pk,
            "late": late,
            "late_reason": late_reason if late else "",
            "notified_on": notified_on.isoformat() if notified_on else None,
        },
    )
    return review


@transaction.atomic
def review_decide(*, review: Review, actor, outcome: str, reasons: str) -> Review:
    _require_officer(actor)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.decided_on:
        raise ApplicationError("This review has been decided.")
    if review.original_decider_id == actor.pk:
        raise ApplicationError("A review must be decided by someone who did not take the original decision.")
    if not reasons.strip():
        raise ApplicationError("Give the reasons for the review decision.", field="reasons")
    review.reviewer = actor
    review.outcome = outcome
    review.reasons = reasons.strip()
    review.decided_on = _today()
    review.save()
    audit_log(actor=actor, action="homelessness.review.decided", obj=review.case, data={"outcome": outcome})
    if outcome != Review.Outcome.WITHDRAWN:
        # s.203(3)-(5): the applicant is notified of the review decision, with reasons, and of the right to
        # appeal to the county court on a point of law within 21 days (s.204(2)).
        letter_issue(
            case=review.case,
            actor=actor,
            kind=DecisionLetter.Kind.REVIEW_DECISION,
            reasons=review.reasons,
            extra={"original": review.letter, "outcome": review.get_outcome_display()},
        )
    return review
