"""Checks on one case as an officer works it, and the checksum of a file."""

from __future__ import annotations

import datetime as dt
import hashlib

# We only write XML here, never parse input, so defusedxml is not needed.
from django.utils import timezone

from .files import build


def case_problems(case, *, today: dt.date | None = None) -> list[str]:
    """What H-CLIC would reject in this case today, in plain English, for the officer working on it: the
    same checks as the quarter's report, run on this case alone with the code lists in force now."""
    if case.assessed_on is None:
        return []  # not reported until assessed
    today = today or timezone.localdate()
    year = today.year if today.month >= 4 else today.year - 1
    quarter = (today.month - 4) % 12 // 3 + 1  # the financial quarter that contains today
    rows = build(year, quarter, pks=[case.pk])["report"]
    return [problem for row in rows for problem in row["problems"]] + applicant_gaps(case)


# The lead applicant's items the department's validation rejects when blank (each has a "not known" or
# "prefer not to say" code, so a blank is never needed): what to ask, in the officer's words.
_ASK = {
    "sex": "The applicant’s sex is not recorded. Ask them, or record ‘prefer not to say’.",
    "date_of_birth": "The applicant’s date of birth is not recorded, so their age cannot be reported.",
    "nationality": "The applicant’s nationality is not recorded. Ask them which nationality they have.",
    "employment": "The applicant’s employment status is not recorded. Ask them if they are working.",
}


def applicant_gaps(case) -> list[str]:
    """What the return needs about the lead applicant and the case does not hold, in plain English."""
    from ..intake import answer_of

    answers = case.details or {}
    applicant = case.members.filter(is_applicant=True).first()
    gaps = []
    if applicant is None or not applicant.sex:
        gaps.append(_ASK["sex"])
    if applicant is None or not applicant.date_of_birth:
        gaps.append(_ASK["date_of_birth"])
    if not answer_of(answers, "nationality", "nationality"):
        gaps.append(_ASK["nationality"])
    if not answer_of(answers, "employment", "employment"):
        gaps.append(_ASK["employment"])
    return gaps


def file_sha256(text: str) -> str:
    """The SHA-256 of one file of a return, as downloaded in full (UTF-8)."""
    return hashlib.sha256(text.encode()).hexdigest()
