"""Rent money in words a resident reads: a credit is "£40.00 in credit", never "-£40.00"."""

from django import template

from hackney_portal.frontend.formatting import pence

register = template.Library()


def balance_words(value: int) -> str:
    value = int(value)
    return f"{pence(-value)} in credit" if value < 0 else pence(value)


@register.filter
def balance(value) -> str:
    """A balance: what is owed as "£160.00", a credit as "£40.00 in credit"."""
    return "" if value in (None, "") else balance_words(value)


@register.filter
def charge(value) -> str:
    """The charge column: a debit's amount, blank for a credit."""
    return pence(value) if value not in (None, "") and int(value) > 0 else ""


@register.filter
def payment(value) -> str:
    """The payment column: a credit's amount without its sign, blank for a debit."""
    return pence(-int(value)) if value not in (None, "") and int(value) < 0 else ""


@register.filter
def rent_week_span(entry) -> str:
    """Which rent week a weekly charge is for, in words: "Rent week 1: 6 to 12 April 2026". Rent weeks run
    Monday to Sunday, so a charge posted on any day names the Monday-to-Sunday week it falls in."""
    import datetime as dt

    day = entry.business_date
    monday = day - dt.timedelta(days=day.weekday())
    sunday = monday + dt.timedelta(days=6)
    if monday.year != sunday.year:
        span = f"{monday.day} {monday:%B %Y} to {sunday.day} {sunday:%B %Y}"
    elif monday.month != sunday.month:
        span = f"{monday.day} {monday:%B} to {sunday.day} {sunday:%B %Y}"
    else:
        span = f"{monday.day} to {sunday.day} {sunday:%B %Y}"
    return f"Rent week {entry.rent_week}: {span}"


@register.filter
def is_weekly_charge(entry) -> bool:
    from ..statement import WEEKLY_CHARGES

    return entry.kind in WEEKLY_CHARGES
