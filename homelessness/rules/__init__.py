"""Statutory rules of the Homelessness Reduction Act 2017 (Part 7 Housing Act 1996), in one place.

Every stage, allowed move, end reason and deadline the service enforces is here, with the section it comes
from, so a change in the law is a change to this file. Summary for software, not legal advice.
"""

from .choices import AssessmentOutcome, PriorityNeed, ReviewKind
from .deadlines import (
    APPEAL_DAYS,
    DUTY_DAYS,
    REVIEW_DECISION_WEEKS,
    REVIEW_REQUEST_DAYS,
    appeal_deadline,
    duty_deadline,
    duty_start,
    letter_deadline,
    review_decision_due,
    review_request_deadline,
    threat_notice_types,
)
from .ends import (
    DUTY_ENDS,
    HCLIC_PREVENTION_END_HOMELESS,
    NONCOOPERATION_WARNING_DAYS,
    PREVENTION_ENDS,
    RELIEF_ENDS,
    DutyEnd,
    Move,
)
from .moves import duty_end_rule, main_duty_decision_allowed, move_allowed, relief_day_56
from .stages import END_REASONS, MOVES, NEEDS_NOTICE, CloseReason, Stage

__all__ = [
    "APPEAL_DAYS",
    "DUTY_DAYS",
    "DUTY_ENDS",
    "END_REASONS",
    "HCLIC_PREVENTION_END_HOMELESS",
    "MOVES",
    "NEEDS_NOTICE",
    "NONCOOPERATION_WARNING_DAYS",
    "PREVENTION_ENDS",
    "RELIEF_ENDS",
    "REVIEW_DECISION_WEEKS",
    "REVIEW_REQUEST_DAYS",
    "AssessmentOutcome",
    "CloseReason",
    "DutyEnd",
    "Move",
    "PriorityNeed",
    "ReviewKind",
    "Stage",
    "appeal_deadline",
    "duty_deadline",
    "duty_end_rule",
    "duty_start",
    "letter_deadline",
    "main_duty_decision_allowed",
    "move_allowed",
    "relief_day_56",
    "review_decision_due",
    "review_request_deadline",
    "threat_notice_types",
]
