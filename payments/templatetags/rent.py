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
