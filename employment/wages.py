"""Pay rules: the hourly equivalent of a listing's pay and how it compares with the rates in force.

Pure functions. The rates themselves are data (the `PayRate` table, seeded by migration 0008 and kept up to
date by moderators): hourly pence with the date each takes effect; the rate on a date is the latest row on
or before it. Nothing here trusts what an employer says about their pay.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

LONDON_LIVING_WAGE = "london_living_wage"
AGE_BANDS = [
    ("21_plus", "21 and over"),
    ("18_20", "18 to 20"),
    ("under_18", "Under 18"),
    ("apprentice", "Apprentice (under 19, or in the first year)"),
]
RATE_KINDS = [*AGE_BANDS, (LONDON_LIVING_WAGE, "London Living Wage")]
WEEKS_PER_YEAR = Decimal("52.14")
# Unpaid by nature: giving time, or learning. Any other unpaid listing is held for a moderator.
UNPAID_KINDS = {"volunteering", "training", "event"}

# The rates as published, for the migration that seeds the table (and for tests of the rules alone).
# National Living Wage and National Minimum Wage from 1 April; London Living Wage (Living Wage Foundation)
# from its announcement each autumn.
SEED_RATES = [
    ("21_plus", dt.date(2025, 4, 1), 1221),
    ("18_20", dt.date(2025, 4, 1), 1000),
    ("under_18", dt.date(2025, 4, 1), 755),
    ("apprentice", dt.date(2025, 4, 1), 755),
    ("21_plus", dt.date(2026, 4, 1), 1271),
    ("18_20", dt.date(2026, 4, 1), 1085),
    ("under_18", dt.date(2026, 4, 1), 800),
    ("apprentice", dt.date(2026, 4, 1), 800),
    (LONDON_LIVING_WAGE, dt.date(2024, 10, 22), 1385),
    (LONDON_LIVING_WAGE, dt.date(2025, 10, 22), 1480),
]


def rate_on(rates, kind: str, on: dt.date) -> int | None:
    """The hourly rate in pence in force on a date, from (kind, effective_from, pence) rows."""
    best = None
    for k, start, pence in rates:
        if k == kind and start <= on and (best is None or start > best[0]):
            best = (start, pence)
    return best[1] if best else None


def hourly_pence(pay_pence: int, period: str, hours_per_week) -> Decimal | None:
    """Hourly equivalent in pence; a yearly figure over the stated weekly hours (52.14 weeks a year).
    None when it cannot be known (no pay, or yearly pay with no hours stated)."""
    if period == "hour":
        return Decimal(pay_pence)
    if period == "year":
        if not hours_per_week or Decimal(hours_per_week) <= 0:
            return None
        return Decimal(pay_pence) / (Decimal(hours_per_week) * WEEKS_PER_YEAR)
    return None


@dataclass
class WageCheck:
    hourly: Decimal | None
    minimum: int | None
    living_wage: int | None
    meets_london_living_wage: bool
    below_minimum: bool
    problems: list[str] = field(default_factory=list)


def wage_check(
    *,
    kind: str,
    pay_min_pence: int,
    pay_max_pence: int,
    pay_period: str,
    hours_per_week,
    age_band: str,
    claims_london_living_wage: bool,
    on: dt.date,
    rates,
) -> WageCheck:
    """Compare the lowest pay offered with the minimum for the youngest people it is open to and with the
    London Living Wage, both as in force on the listing's date."""
    lowest = pay_min_pence or pay_max_pence
    # An apprenticeship may pay the apprentice rate (under 19, or in the first year), the lowest there is.
    minimum = rate_on(rates, "apprentice" if kind == "apprenticeship" else age_band, on)
    llw = rate_on(rates, LONDON_LIVING_WAGE, on)
    problems: list[str] = []
    unpaid = pay_period == "none" or not lowest
    hourly = None if unpaid else hourly_pence(lowest, pay_period, hours_per_week)
    below = False
    if unpaid:
        if kind not in UNPAID_KINDS:
            below = True
            problems.append("Unpaid, and not volunteering")
    elif hourly is None:
        below = True
        problems.append("Yearly pay with no weekly hours, so the hourly pay cannot be checked")
    elif minimum is not None and hourly < minimum:
        below = True
        problems.append(f"£{hourly / 100:.2f} an hour is below the minimum of £{minimum / 100:.2f}")
    meets = hourly is not None and llw is not None and hourly >= llw
    if claims_london_living_wage and not meets:
        problems.append(
            "The employer says London Living Wage, but the pay does not meet "
            + (f"£{llw / 100:.2f} an hour" if llw else "it")
        )
    return WageCheck(
        hourly=hourly,
        minimum=minimum,
        living_wage=llw,
        meets_london_living_wage=meets,
        below_minimum=below,
        problems=problems,
    )
