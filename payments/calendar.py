"""Business dates for rent: Europe/London dates, rent weeks and financial years (April to March)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def business_date(at: dt.datetime | None = None) -> dt.date:
    """The date in London for a moment (times are stored in UTC; business dates are local)."""
    return (at or timezone.now()).astimezone(LONDON).date()


def financial_year_start(day: dt.date) -> dt.date:
    return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def financial_year(day: dt.date) -> str:
    start = financial_year_start(day).year
    return f"{start}-{str(start + 1)[-2:]}"


def rent_week(day: dt.date) -> int:
    """Week of the financial year, 1 to 53, counting from 1 April."""
    return min(53, (day - financial_year_start(day)).days // 7 + 1)


def next_monday(day: dt.date) -> dt.date:
    """Rent is due on Mondays: the next one on or after `day`."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)
