"""Statutory periods and the deadlines derived from them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .stages import Stage

DUTY_DAYS = 56  # s.175(4) threatened with homelessness; s.195 prevention and s.189B relief last 56 days
# s.202(3): a review must be asked for "before the end of the period of 21 days beginning with the day on
# which he is notified", so the day of notification is the first of the 21.
REVIEW_REQUEST_DAYS = 21
# s.204(2): an appeal "within 21 days of his being notified", which does not count the day of notification.
APPEAL_DAYS = 21
REVIEW_DECISION_WEEKS = {  # Homelessness (Review Procedure) Regulations 2018, reg. 9
    "plan_steps": 3,  # s.202(1)(ba)(i) and (bc)(i)
    "ending_prevention": 3,  # s.202(1)(bc)(ii), and (bb) where the notice ends the s.195(2) duty
    "ending_relief": 8,  # s.202(1)(ba)(ii), and (bb) where the notice ends the s.189B(2) duty
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
    """The first day after the 56 days of the current prevention or relief duty (s.195, s.189B), counting the
    day it started as the first: the earliest day it can end on the 56-day ground."""
    start = duty_start(case)
    return start + dt.timedelta(days=DUTY_DAYS) if start else None


def review_request_deadline(issued_on: dt.date) -> dt.date:
    """The last day to ask for a review of a decision notified on `issued_on` (s.202(3))."""
    return issued_on + dt.timedelta(days=REVIEW_REQUEST_DAYS - 1)


def appeal_deadline(notified_on: dt.date) -> dt.date:
    """The last day to appeal to the county court against a review decision notified on `notified_on`
    (s.204(2))."""
    return notified_on + dt.timedelta(days=APPEAL_DAYS)


def letter_deadline(*, kind: str, issued_on: dt.date) -> dt.date:
    """The date a letter gives for challenging it: the appeal for a review decision, otherwise the review."""
    return appeal_deadline(issued_on) if kind == "review_decision" else review_request_deadline(issued_on)


def review_decision_due(*, requested_on: dt.date, kind: str) -> dt.date:
    """The last day to notify the review decision: reg. 9 counts its weeks "beginning with the day on which
    the request for the review is made", so that day is the first."""
    return requested_on + dt.timedelta(weeks=REVIEW_DECISION_WEEKS[kind]) - dt.timedelta(days=1)


def threat_notice_types() -> list[str]:
    """Notice types that count as a valid threat: a setting, because the Renters' Rights Act changes it."""
    return list(settings.HOMELESSNESS_THREAT_NOTICE_TYPES)
