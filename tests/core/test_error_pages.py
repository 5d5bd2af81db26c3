"""`make run` runs with DEBUG on: errors must still show the portal's pages, never Django's technical ones."""

import logging

import pytest
from django.test import Client


@pytest.fixture
def debug_client(settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["testserver"]
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_debug_404_is_the_portal_page_not_the_url_list(debug_client):
    response = debug_client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert "govuk-footer" in html
    assert "URLconf" not in html
    assert "pay-rent/" not in html.replace('href="/pay-rent/', "")


@pytest.mark.django_db
def test_debug_404_raised_by_a_view_is_the_portal_page(debug_client):
    # A view's get_object_or_404 (a valid route, unknown object) goes through the same Http404 path.
    response = debug_client.get("/housing-help/status/not-a-real-token/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert "Raised by" not in html


@pytest.mark.django_db
def test_debug_500_is_the_portal_page_and_the_traceback_goes_to_the_log(debug_client, settings, caplog):
    settings.ROOT_URLCONF = "tests.core.error_urls"
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = debug_client.get("/__boom__/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "govuk-footer" in html
    assert "secret detail 7f3a" not in html
    assert "Traceback" not in html
    assert "SECRET_KEY" not in html
    logged = [r for r in caplog.records if r.exc_info]
    assert logged
    assert "secret detail 7f3a" in str(logged[0].exc_info[1])


@pytest.mark.django_db
def test_debug_bad_host_is_the_portal_400_page(debug_client):
    response = debug_client.get("/", HTTP_HOST="evil.example")
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-footer" in html
    assert "DisallowedHost" not in html
    assert "ALLOWED_HOSTS" not in html


@pytest.mark.django_db
def test_technical_pages_come_back_when_asked_for(debug_client, settings):
    settings.PORTAL_TECHNICAL_ERROR_PAGES = True
    html = debug_client.get("/no-such-page/").content.decode()
    assert "URLconf" in html


@pytest.mark.django_db
def test_debug_500_still_answers_and_logs_when_the_error_page_itself_fails(debug_client, settings, caplog):
    settings.ROOT_URLCONF = "tests.core.error_urls_broken"
    with caplog.at_level(logging.ERROR):
        response = debug_client.get("/__boom__/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert "secret detail 7f3a" not in response.content.decode()
    messages = [str(r.exc_info[1]) for r in caplog.records if r.exc_info]
    assert "the error page is broken too" in messages
    assert "deliberate failure with secret detail 7f3a" in messages
