"""Issue 17 item 3: disjunctive facet counts, a count on every filter, pay and closing date on each card."""

import datetime as dt

import pytest
from django.urls import reverse

from employment.selectors import opportunity_search
from payments.calendar import business_date

from .test_search import listing


@pytest.fixture
def mix(db):
    listing(
        "Job A", kind="job", sector="Retail", contract="permanent", pay_min_pence=1500, pay_max_pence=1500
    )
    listing("Job B", kind="job", sector="Retail", contract="temporary", closing_in=3)
    listing("Apprentice C", kind="apprenticeship", sector="Construction", pay_min_pence=0, pay_max_pence=1000)
    listing(
        "Volunteer D",
        kind="volunteering",
        sector="Care",
        pay_period="none",
        pay_min_pence=0,
        pay_max_pence=0,
        closing_in=30,
    )


@pytest.mark.django_db
def test_ticking_a_kind_still_counts_the_other_kinds(mix):
    result = opportunity_search(params={"kind": ["job"]})
    assert result.count == 2
    assert result.counts["kind"] == {"job": 2, "apprenticeship": 1, "volunteering": 1}
    # Other groups are narrowed by the kind that is ticked.
    assert result.counts["sector"] == {"Retail": 2}
    assert result.counts["contract"] == {"permanent": 1, "temporary": 1}
    # Two choices in one group are OR; each count is what adding that choice would show.
    both = opportunity_search(params={"kind": ["job", "apprenticeship"], "sector": ["Retail"]})
    assert both.count == 2
    assert both.counts["kind"] == {"job": 2}
    assert both.counts["sector"] == {"Retail": 2, "Construction": 1}


@pytest.mark.django_db
def test_every_filter_has_a_count_that_matches_what_ticking_it_shows(mix):
    result = opportunity_search(params={"living_wage": True})
    assert result.count == 1
    assert result.counts["living_wage"] == 1
    assert result.counts["closing_soon"] == 0  # the one closing soon is not Living Wage
    everything = opportunity_search(params={})
    assert everything.counts["closing_soon"] == 1
    assert opportunity_search(params={"closing_soon": True}).count == 1
    for value, n in everything.counts["min_pay"].items():
        assert opportunity_search(params={"min_pay": value}).count == n
    for value, n in everything.counts["posted_within"].items():
        assert opportunity_search(params={"posted_within": value}).count == n
    assert everything.counts["posted_within"]["1"] == 4
    assert everything.counts["min_pay"]["25000"] == 2


@pytest.mark.django_db
def test_search_page_shows_counts_pay_and_closing_date(client, mix):
    html = client.get(reverse("employment:search"), {"kind": "job"}).content.decode()
    assert "Apprenticeship (1)" in html
    assert "Job (2)" in html
    assert "Closing in the next 7 days (1)" in html
    assert "£25,000 (2)" in html
    assert "In the last 7 days (2)" in html
    closing = (business_date() + dt.timedelta(days=3)).strftime("%A %-d %B %Y")
    assert "Pay: <strong>£14.00 per hour</strong> · Closes <strong>" + closing in html  # Job B
