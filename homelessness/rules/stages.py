"""Stages of a case, how it closes and which moves the law allows between them."""

from __future__ import annotations

from django.db import models


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
