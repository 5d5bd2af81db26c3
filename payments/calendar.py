"""Business dates for rent: Europe/London dates, rent weeks and financial years (April to March)."""

from __future__ import annotations

import datetime as dt

# The shared clock is the kernel's; rent's own calendar (financial years, rent weeks) is here.
from hackney_portal.core.calendar import LONDON, business_date  # noqa: F401


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
