"""Issue 17 item 10: feeds on the real address that honour the search, and truthful JSON-LD."""

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from .test_search import listing


def ld(client, opp):
    html = client.get(reverse("employment:detail", args=[opp.pk])).content.decode()
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://works.hackney.example"
    return settings.SITE_URL


@pytest.mark.django_db
def test_rss_uses_the_site_address_honours_the_search_and_declares_itself(client, site):
    listing("Night baker", "Bread overnight", kind="job")
    listing("Baker apprentice", "Learn to bake", kind="apprenticeship")
    listing("Gardener")
    response = client.get(reverse("employment:feed_rss"), {"q": "baker", "kind": "job"})
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    body = response.content.decode()
    assert "example.com" not in body
    root = ET.fromstring(body)  # noqa: S314 - our own output
    items = root.findall("./channel/item")
    assert [i.findtext("title") for i in items] == ["Night baker, Acme Ltd"]
    assert items[0].findtext("link").startswith(f"{site}/jobs/")
    self_link = root.find("./channel/{http://www.w3.org/2005/Atom}link")
    assert self_link.get("rel") == "self"
    assert self_link.get("href") == f"{site}/jobs/feed.rss?q=baker&kind=job"
    assert "Pay: £14.00 per hour" in items[0].findtext("description")


@pytest.mark.django_db
def test_json_feed_type_feed_url_and_filters(client, site):
    listing("Night baker", kind="job")
    listing("Baker apprentice", kind="apprenticeship")
    response = client.get(reverse("employment:feed_json"), {"q": "baker", "kind": "apprenticeship"})
    assert response["Content-Type"] == "application/feed+json"
    feed = json.loads(response.content)
    assert feed["feed_url"] == f"{site}/jobs/feed.json?q=baker&kind=apprenticeship"
    assert feed["home_page_url"] == f"{site}/jobs/?q=baker&kind=apprenticeship"
    assert [i["title"] for i in feed["items"]] == ["Baker apprentice"]
    assert feed["items"][0]["url"].startswith(f"{site}/jobs/")


@pytest.mark.django_db
def test_search_page_advertises_its_feeds(client):
    html = client.get(reverse("employment:search"), {"q": "chef"}).content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/jobs/feed.rss?q=chef"' in html
    assert '<link rel="alternate" type="application/feed+json"' in html


@pytest.mark.django_db
def test_json_ld_types_by_kind(client, site):
    volunteer = listing(
        "Food bank volunteer",
        kind="volunteering",
        pay_period="none",
        pay_min_pence=0,
        pay_max_pence=0,
        contract="none",
    )
    assert ld(client, volunteer)["employmentType"] == "VOLUNTEER"
    course = listing(
        "Food hygiene course",
        kind="training",
        pay_period="none",
        pay_min_pence=0,
        pay_max_pence=0,
        contract="none",
    )
    data = ld(client, course)
    assert data["@type"] == "Course"
    assert data["provider"]["name"] == "Acme Ltd"
    event = listing(
        "Jobs fair", kind="event", pay_period="none", pay_min_pence=0, pay_max_pence=0, contract="none"
    )
    assert ld(client, event)["@type"] == "Event"
    temp = listing("Warehouse temp", contract="temporary", hours="full_time")
    data = ld(client, temp)
    assert data["@type"] == "JobPosting"
    assert data["employmentType"] == ["FULL_TIME", "TEMPORARY"]
    assert data["url"].startswith(site)


@pytest.mark.django_db
def test_valid_through_uses_the_london_offset_and_the_address_is_full(client):
    from employment.structured_data import valid_through

    assert valid_through(dt.date(2026, 7, 1)) == "2026-07-01T23:59:59+01:00"
    assert valid_through(dt.date(2026, 12, 1)) == "2026-12-01T23:59:59+00:00"
    opp = listing("Porter")
    data = ld(client, opp)
    assert data["validThrough"] == valid_through(opp.closing_date)
    address = data["jobLocation"]["address"]
    assert address["addressLocality"] == "London"
    assert address["addressRegion"] == "Greater London"
    assert address["postalCode"] == "E8 1EA"
