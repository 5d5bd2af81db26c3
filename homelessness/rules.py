"""Statutory rules of the Homelessness Reduction Act 2017 (Part 7 Housing Act 1996), in one place.

Every stage, allowed move, end reason and deadline the service enforces is here, with the section it comes
from, so a change in the law is a change to this file. Summary for software, not legal advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models

DUTY_DAYS = 56  # s.175(4) threatened with homelessness; s.195 prevention and s.189B relief last 56 days
REVIEW_REQUEST_DAYS = 21  # s.202(3): a review must be requested within 21 days of notification
REVIEW_DECISION_WEEKS = {  # Homelessness (Review Procedure) Regulations 2018, reg. 9
    "plan_steps": 3,
    "ending_prevention": 3,
    "standard": 8,
    "local_connection_referral": 10,
}


class Stage(models.TextChoices):
    RECEIVED = "received", "Received"
    TRIAGE = "triage", "Triage"
    ASSESSMENT = "assessment", "Assessment"
    PREVENTION = "prevention", "Prevention duty (s.195)"
    RELIEF = "relief", "Relief duty (s.189B)"
    MAIN_DUTY_DECISION = "main_duty_decision", "Main duty decision (s.184)"
    MAIN_DUTY = "main_duty", "Main housing duty (s.193)"
    CLOSED = "closed", "Closed"


class CloseReason(models.TextChoices):
    ADVICE_ONLY = "advice_only", "Advice and information only"
    NOT_ELIGIBLE = "not_eligible", "Not eligible (s.185)"
    NOT_HOMELESS = "not_homeless", "Not homeless or threatened within 56 days (s.184)"
    # Prevention and relief end reasons (s.195(8), s.189B(7)); each needs a written notice.
    ACCOMMODATION_SECURED = "accommodation_secured", "Suitable accommodation available for 6 months or more"
    REFUSED_OFFER = "refused_offer", "Refused a suitable offer of accommodation"
    INTENTIONALLY_HOMELESS = (
        "intentionally_homeless",
        "Became homeless intentionally from accommodation provided under the duty",
    )
    NO_LONGER_ELIGIBLE = "no_longer_eligible", "No longer eligible"
    WITHDRAWN = "withdrawn", "Application withdrawn"
    CONTACT_LOST = "contact_lost", "Contact lost"
    NON_COOPERATION = "non_cooperation", "Deliberate and unreasonable refusal to co-operate (s.193B)"
    DAYS_ELAPSED = "days_elapsed", "The 56 days of the duty have passed"
    REFUSED_FINAL_OFFER = (
        "refused_final_offer",
        "Refused a final accommodation offer or final Part 6 offer (s.193A)",
    )
    LOCAL_CONNECTION_REFERRAL = "local_connection_referral", "Referred to another authority (s.198)"
    # Main duty decisions (s.184 at the end of relief).
    INTENTIONAL_PRIORITY = "intentional_priority", "Intentionally homeless with priority need (s.190)"
    NO_PRIORITY_NEED = "no_priority_need", "No priority need: no further duty"
    # Main duty discharge (s.193(5), (7), (7AA)).
    SOCIAL_OFFER_ACCEPTED = "social_offer_accepted", "Accepted an offer of social housing"
    SOCIAL_OFFER_REFUSED = "social_offer_refused", "Refused a final offer of social housing"
    PRIVATE_OFFER_ACCEPTED = "private_offer_accepted", "Accepted a private rented sector offer"
    PRIVATE_OFFER_REFUSED = "private_offer_refused", "Refused a private rented sector offer"


# Which end reasons close a case from which stage. A move to another stage is a separate table below.
END_REASONS = {
    Stage.TRIAGE: [CloseReason.ADVICE_ONLY, CloseReason.WITHDRAWN, CloseReason.CONTACT_LOST],
    Stage.ASSESSMENT: [
        CloseReason.NOT_ELIGIBLE,
        CloseReason.NOT_HOMELESS,
        CloseReason.WITHDRAWN,
        CloseReason.CONTACT_LOST,
    ],
    Stage.PREVENTION: [
        CloseReason.ACCOMMODATION_SECURED,
        CloseReason.REFUSED_OFFER,
        CloseReason.INTENTIONALLY_HOMELESS,
        CloseReason.NO_LONGER_ELIGIBLE,
        CloseReason.WITHDRAWN,
        CloseReason.CONTACT_LOST,
        CloseReason.NON_COOPERATION,
        CloseReason.DAYS_ELAPSED,
    ],
    Stage.RELIEF: [
        CloseReason.ACCOMMODATION_SECURED,
        CloseReason.REFUSED_OFFER,
        CloseReason.INTENTIONALLY_HOMELESS,
        CloseReason.NO_LONGER_ELIGIBLE,
        CloseReason.WITHDRAWN,
        CloseReason.CONTACT_LOST,
        CloseReason.NON_COOPERATION,
        CloseReason.REFUSED_FINAL_OFFER,
        CloseReason.DAYS_ELAPSED,
        CloseReason.LOCAL_CONNECTION_REFERRAL,
    ],
    Stage.MAIN_DUTY_DECISION: [
        CloseReason.INTENTIONAL_PRIORITY,
        CloseReason.NO_PRIORITY_NEED,
        CloseReason.LOCAL_CONNECTION_REFERRAL,
    ],
    Stage.MAIN_DUTY: [
        CloseReason.SOCIAL_OFFER_ACCEPTED,
        CloseReason.SOCIAL_OFFER_REFUSED,
        CloseReason.PRIVATE_OFFER_ACCEPTED,
        CloseReason.PRIVATE_OFFER_REFUSED,
        CloseReason.WITHDRAWN,
        CloseReason.CONTACT_LOST,
    ],
}

MOVES = {
    Stage.RECEIVED: [Stage.TRIAGE],
    Stage.TRIAGE: [Stage.ASSESSMENT],
    Stage.ASSESSMENT: [Stage.PREVENTION, Stage.RELIEF],
    Stage.PREVENTION: [Stage.RELIEF],  # became homeless despite prevention
    Stage.RELIEF: [Stage.MAIN_DUTY_DECISION],
    Stage.MAIN_DUTY_DECISION: [Stage.MAIN_DUTY],
    Stage.MAIN_DUTY: [],
    Stage.CLOSED: [],
}

# Ends that are a decision with review rights, so they need a letter with reasons (s.184(3), s.195(5)).
NEEDS_NOTICE = {
    CloseReason.NOT_ELIGIBLE,
    CloseReason.NOT_HOMELESS,
    CloseReason.ACCOMMODATION_SECURED,
    CloseReason.REFUSED_OFFER,
    CloseReason.INTENTIONALLY_HOMELESS,
    CloseReason.NO_LONGER_ELIGIBLE,
    CloseReason.NON_COOPERATION,
    CloseReason.DAYS_ELAPSED,
    CloseReason.REFUSED_FINAL_OFFER,
    CloseReason.LOCAL_CONNECTION_REFERRAL,
    CloseReason.INTENTIONAL_PRIORITY,
    CloseReason.NO_PRIORITY_NEED,
    CloseReason.SOCIAL_OFFER_REFUSED,
    CloseReason.PRIVATE_OFFER_REFUSED,
}


class AssessmentOutcome(models.TextChoices):
    """H-CLIC initial assessment outcome."""

    THREATENED = "threatened", "Threatened with homelessness within 56 days"
    THREATENED_BY_NOTICE = "threatened_notice", "Threatened within 56 days: valid notice to leave"
    HOMELESS = "homeless", "Homeless"
    NEITHER = "neither", "Not homeless nor threatened within 56 days"
    WITHDREW = "withdrew", "Withdrew before assessment"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"


class PriorityNeed(models.TextChoices):
    """s.189(1) and the Priority Need Order 2002."""

    PREGNANT = "pregnant", "Pregnant"
    CHILDREN = "children", "Dependent children"
    OLD_AGE = "old_age", "Vulnerable: old age"
    ILLNESS = "illness", "Vulnerable: physical or mental illness"
    DISABILITY = "disability", "Vulnerable: disability"
    OTHER_VULNERABLE = "other_vulnerable", "Vulnerable: other special reason"
    EMERGENCY = "emergency", "Emergency such as fire or flood"
    AGED_16_17 = "aged_16_17", "Aged 16 or 17"
    CARE_LEAVER = "care_leaver", "Care leaver aged 18 to 20"
    AFTER_CARE = "after_care", "Vulnerable after being in care"
    FORCES = "forces", "Vulnerable after HM Forces"
    CUSTODY = "custody", "Vulnerable after custody"
    FLEEING_VIOLENCE = "fleeing_violence", "Vulnerable: fleeing violence or threats"
    DOMESTIC_ABUSE = "domestic_abuse", "Homeless because of domestic abuse (s.189(1)(e))"


class ReviewKind(models.TextChoices):
    PLAN_STEPS = "plan_steps", "Steps in the Personalised Housing Plan"
    ENDING_PREVENTION = "ending_prevention", "Ending the prevention or relief duty"
    STANDARD = "standard", "Other decisions (s.202)"
    LOCAL_CONNECTION_REFERRAL = "local_connection_referral", "Local connection referral"


@dataclass(frozen=True)
class Move:
    allowed: bool
    reason: str = ""


@dataclass(frozen=True)
class DutyEnd:
    """One way a prevention or relief duty ends: the section, and what must be true first.

    `confirm` is a precondition the officer must confirm, because the case record cannot show it (what the
    applicant was told about an offer, why they lost accommodation); the letter states it as the ground.
    Preconditions the record can show (dates, priority need, an approved notice) are checked in
    `move_allowed`. Every one of these ends is by written notice with review rights (s.189B(6), s.195(5)),
    except relief ending by itself on day 56 (s.189B(4)), which is a move to the main duty decision.
    """

    section: str
    ground: str
    confirm: str = ""


# s.189B(5): the authority may give notice ending the relief duty if a circumstance in s.189B(7) applies;
# s.189B(9) adds the ends under s.193A and s.193B; s.198(A1) lets the duty be referred.
RELIEF_ENDS: dict[str, DutyEnd] = {
    CloseReason.ACCOMMODATION_SECURED: DutyEnd(
        "s.189B(5) and (7)(a)",
        "You have suitable accommodation available, with a reasonable prospect of keeping it for at least 6"
        " months.",
        "The applicant has suitable accommodation available and a reasonable prospect of it being available"
        " for at least 6 months.",
    ),
    CloseReason.DAYS_ELAPSED: DutyEnd(
        "s.189B(5) and (7)(b)",
        "We have helped you for 56 days, and you are not in priority need.",
    ),
    CloseReason.REFUSED_OFFER: DutyEnd(
        "s.189B(5) and (7)(c)",
        "You refused an offer of suitable accommodation after we told you in writing what refusing it would"
        " mean.",
        "The applicant was told in writing what refusing or accepting the offer would mean, the offer was"
        " suitable, and it had a reasonable prospect of lasting at least 6 months.",
    ),
    CloseReason.INTENTIONALLY_HOMELESS: DutyEnd(
        "s.189B(5) and (7)(d)",
        "You became homeless intentionally from accommodation we made available to you under this duty.",
        "The applicant became homeless intentionally from accommodation made available under the relief"
        " duty.",
    ),
    CloseReason.NO_LONGER_ELIGIBLE: DutyEnd(
        "s.189B(5) and (7)(e)",
        "You are no longer eligible for help (section 185).",
        "We are satisfied the applicant is no longer eligible for assistance (s.185).",
    ),
    CloseReason.WITHDRAWN: DutyEnd(
        "s.189B(5) and (7)(f)",
        "You withdrew your application.",
        "The applicant withdrew the application.",
    ),
    CloseReason.CONTACT_LOST: DutyEnd(
        "s.189B(5) and (7)(f); Code of Guidance chapter 14",
        "We have not been able to reach you, so we treat your application as withdrawn.",
        "Reasonable attempts to contact the applicant, by the ways they said are safe, have failed.",
    ),
    CloseReason.REFUSED_FINAL_OFFER: DutyEnd(
        "s.193A(2)",
        "You refused a final offer of accommodation after we told you in writing what refusing it would"
        " mean.",
        "The offer was a final accommodation offer or final Part 6 offer, it was suitable, and the applicant"
        " was told in writing what refusing it would mean (s.193A(3)-(6)).",
    ),
    CloseReason.NON_COOPERATION: DutyEnd(
        "s.193B(2) and (3)",
        "You deliberately and unreasonably refused to take a step in your housing plan, after a warning.",
    ),
    CloseReason.LOCAL_CONNECTION_REFERRAL: DutyEnd(
        "s.198(A1)",
        "We have referred your case to another council you have a local connection with.",
        "No one in the household has a local connection with us, one has with the other council, and no one"
        " would be at risk of domestic abuse or other violence in its district (s.198(2), (2ZA), (A1)).",
    ),
}

# s.195(5): notice ending the prevention duty if a circumstance in s.195(8) applies; s.195(10): or s.193B.
# Becoming homeless (s.195(8)(c)) is the move to relief, not a closure.
PREVENTION_ENDS: dict[str, DutyEnd] = {
    CloseReason.ACCOMMODATION_SECURED: DutyEnd(
        "s.195(5) and (8)(a)",
        RELIEF_ENDS[CloseReason.ACCOMMODATION_SECURED].ground,
        RELIEF_ENDS[CloseReason.ACCOMMODATION_SECURED].confirm,
    ),
    CloseReason.DAYS_ELAPSED: DutyEnd(
        "s.195(5) and (8)(b)",
        "We have helped you for 56 days.",
    ),
    CloseReason.REFUSED_OFFER: DutyEnd(
        "s.195(5) and (8)(d)",
        RELIEF_ENDS[CloseReason.REFUSED_OFFER].ground,
        RELIEF_ENDS[CloseReason.REFUSED_OFFER].confirm,
    ),
    CloseReason.INTENTIONALLY_HOMELESS: DutyEnd(
        "s.195(5) and (8)(e)",
        RELIEF_ENDS[CloseReason.INTENTIONALLY_HOMELESS].ground,
        "The applicant became homeless intentionally from accommodation made available under the prevention"
        " duty.",
    ),
    CloseReason.NO_LONGER_ELIGIBLE: DutyEnd(
        "s.195(5) and (8)(f)",
        RELIEF_ENDS[CloseReason.NO_LONGER_ELIGIBLE].ground,
        RELIEF_ENDS[CloseReason.NO_LONGER_ELIGIBLE].confirm,
    ),
    CloseReason.WITHDRAWN: DutyEnd(
        "s.195(5) and (8)(g)",
        RELIEF_ENDS[CloseReason.WITHDRAWN].ground,
        RELIEF_ENDS[CloseReason.WITHDRAWN].confirm,
    ),
    CloseReason.CONTACT_LOST: DutyEnd(
        "s.195(5) and (8)(g); Code of Guidance chapter 14",
        RELIEF_ENDS[CloseReason.CONTACT_LOST].ground,
        RELIEF_ENDS[CloseReason.CONTACT_LOST].confirm,
    ),
    CloseReason.NON_COOPERATION: DutyEnd(
        "s.193B(2) and (3)",
        RELIEF_ENDS[CloseReason.NON_COOPERATION].ground,
    ),
}

DUTY_ENDS = {Stage.PREVENTION: PREVENTION_ENDS, Stage.RELIEF: RELIEF_ENDS}

# s.193B(4): a notice may be given only after a warning and a reasonable period since it. The Act sets no
# number of days; this is the council's minimum, kept here so a change of policy is one line.
NONCOOPERATION_WARNING_DAYS = 7

# The H-CLIC end reason each of our end reasons is reported as: the key into the "prevention_end" and
# "relief_end" code lists (data/hclic_codes_*.json), whose values are the department's codes.
# A prevention duty that ends because the applicant became homeless is reported as "homeless".
HCLIC_PREVENTION_END_HOMELESS = "homeless"


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
    warned = case.letters.filter(kind="noncoop_warning").order_by("issued_on").first()
    if warned is None:
        return Move(
            False,
            "Send the warning letter first: a non-cooperation notice can only follow a warning (s.193B(4)).",
        )
    ready = warned.issued_on + dt.timedelta(days=NONCOOPERATION_WARNING_DAYS)
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


def duty_start(case) -> dt.date | None:
    if case.stage == Stage.PREVENTION:
        return case.prevention_start
    if case.stage == Stage.RELIEF:
        return case.relief_start
    return None


def duty_deadline(case) -> dt.date | None:
    """Day 56 of the current prevention or relief duty (s.195, s.189B)."""
    start = duty_start(case)
    return start + dt.timedelta(days=DUTY_DAYS) if start else None


def review_request_deadline(issued_on: dt.date) -> dt.date:
    return issued_on + dt.timedelta(days=REVIEW_REQUEST_DAYS)


def review_decision_due(*, requested_on: dt.date, kind: str) -> dt.date:
    return requested_on + dt.timedelta(weeks=REVIEW_DECISION_WEEKS[kind])


def threat_notice_types() -> list[str]:
    """Notice types that count as a valid threat: a setting, because the Renters' Rights Act changes it."""
    return list(settings.HOMELESSNESS_THREAT_NOTICE_TYPES)
