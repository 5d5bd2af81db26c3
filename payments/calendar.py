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


def rent_year_start(day: dt.date) -> dt.date:
    """The Monday the rent year of `day` began. Rent weeks run Monday to Sunday, and rent week 1 is the week
    containing the first Monday of April, so the rent year starts on that Monday; the days of April before it
    still belong to the last week of the year before."""
    start = _first_monday_of_april(day.year)
    return start if day >= start else _first_monday_of_april(day.year - 1)


def _first_monday_of_april(year: int) -> dt.date:
    first = dt.date(year, 4, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)


def rent_year(day: dt.date) -> str:
    """The rent year `day` falls in, as "2026-27" (it starts on the first Monday of April)."""
    start = rent_year_start(day).year
    return f"{start}-{str(start + 1)[-2:]}"


def rent_week(day: dt.date) -> int:
    """Week of the rent year, 1 to 53 (a year has 53 when the next first Monday of April is 53 weeks on)."""
    return (day - rent_year_start(day)).days // 7 + 1


def next_monday(day: dt.date) -> dt.date:
    """Rent is due on Mondays: the next one on or after `day`."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def months_back(today: dt.date, months: int) -> dt.date:
    """The first day of "the last N months" to `today`: N calendar months, so 5 December 2025 to 4 December
    2026 for 12. A day the earlier month lacks (31 March back to February) is taken as that month's end."""
    import calendar

    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    same_day = dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    return same_day + dt.timedelta(days=1)
