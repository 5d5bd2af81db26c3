"""Events have a start date and time and courses a start date: asked of the employer, shown on the card
and the page, and given to search engines as Event.startDate and the CourseInstance's startDate."""

import datetime as dt

import pytest
from django.urls import reverse

from employment.models import Opportunity
from employment.text import start_text, time_parse
from hackney_portal.core.calendar import business_date
from hackney_portal.users import roles
from tests.conftest import make_user
from tests.employment.test_employers_and_inbox import _listing_post
from tests.employment.test_feeds_and_structured_data import ld
from tests.employment.test_search import listing

UNPAID = {"pay_period": "none", "pay_min_pence": 0, "pay_max_pence": 0, "contract": "none"}


def test_times_are_read_as_people_type_them_and_shown_in_govuk_style():
    assert time_parse("18:30") == dt.time(18, 30)
    assert time_parse("6:30pm") == dt.time(18, 30)
    assert time_parse("6.30 PM") == dt.time(18, 30)
    assert time_parse("12am") == dt.time(0, 0)
    assert time_parse("9am") == dt.time(9, 0)
    for bad in ("6", "25:00", "13pm", "9:75", "teatime", "0pm", ""):
        assert time_parse(bad) is None, bad
    day = dt.date(2027, 3, 2)
    assert start_text(day, dt.time(18, 30)) == "Tuesday 2 March 2027 at 6:30pm"
    assert start_text(day, dt.time(9, 0)) == "Tuesday 2 March 2027 at 9am"
    assert start_text(day, dt.time(12, 0)) == "Tuesday 2 March 2027 at midday"
    assert start_text(day) == "Tuesday 2 March 2027"


@pytest.mark.django_db
def test_an_event_shows_when_it_starts_on_the_card_the_page_and_in_json_ld(client):
    start = dt.date(2027, 7, 14)  # summer: London is UTC+1
    event = listing("Jobs fair", kind="event", start_date=start, start_time=dt.time(18, 30), **UNPAID)
    course = listing("Forklift course", kind="training", start_date=dt.date(2027, 1, 11), **UNPAID)
    search = client.get(reverse("employment:search")).content.decode()
    assert "Starts <strong>Wednesday 14 July 2027 at 6:30pm</strong>" in search
    assert "Starts <strong>Monday 11 January 2027</strong>" in search
    page = client.get(reverse("employment:detail", args=[event.pk])).content.decode()
    assert "Wednesday 14 July 2027 at 6:30pm" in page
    assert ld(client, event)["startDate"] == "2027-07-14T18:30:00+01:00"
    assert ld(client, course)["hasCourseInstance"]["startDate"] == "2027-01-11"


@pytest.mark.django_db
def test_employers_must_say_when_an_event_or_course_starts(client):
    employer = make_user("fair@example.org", groups=[roles.EMPLOYERS])
    client.force_login(employer)
    url = reverse("employment:employer_new")
    base = {"kind": "event", "pay_period": "none", "pay_min": "", "pay_max": "", "contract": "none"}
    html = client.post(url, _listing_post(**base)).content.decode()
    assert "Enter the date the event starts" in html
    assert "Enter the time the event starts" in html
    html = client.post(url, _listing_post(**base, start_time="teatime")).content.decode()
    assert "Enter a start time like 9:30am or 6pm" in html
    html = client.post(url, _listing_post(**{**base, "kind": "training"})).content.decode()
    assert "Enter the date the course starts" in html
    assert not Opportunity.objects.exists()
    start = business_date() + dt.timedelta(days=30)
    client.post(
        url,
        _listing_post(
            **base,
            start_date_0=start.day,
            start_date_1=start.month,
            start_date_2=start.year,
            start_time="6pm",
        ),
    )
    opp = Opportunity.objects.get()
    assert (opp.status, opp.start_date, opp.start_time) == ("submitted", start, dt.time(18, 0))
    # A job has no start date, whatever is typed.
    client.post(
        url,
        _listing_post(
            title="Porter", start_date_0=start.day, start_date_1=start.month, start_date_2=start.year
        ),
    )
    assert Opportunity.objects.get(title="Porter").start_date is None


# The employer's form refuses postcodes it cannot find.
pytestmark = pytest.mark.usefixtures("known_postcodes")
