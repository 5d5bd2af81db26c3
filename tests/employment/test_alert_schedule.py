"""When job alerts go out: by London date, so the clock changes neither skip a daily alert nor move a weekly
one to another weekday (the task runs at 07:00 London time, which is 23 or 25 hours after the day before)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from employment import services
from employment.models import Opportunity, SavedSearch
from tests.employment.test_search import listing

LONDON = ZoneInfo("Europe/London")


def _at(day: dt.date, hour: int = 7, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def _search(frequency: str, last_sent_at: dt.datetime) -> SavedSearch:
    return SavedSearch.objects.create(
        email="al@example.org",
        frequency=frequency,
        query="q=chef",
        token="t" * 40,
        confirmed_at=last_sent_at - dt.timedelta(days=30),
        last_sent_at=last_sent_at,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("frequency", "last", "run"),
    [
        # Spring: 07:00 GMT Saturday 28 March to 07:00 BST Sunday 29 March 2026 is 23 hours.
        ("daily", _at(dt.date(2026, 3, 28)), _at(dt.date(2026, 3, 29))),
        # 167 hours, Monday to Monday.
        ("weekly", _at(dt.date(2026, 3, 23)), _at(dt.date(2026, 3, 30))),
        # Beat fired an hour late on the Sunday: Monday's run is 23 hours later.
        ("daily", _at(dt.date(2026, 3, 29), 8), _at(dt.date(2026, 3, 30))),
        # Autumn: 25 and 169 hours.
        ("daily", _at(dt.date(2026, 10, 24)), _at(dt.date(2026, 10, 25))),
        ("weekly", _at(dt.date(2026, 10, 19)), _at(dt.date(2026, 10, 26))),
        # Beat fired an hour early on the Sunday: 24 hours after Saturday's run, still the next day.
        ("daily", _at(dt.date(2026, 10, 24)), _at(dt.date(2026, 10, 25), 6)),
    ],
    ids=[
        "daily-spring",
        "weekly-spring",
        "daily-spring-late-run",
        "daily-autumn",
        "weekly-autumn",
        "daily-autumn-early-run",
    ],
)
def test_alert_goes_out_on_schedule_across_the_clock_changes(frequency, last, run):
    search = _search(frequency, last)
    opp = listing("Chef")
    Opportunity.objects.filter(pk=opp.pk).update(published_at=last + dt.timedelta(hours=3))
    assert services.alerts_send(now=run) == 1
    search.refresh_from_db()
    assert search.last_sent_at == run


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("frequency", "last", "run"),
    [
        # A second run on the same London day, the clocks having gone forward in between.
        ("daily", _at(dt.date(2026, 3, 29), 0, 30), _at(dt.date(2026, 3, 29), 23, 30)),
        # A second run on the day the clocks go back, 25 hours long.
        ("daily", _at(dt.date(2026, 10, 25), 0, 30), _at(dt.date(2026, 10, 25), 23, 30)),
        # Six days on, across each change.
        ("weekly", _at(dt.date(2026, 3, 23)), _at(dt.date(2026, 3, 29), 23, 59)),
        ("weekly", _at(dt.date(2026, 10, 19)), _at(dt.date(2026, 10, 25), 23, 59)),
    ],
    ids=["daily-spring-same-day", "daily-autumn-same-day", "weekly-spring-day-6", "weekly-autumn-day-6"],
)
def test_alert_is_not_sent_again_too_soon_across_the_clock_changes(frequency, last, run):
    search = _search(frequency, last)
    opp = listing("Chef")
    Opportunity.objects.filter(pk=opp.pk).update(published_at=last + dt.timedelta(minutes=10))
    assert services.alerts_send(now=run) == 0
    search.refresh_from_db()
    assert search.last_sent_at == last


def _days_sent(search: SavedSearch, first: dt.date, last: dt.date) -> list[dt.date]:
    """Run the 07:00 London task every day from `first` to `last`: the days the search was sent."""
    sent = []
    day = first
    while day <= last:
        services.alerts_send(now=_at(day))
        search.refresh_from_db()
        if search.last_sent_at == _at(day):
            sent.append(day)
        day += dt.timedelta(days=1)
    return sent


def _every(first: dt.date, last: dt.date, step: int) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(0, (last - first).days + 1, step)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "last"),
    [(dt.date(2026, 3, 16), dt.date(2026, 4, 13)), (dt.date(2026, 10, 12), dt.date(2026, 11, 9))],
    ids=["spring", "autumn"],
)
@pytest.mark.parametrize("frequency", ["daily", "weekly"])
def test_daily_alerts_go_every_day_and_weekly_ones_keep_their_weekday(frequency, first, last):
    # Sent last on the Monday before `first` (also a Monday), at the scheduled time.
    search = _search(frequency, _at(first - dt.timedelta(days=7)))
    step = 1 if frequency == "daily" else 7
    assert _days_sent(search, first, last) == _every(first, last, step)
