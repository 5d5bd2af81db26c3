"""Decisions notified in writing: letters, stage moves, duties accepted and ended, intentionality, local
connection.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.hostile import strip_control
from hackney_portal.core.models import Notification
from hackney_portal.core.notifications import notification_send

from .. import rules
from ..contact import Channel
from ..models import Case, DecisionLetter, Referral
from ..rules import CloseReason, Stage
from .common import (
    _case_message_record,
    _lock,
    _referrer_contact_check,
    _require_officer,
    _today,
    case_message_send,
)


def _render_letter(
    case: Case, kind: str, decision: str, reasons: str, issued_on: dt.date, extra: dict | None = None
) -> str:
    return render_to_string(
        f"homelessness/letters/{kind}.txt",
        {
            "case": case,
            "decision": CloseReason(decision).label if decision in CloseReason.values else "",
            "reasons": reasons,
            "issued_on": issued_on,
            "review_deadline": rules.letter_deadline(kind=kind, issued_on=issued_on),
            "council": settings.COUNCIL,
            **(extra or {}),
        },
    )


def letter_issue(
    *, case: Case, actor, kind: str, reasons: str, decision: str = "", extra: dict | None = None
) -> DecisionLetter:
    """Decision letters always carry reasons, review rights and the 21-day deadline (s.184(3), s.202)."""
    reasons = strip_control(reasons or "").strip()  # views strip them too; services can be called directly
    if not reasons:
        raise ApplicationError("A decision letter must give the reasons for the decision.", field="reasons")
    issued_on = _today()
    letter = DecisionLetter.objects.create(
        case=case,
        kind=kind,
        decision=decision,
        reasons=reasons,
        body=_render_letter(case, kind, decision, reasons, issued_on, extra),
        issued_on=issued_on,
        issued_by=actor,
        review_deadline=rules.letter_deadline(kind=kind, issued_on=issued_on),
    )
    audit_log(
        actor=actor, action="homelessness.letter.issued", obj=case, data={"kind": kind, "letter": letter.pk}
    )
    case_message_send(
        case=case,
        template="letter",
        key=f"homelessness.letter:{letter.pk}",
        actor=actor,
        context={"letter": letter},
    )
    return letter


# A review decision is appealed, not reviewed again (s.202(2)); a warning is not a decision.
NOT_REVIEWABLE = {DecisionLetter.Kind.REVIEW_DECISION, DecisionLetter.Kind.NONCOOP_WARNING}

_LETTER_KIND = {
    Stage.ASSESSMENT: DecisionLetter.Kind.S184,
    Stage.PREVENTION: DecisionLetter.Kind.DUTY_END,
    Stage.RELIEF: DecisionLetter.Kind.DUTY_END,
    Stage.MAIN_DUTY_DECISION: DecisionLetter.Kind.MAIN_DUTY,
    Stage.MAIN_DUTY: DecisionLetter.Kind.DISCHARGE,
}


@transaction.atomic
def case_move(
    *,
    case: Case,
    actor,
    to_stage: str,
    end_reason: str = "",
    reasons: str = "",
    confirmed: bool = False,
    letter_extra: dict | None = None,
) -> Case:
    """Move a case to its next stage, or close it with an end reason, stamping the dates H-CLIC needs.

    `confirmed`: the officer confirms the preconditions of the end reason that the record cannot show
    (`rules.DutyEnd.confirm`); the notice names the section and the ground (s.189B(6), s.195(5)).
    Opening the prevention or relief duty is accepting it, in writing with the plan (s.189A(3)): that goes
    through the accept-duty service, which needs `reasons` for the letter."""
    if to_stage == Stage.PREVENTION:
        return case_accept_prevention_duty(case=case, actor=actor, reasons=reasons)
    if to_stage == Stage.RELIEF:
        return case_accept_relief_duty(case=case, actor=actor, reasons=reasons)
    return _move(
        case=case,
        actor=actor,
        to_stage=to_stage,
        end_reason=end_reason,
        reasons=reasons,
        confirmed=confirmed,
        letter_extra=letter_extra,
    )


def _move(
    *,
    case: Case,
    actor,
    to_stage: str,
    end_reason: str = "",
    reasons: str = "",
    confirmed: bool = False,
    letter_extra: dict | None = None,
) -> Case:
    _require_officer(actor)
    case = _lock(case)
    today = _today()
    move = rules.move_allowed(
        case=case, to_stage=to_stage, end_reason=end_reason, today=today, confirmed=confirmed
    )
    if not move.allowed:
        raise ApplicationError(move.reason)
    from_stage = case.stage
    # Every end of a prevention or relief duty is by notice (s.189B(5)-(6), s.195(5)), withdrawal included.
    rule = rules.duty_end_rule(from_stage, end_reason) if to_stage == Stage.CLOSED else None
    letter_needed = (
        (to_stage == Stage.CLOSED and end_reason in rules.NEEDS_NOTICE)
        or rule is not None
        or to_stage == Stage.MAIN_DUTY
    )
    if letter_needed:
        kind = _LETTER_KIND.get(Stage(from_stage), DecisionLetter.Kind.S184)
        if end_reason == CloseReason.NON_COOPERATION:
            kind = DecisionLetter.Kind.NON_COOPERATION
        extra = {"section": rule.section, "ground": rule.ground} if rule else {}
        extra.update(letter_extra or {})
        letter_issue(case=case, actor=actor, kind=kind, reasons=reasons, decision=end_reason, extra=extra)

    # Stamp the end of the duty being left, then the start of the one entered.
    if from_stage == Stage.PREVENTION:
        case.prevention_end = today
        # Moving on to relief means the applicant became homeless; H-CLIC derives that from the dates.
        case.prevention_end_reason = end_reason if to_stage == Stage.CLOSED else ""
    if from_stage == Stage.RELIEF:
        case.relief_end = today
        # Moving on to the main duty decision: the duty ended by itself after 56 days (s.189B(4)).
        case.relief_end_reason = end_reason if to_stage == Stage.CLOSED else CloseReason.DAYS_ELAPSED
    if to_stage == Stage.PREVENTION:
        case.prevention_start = today
    elif to_stage == Stage.RELIEF:
        case.relief_start = today
    elif to_stage == Stage.MAIN_DUTY:
        case.main_duty_decided_on = today
        case.main_duty_start = today
    if from_stage == Stage.MAIN_DUTY_DECISION:
        case.main_duty_decided_on = today
    case.stage = to_stage
    case.duty_deadline = rules.duty_deadline(case) if to_stage in (Stage.PREVENTION, Stage.RELIEF) else None
    if to_stage == Stage.CLOSED:
        case.closed_on = today
        case.close_reason = end_reason
    case.save()
    audit_log(
        actor=actor,
        action="homelessness.case.moved",
        obj=case,
        data={
            "from": from_stage,
            "to": to_stage,
            "end_reason": end_reason,
            "preconditions_confirmed": bool(confirmed),
        },
    )
    _tell_applicant_stage(case, actor)
    if to_stage == Stage.CLOSED:
        _tell_referrer_outcome(case, actor)
    return case


def _accept_duty(*, case: Case, actor, to_stage: str, kind: str, reasons: str) -> Case:
    case = _lock(case)
    if not (reasons or "").strip():
        raise ApplicationError(
            "Write the summary of the assessment for the letter (s.189A(3)).", field="reasons"
        )
    case = _move(case=case, actor=actor, to_stage=to_stage)
    letter_issue(
        case=case,
        actor=actor,
        kind=kind,
        reasons=reasons,
        extra={
            "duty_start": case.prevention_start if to_stage == Stage.PREVENTION else case.relief_start,
            "duty_deadline": case.duty_deadline,
            "my_steps": list(case.plan_steps.filter(owner="applicant")),
            "council_steps": list(case.plan_steps.filter(owner="council")),
        },
    )
    return case


@transaction.atomic
def case_accept_prevention_duty(*, case: Case, actor, reasons: str) -> Case:
    """s.195(2): eligible and threatened with homelessness within 56 days, so the prevention duty is owed.
    The applicant is told in writing, with the assessment and the personalised housing plan (s.189A(3))."""
    _require_officer(actor)
    return _accept_duty(
        case=case,
        actor=actor,
        to_stage=Stage.PREVENTION,
        kind=DecisionLetter.Kind.PREVENTION_ACCEPTED,
        reasons=reasons,
    )


@transaction.atomic
def case_accept_relief_duty(*, case: Case, actor, reasons: str) -> Case:
    """s.189B(2): eligible and homeless, so the relief duty is owed for at least 56 days; from assessment,
    or from prevention when the applicant became homeless (s.195(8)(c)). Told in writing, with the plan."""
    _require_officer(actor)
    return _accept_duty(
        case=case,
        actor=actor,
        to_stage=Stage.RELIEF,
        kind=DecisionLetter.Kind.RELIEF_ACCEPTED,
        reasons=reasons,
    )


@transaction.atomic
def case_decide_intentionality(*, case: Case, actor, intentional: bool, reasons: str) -> Case:
    """s.191: whether the applicant became homeless intentionally. A s.184 decision with review rights
    (s.202(1)(b)); it decides between the main duty (s.193) and s.190 at the end of relief."""
    _require_officer(actor)
    case = _lock(case)
    if case.stage not in (Stage.RELIEF, Stage.MAIN_DUTY_DECISION):
        raise ApplicationError(
            "Intentionality (s.191) is decided while the relief duty is owed or at the main duty decision."
        )
    if case.intentionally_homeless is not None and case.intentionally_homeless == intentional:
        raise ApplicationError("This decision has already been made.")
    letter_issue(
        case=case,
        actor=actor,
        kind=DecisionLetter.Kind.INTENTIONALITY,
        reasons=reasons,
        extra={"intentional": intentional, "priority_need": bool(case.priority_need)},
    )
    case.intentionally_homeless = intentional
    case.save(update_fields=["intentionally_homeless"])
    audit_log(
        actor=actor,
        action="homelessness.case.intentionality_decided",
        obj=case,
        data={"intentional": intentional},
    )
    return case


@transaction.atomic
def case_refer_local_connection(
    *, case: Case, actor, authority: str, reasons: str, confirmed: bool = False
) -> Case:
    """s.198: refer the case to an authority the household has a local connection with (s.199), at the relief
    stage (s.198(A1)) or at the main duty decision (s.198(1)). The case ends here with the referral as its
    outcome; the applicant can ask for a review (s.202(1)(c)), decided in 10 weeks."""
    _require_officer(actor)
    authority = " ".join((authority or "").split())[:200]
    if not authority:
        raise ApplicationError("Enter the council the case is referred to.", field="authority")
    if not confirmed:
        raise ApplicationError(
            "Confirm that this is true before referring the case (s.198): "
            + rules.RELIEF_ENDS[CloseReason.LOCAL_CONNECTION_REFERRAL].confirm,
            field="confirmed",
        )
    case = _lock(case)
    case.referred_to = authority
    case.save(update_fields=["referred_to"])
    return case_move(
        case=case,
        actor=actor,
        to_stage=Stage.CLOSED,
        end_reason=CloseReason.LOCAL_CONNECTION_REFERRAL,
        reasons=reasons,
        confirmed=True,
        letter_extra={"authority": authority},
    )


def _tell_applicant_stage(case: Case, actor) -> None:
    case_message_send(
        case=case,
        template="stage",
        key=f"homelessness.stage:{case.pk}:{case.stage}",
        actor=actor,
        context={"stage": case.get_stage_display()},
    )


def _tell_referrer_outcome(case: Case, actor) -> None:
    """The referrer hears the outcome only if the person agreed, and only if nothing about the case rules
    it out (`_referrer_contact_check`); otherwise it is held and kept on the case like an applicant's."""
    referral = Referral.objects.filter(
        case=case, consent_to_outcome=True, outcome_sent_on__isnull=True
    ).first()
    if referral is None:
        return
    held_reason = _referrer_contact_check(case)
    note = notification_send(
        template="homelessness/email/referral_outcome",
        to=referral.referrer_email,
        context={"case": case, "referral": referral, "outcome": case.get_close_reason_display()},
        key=f"homelessness.referral_outcome:{case.pk}",
        actor=actor,
        held_reason=held_reason,
    )
    _case_message_record(case=case, note=note, channel=Channel.EMAIL, held_reason=held_reason, actor=actor)
    # Not stamped when held (it was not sent); its key still stops a second message if the case closes again.
    if note.status != Notification.Status.HELD:
        referral.outcome_sent_on = _today()
        referral.save(update_fields=["outcome_sent_on"])
