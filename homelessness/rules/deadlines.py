"""Statutory periods and the deadlines derived from them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .stages import Stage

DUTY_DAYS = 56  # s.175(4) threatened with homelessness; s.195 prevention and s.189B relief last 56 days
REVIEW_REQUEST_DAYS = 21  # s.202(3): a review must be requested within 21 days of notification
REVIEW_DECISION_WEEKS = {  # Homelessness (Review Procedure) Regulations 2018, reg. 9
    "plan_steps": 3,
    "ending_prevention": 3,
    "standard": 8,
    "local_connection_referral": 10,
}


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
