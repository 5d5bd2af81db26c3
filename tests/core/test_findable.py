"""Findable: a description for each page, a phase banner with a feedback link, a sitemap of public pages."""

import re

import pytest
from django.urls import reverse

PAGES = [
    "/",
    "/accessibility/",
    "/privacy/",
    "/cookies/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/pay-rent/",
    "/jobs/",
    "/housing-help/",
    "/housing-help/refer/",
    "/no-such-page/",
]


def _description(html: str) -> str:
    found = re.findall(r'<meta name="description" content="([^"]*)">', html)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.django_db
def test_every_public_page_has_its_own_description(client):
    descriptions = {path: _description(client.get(path).content.decode()) for path in PAGES}
    for path, text in descriptions.items():
        assert len(text) > 40, (path, text)
        assert "{" not in text, (path, text)
    assert len(set(descriptions.values())) == len(PAGES), descriptions


@pytest.mark.django_db
def test_a_page_without_its_own_description_gets_one_from_its_title(client):
    assert _description(client.get("/no-such-page/").content.decode()).startswith("Page not found: ")


@pytest.mark.django_db
def test_phase_banner_with_a_feedback_link(client, settings):
    html = client.get("/").content.decode()
    assert 'class="govuk-phase-banner"' in html
    assert '<strong class="govuk-tag govuk-phase-banner__content__tag">Beta</strong>' in html
    assert f'href="mailto:{settings.COUNCIL["contact_email"]}?subject=Feedback' in html
    settings.COUNCIL = {**settings.COUNCIL, "feedback_url": "https://forms.example.gov.uk/portal"}
    html = client.get("/").content.decode()
    assert 'href="https://forms.example.gov.uk/portal">feedback</a>' in html


@pytest.mark.django_db
def test_sitemap_lists_public_pages_at_the_public_address(client, settings):
    settings.SITE_URL = "https://portal.example.gov.uk"
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    for path in ("/", "/pay-rent/", "/jobs/", "/housing-help/", "/accessibility/", "/accounts/signup/"):
        assert f"https://portal.example.gov.uk{path}" in locations
    assert reverse("users:settings") not in xml
    assert "/housing-help/cases/" not in xml
    assert f"/{settings.ADMIN_URL}" not in xml
    assert "example.com" not in xml
