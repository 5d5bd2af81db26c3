"""Financial quarters, the code lists in force and the cases a quarter reports."""

from __future__ import annotations

import datetime as dt

# We only write XML here, never parse input, so defusedxml is not needed.
from django.db.models import Q

from ..models import Case, Code, CodeList

CHUNK = 2000
# The department's specification this export follows, named in every file (the code lists carry their own
# version). Change it here, with the code lists, when the department issues a new one.
SPEC_VERSION = "H-CLIC data requirement v1.4.5; XSD v1.4"


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start_month = 4 + 3 * (quarter - 1)
    start_year = year + (start_month - 1) // 12
    start_month = (start_month - 1) % 12 + 1
    start = dt.date(start_year, start_month, 1)
    end_month = start_month + 3
    end = dt.date(start_year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def last_quarter(today: dt.date) -> dict:
    fy = today.year if today.month >= 4 else today.year - 1
    q = (today.month - 4) % 12 // 3 + 1
    q -= 1
    if q == 0:
        fy, q = fy - 1, 4
    return {"year": fy, "quarter": q}


def _codes(on: dt.date) -> tuple[str, dict[tuple[str, str], str]]:
    """Each list's version in force on the quarter's last day: {(list, code): H-CLIC value}."""
    lookup: dict[tuple[str, str], str] = {}
    versions = []
    for name in CodeList.objects.values_list("name", flat=True).distinct().order_by("name"):
        code_list = CodeList.objects.filter(name=name, valid_from__lte=on).order_by("-valid_from").first()
        if code_list is None:
            code_list = CodeList.objects.filter(name=name).order_by("valid_from").first()
        versions.append(code_list.version)
        for code, value in Code.objects.filter(code_list=code_list).values_list("code", "hclic_value"):
            lookup[(name, code)] = value
    return (max(versions) if versions else ""), lookup


def reportable_cases(start: dt.date, end: dt.date):
    in_q = lambda field: Q(**{f"{field}__gte": start, f"{field}__lte": end})  # noqa: E731
    return (
        Case.objects.filter(assessed_on__isnull=False, assessed_on__lte=end)
        .filter(
            in_q("assessed_on")
            | in_q("prevention_start")
            | in_q("prevention_end")
            | in_q("relief_start")
            | in_q("relief_end")
            | in_q("main_duty_decided_on")
            | in_q("closed_on")
            | Q(placements__start_on__lte=end, placements__end_on__isnull=True)
            | Q(placements__start_on__lte=end, placements__end_on__gte=start)
            | in_q("reviews__requested_on")
            | in_q("reviews__decided_on")
        )
        .distinct()
        .order_by("reference")
    )


def quarter_unfinished(year: int, quarter: int, today: dt.date) -> bool:
    return today <= quarter_bounds(year, quarter)[1]
