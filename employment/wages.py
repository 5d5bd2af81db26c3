"""National Minimum Wage rates by age band, in pence per hour, with the date each set took effect.

Source: the government's National Minimum Wage and National Living Wage rates. Add a row each April; the
rate in force on a date is the latest row on or before it.
"""

import datetime as dt

RATES = [
    (dt.date(2025, 4, 1), {"21_plus": 1221, "18_20": 1000, "under_18": 755, "apprentice": 755}),
    (dt.date(2026, 4, 1), {"21_plus": 1271, "18_20": 1085, "under_18": 800, "apprentice": 800}),
]
AGE_BANDS = [
    ("21_plus", "21 and over"),
    ("18_20", "18 to 20"),
    ("under_18", "Under 18"),
    ("apprentice", "Apprentice (under 19, or in the first year)"),
]
HOURS_PER_YEAR = 37.5 * 52


def minimum_hourly_pence(age_band: str, on: dt.date) -> int:
    rates = [r for start, r in RATES if start <= on]
    return (rates[-1] if rates else RATES[0][1])[age_band]


def below_minimum_wage(*, pay_min_pence: int, pay_period: str, age_band: str, on: dt.date) -> bool:
    if pay_period == "none":
        return False  # volunteering, courses and events are unpaid by nature
    hourly = pay_min_pence if pay_period == "hour" else pay_min_pence / HOURS_PER_YEAR
    return hourly < minimum_hourly_pence(age_band, on)
