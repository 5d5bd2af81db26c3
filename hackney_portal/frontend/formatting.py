"""Money and dates as a resident reads them, one way everywhere (pages, emails, letters and the back office).

Money is kept in integer pence and shown in pounds: 123456 -> "£1,234.56". Dates follow the GOV.UK style
guide: written out in full in prose ("Monday 7 December 2026") and short but unambiguous in tables, where a
column of them is scanned ("7 Dec 2026").
"""

from __future__ import annotations

from django.template.defaultfilters import date as _date

# In a sentence: the weekday helps people who keep track of days rather than dates.
LONG_DATE = "l j F Y"
LONG_DATETIME = "l j F Y \\a\\t g:ia"
# In a table: the same width for every row, the month in letters so 07/12 and 12/07 cannot be confused.
TABLE_DATE = "j M Y"
TABLE_DATETIME = "j M Y, g:ia"


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


def long_datetime(value) -> str:
    """A moment in a sentence: "Monday 7 December 2026 at 2:30p.m." (Django's a.m./p.m.)."""
    return _date(value, LONG_DATETIME)


def table_date(value) -> str:
    """A date in a table column: "7 Dec 2026"."""
    return _date(value, TABLE_DATE)


def table_datetime(value) -> str:
    """A moment in a table column: "7 Dec 2026, 2:30p.m."."""
    return _date(value, TABLE_DATETIME)
