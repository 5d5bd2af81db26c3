"""Public pages under /housing-help/: the intake (`intake`), Duty to Refer and
the applicant's own case (`cases`)."""

from .cases import (
    case_status,
    letter,
    letter_pdf,
    my_cases,
    plan_step_toggle,
    refer,
    refer_done,
    status_link,
)
from .household import apply_person, apply_person_page, apply_person_remove
from .intake import (
    CASES_KEY,
    DRAFT_KEY,
    SESSION_KEYS,
    apply_begin,
    apply_check,
    apply_done,
    apply_emergency,
    apply_resume,
    apply_saved,
    apply_step,
    exit_page,
    forget_journey,
    start,
)

__all__ = [
    "CASES_KEY",
    "DRAFT_KEY",
    "SESSION_KEYS",
    "apply_begin",
    "apply_check",
    "apply_done",
    "apply_emergency",
    "apply_person",
    "apply_person_page",
    "apply_person_remove",
    "apply_resume",
    "apply_saved",
    "apply_step",
    "case_status",
    "exit_page",
    "forget_journey",
    "letter",
    "letter_pdf",
    "my_cases",
    "plan_step_toggle",
    "refer",
    "refer_done",
    "start",
    "status_link",
]
