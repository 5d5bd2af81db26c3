"""Time and memory: dates written out, and a signed-in session that warns before it times out and can be
extended without leaving the page (WCAG 2.2.1)."""

import datetime as dt
import time

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse


def test_dates_are_written_out_by_default():
    rendered = Template("{{ day }}|{{ day|date }}|{{ day|date:'SHORT_DATE_FORMAT' }}").render(
        Context({"day": dt.date(2026, 12, 7)})
    )
    assert rendered == "Monday 7 December 2026|Monday 7 December 2026|7 December 2026"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_signed_in_pages_carry_the_timeout_warning(resident, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    settings.SESSION_TIMEOUT_WARNING = 300
    html = _signed_in(resident).get("/").content.decode()
    assert 'data-session-timeout="1740"' in html
    assert 'data-session-warning="300"' in html
    assert 'id="app-session-timeout"' in html
    assert f'data-extend-url="{reverse("core:session_extend")}"' in html
    assert "we will sign you out in 5 minutes or less" in html
    assert "js/session-timeout" in html
    # Without JavaScript, the page says how long a session lasts.
    assert "We sign you out if you do nothing for 30 minutes" in html


@pytest.mark.django_db
def test_signed_out_pages_have_no_timeout_warning(client):
    html = client.get("/").content.decode()
    assert "app-session-timeout" not in html
    assert "data-session-timeout" not in html


@pytest.mark.django_db
def test_stay_signed_in_restarts_the_idle_timeout(resident, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    client = _signed_in(resident)
    session = client.session
    session["_last_seen"] = int(time.time()) - 1700  # 100 seconds left
    session.save()
    response = client.post(reverse("core:session_extend"))
    assert response.status_code == 200
    assert response.json() == {"signed_in": True, "idle_timeout": 1800}
    assert client.session["_last_seen"] >= int(time.time()) - 5
    assert client.get(reverse("users:settings")).status_code == 200


@pytest.mark.django_db
def test_a_session_that_already_timed_out_is_not_brought_back(resident, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    client = _signed_in(resident)
    session = client.session
    session["_last_seen"] = int(time.time()) - 1900
    session.save()
    assert client.post(reverse("core:session_extend")).status_code == 401
    assert client.get(reverse("users:settings")).status_code == 302


@pytest.mark.django_db
def test_extending_needs_a_post_with_a_csrf_token(resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    assert client.get(reverse("core:session_extend")).status_code == 405
    assert client.post(reverse("core:session_extend")).status_code == 403
