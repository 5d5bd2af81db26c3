"""Issue 18: the search page's work is bounded. One statement gives the counts and the page's ids over a
candidate set of at most CANDIDATE_CAP matches; a broader search says so rather than counting them all;
the page runs a fixed number of queries whatever the number of matches."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from employment.models import Opportunity, Synonym
from employment.selectors import opportunity_search, search_sql
from employment.selectors import search as search_module

from .test_search import listing


@pytest.fixture
def cap(monkeypatch):
    def set_cap(n: int) -> None:
        monkeypatch.setattr(search_sql, "CANDIDATE_CAP", n)
        monkeypatch.setattr(search_module, "CANDIDATE_CAP", n)

    return set_cap


@pytest.mark.django_db
def test_a_search_broader_than_the_cap_says_more_than_and_its_counts_are_lower_bounds(client, cap):
    for i in range(5):
        listing(f"Chef {i}")
    cap(3)
    result = opportunity_search(params={"q": "chef"})
    assert result.capped
    assert len(result.page.object_list) == 3  # never more than the cap to page through
    assert result.counts["kind"] == {"job": "4 or more"}
    assert result.counts["living_wage"] == "0 or more"
    html = client.get(reverse("employment:search"), {"q": "chef"}).content.decode()
    assert "More than 3 results" in html
    assert "Job (4 or more)" in " ".join(html.split())
    cap(10)
    exact = opportunity_search(params={"q": "chef"})
    assert (exact.capped, exact.count, exact.counts["kind"]) == (False, 5, {"job": 5})


@pytest.mark.django_db
def test_counts_over_a_thousand_in_a_capped_set_read_more_than_a_thousand():
    assert search_sql.count_text(1001, capped=True) == "more than 1,000"
    assert search_sql.count_text(1000, capped=True) == "1,000 or more"
    assert search_sql.count_text(1001, capped=False) == 1001


@pytest.mark.django_db
def test_newest_first_under_the_cap_is_still_the_newest(cap):
    """The candidates are taken in the sort's own order, so a broad search (or none) does not show
    whichever listings the index met first."""
    now = timezone.now()
    for i in range(6):
        opp = listing(f"Porter {i}")
        Opportunity.objects.filter(pk=opp.pk).update(published_at=now - dt.timedelta(days=6 - i))
    cap(3)
    assert [o.title for o in opportunity_search(params={}).page.object_list] == [
        "Porter 5",
        "Porter 4",
        "Porter 3",
    ]
    closing = opportunity_search(params={"q": "porter", "sort": "closing"})
    assert len(closing.page.object_list) == 3


@pytest.mark.django_db
def test_the_search_runs_a_fixed_number_of_queries_whatever_it_matches():
    Synonym.objects.create(term="chef", alternatives="cook")
    for i in range(3):
        listing(f"Chef {i}")
    for params, expected in [
        ({}, 2),  # the statement, the page's rows
        ({"q": "chef"}, 3),  # the moderators' synonyms first
        ({"q": "chef", "origin": (51.5451, -0.0553), "distance": "2", "kind": ["job"]}, 3),
    ]:
        with CaptureQueriesContext(connection) as ctx:
            result = opportunity_search(params=params)
            list(result.page.object_list)
        assert len(ctx.captured_queries) == expected, params
    for i in range(30):
        listing(f"Chef {i + 3}")
    with CaptureQueriesContext(connection) as ctx:
        list(opportunity_search(params={"q": "chef"}).page.object_list)
    assert len(ctx.captured_queries) == 3


@pytest.mark.django_db
def test_a_page_number_past_the_end_or_absurd_is_the_last_page_not_an_error(client):
    for i in range(3):
        listing(f"Chef {i}")
    for page in ["2", "99999999999999999999999999", "-5", "x"]:
        response = client.get(reverse("employment:search"), {"q": "chef", "page": page})
        assert response.status_code == 200
        assert "3 results" in response.content.decode()
    assert len(opportunity_search(params={"q": "chef"}, page_number=10**30).page.object_list) == 3
