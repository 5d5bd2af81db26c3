"""Security headers on every public page, and no caching of pages that hold personal data."""

import re

import pytest
from django.urls import reverse

from homelessness import services as hl_services

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/",
    "/pay-rent/",
    "/jobs/",
    "/jobs/feed.rss",
    "/housing-help/",
    "/housing-help/refer/",
    "/housing-help/apply/who/",
    "/accounts/login/",
    "/accounts/signup/",
    "/no-such-page/",
]


@pytest.mark.parametrize("path", PUBLIC)
def test_every_public_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp


def test_pages_with_personal_data_are_never_cached(client, make_case, resident):
    case = make_case(actor=resident)
    client.force_login(resident)
    for path in (
        "/housing-help/apply/who/",
        f"/housing-help/cases/{case.reference}/",
        "/housing-help/cases/",
        reverse("payments:history"),
    ):
        response = client.get(path)
        assert response.status_code in (200, 302), path
        assert "no-store" in response["Cache-Control"], path
    anonymous = client.__class__()
    link = anonymous.get(f"/housing-help/status/{hl_services.case_status_token(case)}/")
    assert "no-store" in link["Cache-Control"]
