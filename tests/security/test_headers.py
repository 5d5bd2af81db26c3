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


def test_the_policy_built_once_is_django_csps_own_and_follows_a_changed_setting_and_a_views_changes(
    client, settings, rf
):
    from csp.constants import NONCE
    from csp.decorators import csp_update
    from csp.utils import build_policy
    from django.http import HttpResponse

    from hackney_portal.core.middleware import ContentSecurityPolicyMiddleware

    assert client.get("/")["Content-Security-Policy"] == build_policy()
    assert client.get("/jobs/")["Content-Security-Policy"] == build_policy()

    # A view that changes the policy, or a page that reads a nonce, still gets its own header.
    @csp_update({"img-src": ["https://maps.example"]})
    def changed(request):
        return HttpResponse()

    def nonced(request):
        return HttpResponse(str(request.csp_nonce))

    middleware = ContentSecurityPolicyMiddleware(lambda request: None)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    for view, expected in ((changed, "https://maps.example"), (nonced, "'nonce-")):
        request = rf.get("/")
        middleware.process_request(request)
        response = middleware.process_response(request, view(request))
        assert expected in response["Content-Security-Policy"]

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/jobs/")["Content-Security-Policy"] == "default-src 'none'"
