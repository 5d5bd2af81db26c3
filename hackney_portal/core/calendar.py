"""The clock every service shares: times are stored in UTC, business dates are London dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def business_date(at: dt.datetime | None = None) -> dt.date:
    """The date in London for a moment (times are stored in UTC; business dates are local)."""
    return (at or timezone.now()).astimezone(LONDON).date()
