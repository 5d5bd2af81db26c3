import datetime as dt

import pytest

from payments.demo import DEMO_ACCOUNTS, demo_load
from payments.models import LedgerEntry


@pytest.mark.django_db
@pytest.mark.parametrize("today", ["2026-11-30", "2026-12-01", "2026-12-02", "2027-04-05"])
def test_demo_history_posts_nothing_after_today(today):
    """Benefit lands on Thursday and Direct Debit on Tuesday: loaded on a Monday, the demo used to post them
    days ahead, so a statement showed money that had not moved yet."""
    today = dt.date.fromisoformat(today)
    demo_load(users={}, today=today)
    entries = LedgerEntry.objects.all()
    assert entries.count() > 3 * 52
    assert not entries.filter(business_date__gt=today).exists()
    # This week's rent is there: the history runs right up to today.
    monday = today - dt.timedelta(days=today.weekday())
    assert entries.filter(kind="rent", business_date=monday).count() == len(DEMO_ACCOUNTS)
    # Rent is charged on the Monday that starts each rent week.
    assert {e.business_date.weekday() for e in entries.filter(kind="rent")} == {0}
