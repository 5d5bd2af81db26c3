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
    return [problem for row in rows for problem in row["problems"]]


def file_sha256(text: str) -> str:
    """The SHA-256 of one file of a return, as downloaded in full (UTF-8)."""
    return hashlib.sha256(text.encode()).hexdigest()
