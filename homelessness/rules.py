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
    INTENTIONALLY_HOMELESS = "intentionally_homeless", "Became homeless intentionally"
    NO_LONGER_ELIGIBLE = "no_longer_eligible", "No longer eligible"
    WITHDRAWN = "withdrawn", "Application withdrawn"
    CONTACT_LOST = "contact_lost", "Contact lost"
    NON_COOPERATION = "non_cooperation", "Deliberate and unreasonable refusal to co-operate (s.193B)"
    DAYS_ELAPSED = "days_elapsed", "56 days have passed"
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


def move_allowed(*, case, to_stage: str, end_reason: str = "", today: dt.date) -> Move:
    """Whether a case may move to `to_stage` (or close with `end_reason`); if not, why, in plain English."""
    current = Stage(case.stage)
    if to_stage == Stage.CLOSED:
        reasons = END_REASONS.get(current, [])
        if end_reason not in reasons:
            label = (
                CloseReason(end_reason).label if end_reason in CloseReason.values else end_reason or "none"
            )
            return Move(False, f"A case at {current.label} cannot be closed with the reason “{label}”.")
        if end_reason == CloseReason.DAYS_ELAPSED:
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
        return Move(True)
    if to_stage not in MOVES.get(current, []):
        return Move(False, f"A case cannot move from {current.label} to {Stage(to_stage).label}.")
    if current == Stage.RELIEF and to_stage == Stage.MAIN_DUTY_DECISION:
        end = duty_deadline(case)
        if end is not None and today < end and not case.priority_need:
            # s.189B(4): relief ends early only when priority need (and not intentional) is established.
            return Move(
                False,
                "The relief duty lasts 56 days unless priority need is established; record priority need "
                "or wait until the 56 days have passed.",
            )
    if to_stage in (Stage.PREVENTION, Stage.RELIEF) and not case.eligible:
        return Move(False, "Record that the applicant is eligible (s.185) before opening a duty.")
    if to_stage == Stage.MAIN_DUTY and not case.priority_need:
        return Move(False, "The main duty (s.193) needs priority need to be recorded.")
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
