"""Money and dates as a resident reads them, one way everywhere (pages, emails, letters and the back office).

Money is kept in integer pence and shown in pounds: 123456 -> "£1,234.56". Dates follow the GOV.UK style
guide: written out in full in prose ("Monday 7 December 2026") and short but unambiguous in tables, where a
column of them is scanned ("7 Dec 2026").
"""

from __future__ import annotations

from django.template.defaultfilters import date as _date

# In a sentence: the weekday helps people who keep track of days rather than dates.
LONG_DATE = "l j F Y"
# In a table: the same width for every row, the month in letters so 07/12 and 12/07 cannot be confused.
TABLE_DATE = "j M Y"


def pence(value) -> str:
    """Format integer pence as pounds: 123456 -> £1,234.56; negative values keep their sign."""
    if value is None or value == "":
        return ""
    value = int(value)
    sign = "-" if value < 0 else ""
    pounds, p = divmod(abs(value), 100)
    return f"{sign}£{pounds:,}.{p:02d}"


def pence_abs(value) -> str:
    """Pounds without the sign, for "£12.00 in credit"."""
    return pence(abs(int(value))) if value not in (None, "") else ""


def long_date(value) -> str:
    """A date in a sentence: "Monday 7 December 2026" (a datetime in local time is shown by its day)."""
    return _date(value, LONG_DATE)


def clock(value) -> str:
    """A time as GOV.UK writes it: "2:30pm", "10am", "midday", "midnight" (Django's own formats give
    "2:30p.m."). An aware datetime is shown in local time."""
    if value in (None, ""):
        return ""
    hours, minutes = (int(part) for part in _date(value, "G:i").split(":"))
    if minutes == 0 and hours in (0, 12):
        return "midnight" if hours == 0 else "midday"
    suffix = "am" if hours < 12 else "pm"
    shown = hours % 12 or 12
    return f"{shown}{suffix}" if minutes == 0 else f"{shown}:{minutes:02d}{suffix}"


def long_datetime(value) -> str:
    """A moment in a sentence: "Monday 7 December 2026 at 2:30pm"."""
    if value in (None, ""):
        return ""
    return f"{_date(value, LONG_DATE)} at {clock(value)}"


def table_date(value) -> str:
    """A date in a table column: "7 Dec 2026"."""
    return _date(value, TABLE_DATE)


def table_datetime(value) -> str:
    """A moment in a table column: "7 Dec 2026, 2:30pm"."""
    if value in (None, ""):
        return ""
    return f"{_date(value, TABLE_DATE)}, {clock(value)}"
