"""Whether a case may move or close, and which main duty decision the facts allow."""

from __future__ import annotations

import datetime as dt

from .choices import AssessmentOutcome
from .deadlines import DUTY_DAYS, duty_deadline, duty_start
from .ends import DUTY_ENDS, NONCOOPERATION_WARNING_DAYS, DutyEnd, Move
from .stages import END_REASONS, MOVES, CloseReason, Stage


def duty_end_rule(stage: str, reason: str) -> DutyEnd | None:
    return DUTY_ENDS.get(stage, {}).get(reason)


def relief_day_56(case) -> dt.date | None:
    """The first day after the 56 days of relief beginning with the day it started (s.189B(4), (7)(b))."""
    return case.relief_start + dt.timedelta(days=DUTY_DAYS) if case.relief_start else None


def _relief_end_allowed(case, end_reason: str, today: dt.date) -> Move:
    if end_reason == CloseReason.DAYS_ELAPSED:
        end = relief_day_56(case)
        if end is None or today < end:
            return Move(
                False,
                f"The relief duty lasts 56 days from the day it began (s.189B(2)): it cannot be ended on the "
                f"56-day ground before {end:%-d %B %Y}."
                if end
                else "The relief duty has no start date.",
            )
        if case.priority_need:
            # s.189B(4): in priority need and not intentionally homeless, the duty ends by itself on day 56
            # and the main duty decision follows; intentional with priority need is s.190, also decided then.
            return Move(
                False,
                "The applicant is in priority need, so the relief duty is not ended by notice after 56 days "
                "(s.189B(4)): move the case to the main duty decision.",
            )
    return Move(True)


def _noncooperation_allowed(case, today: dt.date) -> Move:
    # The latest warning in this duty: an older one (another step, or the duty before) gives the applicant
    # no time to take the step they were warned about last.
    warnings = case.letters.filter(kind="noncoop_warning")
    start = duty_start(case)
    if start:
        warnings = warnings.filter(issued_on__gte=start)
    warned = warnings.order_by("-issued_on", "-id").first()
    if warned is None:
        return Move(
            False,
            "Send the warning letter first: a non-cooperation notice can only follow a warning (s.193B(4)).",
        )
    # The letter asks for the step "by" the last day of the period; the notice can follow only after it.
    ready = warned.issued_on + dt.timedelta(days=NONCOOPERATION_WARNING_DAYS + 1)
    if today < ready:
        return Move(
            False,
            f"The applicant must have a reasonable period after the warning (s.193B(4)): the notice can be "
            f"given from {ready:%-d %B %Y}.",
        )
    if not case.noncooperation_notices.filter(approved_at__isnull=False).exists():
        return Move(
            False,
            "A non-cooperation notice must be approved by a second, senior officer before the duty ends.",
        )
    return Move(True)


def move_allowed(
    *, case, to_stage: str, end_reason: str = "", today: dt.date, confirmed: bool = True
) -> Move:
    """Whether a case may move to `to_stage` (or close with `end_reason`); if not, why, in plain English.

    `confirmed` is the officer's confirmation that the preconditions of the end reason that the record
    cannot show are met (see `DutyEnd.confirm`)."""
    current = Stage(case.stage)
    if to_stage == Stage.CLOSED:
        reasons = END_REASONS.get(current, [])
        if end_reason not in reasons:
            label = (
                CloseReason(end_reason).label if end_reason in CloseReason.values else end_reason or "none"
            )
            return Move(False, f"A case at {current.label} cannot be closed with the reason “{label}”.")
        rule = duty_end_rule(current, end_reason)
        if rule is not None and rule.confirm and not confirmed:
            return Move(
                False, f"Confirm that this is true before ending the duty ({rule.section}): {rule.confirm}"
            )
        if current == Stage.RELIEF:
            relief = _relief_end_allowed(case, end_reason, today)
            if not relief.allowed:
                return relief
        if end_reason == CloseReason.NON_COOPERATION:
            noncoop = _noncooperation_allowed(case, today)
            if not noncoop.allowed:
                return noncoop
        if end_reason == CloseReason.DAYS_ELAPSED and current == Stage.PREVENTION:
            end = duty_deadline(case)
            if end is None or today < end:
                return Move(False, "The 56 days of the duty have not passed yet.")
            if case.threat_is_valid_notice():
                # s.195(6)-(7): while a valid possession notice is the threat, 56 days passing is no ground.
                return Move(
                    False,
                    "The prevention duty cannot end because 56 days have passed while a valid notice is "
                    "the threat (s.195(6)).",
                )
        if current == Stage.MAIN_DUTY_DECISION:
            decision = main_duty_decision_allowed(case, end_reason)
            if not decision.allowed:
                return decision
        return Move(True)
    if to_stage not in MOVES.get(current, []):
        return Move(False, f"A case cannot move from {current.label} to {Stage(to_stage).label}.")
    if current == Stage.RELIEF and to_stage == Stage.MAIN_DUTY_DECISION:
        end = relief_day_56(case)
        if end is None or today < end:
            # s.189B(4): priority need does not shorten relief. It lasts the full 56 days unless it ends on
            # another ground (s.189B(7), s.193A, s.193B); only then does the main duty decision come.
            return Move(
                False,
                "The relief duty lasts 56 days even when the applicant is in priority need (s.189B(4)). "
                + (f"The main duty decision can be made from {end:%-d %B %Y}." if end else "")
                + " Before then it can only end on one of the other grounds, by notice.",
            )
    if to_stage in (Stage.PREVENTION, Stage.RELIEF) and not case.eligible:
        return Move(False, "Record that the applicant is eligible (s.185) before opening a duty.")
    if (
        current == Stage.ASSESSMENT
        and to_stage == Stage.PREVENTION
        and case.assessment_outcome
        not in (
            AssessmentOutcome.THREATENED,
            AssessmentOutcome.THREATENED_BY_NOTICE,
        )
    ):
        return Move(
            False,
            "The prevention duty (s.195) is owed to an applicant threatened with homelessness within 56 days:"
            " record that in the assessment first.",
        )
    if (
        current == Stage.ASSESSMENT
        and to_stage == Stage.RELIEF
        and case.assessment_outcome != AssessmentOutcome.HOMELESS
    ):
        return Move(
            False,
            "The relief duty (s.189B) is owed to an applicant who is homeless: record that in the assessment"
            " first.",
        )
    if to_stage == Stage.MAIN_DUTY:
        return main_duty_decision_allowed(case, "main_duty")
    return Move(True)


def main_duty_decision_allowed(case, decision: str) -> Move:
    """The s.184 decision at the end of relief: which outcome the recorded facts allow.

    Priority need and not intentional: main duty (s.193(2)). Priority need and intentional: accommodation
    for a reasonable period (s.190(2)). No priority need: no further duty (advice, s.190(3), s.192).
    A local connection referral (s.198) is its own outcome."""
    intentional = getattr(case, "intentionally_homeless", None)
    if decision == "main_duty":
        if not case.priority_need:
            return Move(False, "The main duty (s.193) needs priority need to be recorded.")
        if intentional is None:
            return Move(
                False,
                "Record the decision on whether the applicant became homeless intentionally (s.191) before"
                " accepting the main duty.",
            )
        if intentional:
            return Move(
                False,
                "The applicant is intentionally homeless: the duty is accommodation for a reasonable period "
                "(s.190(2)), not the main duty (s.193).",
            )
    if decision == CloseReason.INTENTIONAL_PRIORITY:
        if not case.priority_need:
            return Move(False, "The s.190(2) decision needs priority need to be recorded.")
        if intentional is not True:
            return Move(
                False, "Record the decision that the applicant is intentionally homeless (s.191) first."
            )
    if decision == CloseReason.NO_PRIORITY_NEED and case.priority_need:
        return Move(False, "Priority need is recorded: change the assessment before deciding there is none.")
    return Move(True)
