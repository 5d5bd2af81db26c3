"""Sessions: a new id at sign-in, nothing valid after sign-out or a password change elsewhere, idle and
absolute time-outs; sign-in answers the same for known and unknown emails, throttled alike."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-pass-phrase-1"


def _sign_in(client, email=None, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email or "sam@example.org", "password": password})


def _signed_in(client) -> bool:
    return client.get(reverse("account_email")).status_code == 200


@pytest.fixture
def sam(db):
    return make_user("sam@example.org", password=PASSWORD)


def test_signing_in_issues_a_new_session_id(client, sam):
    client.get("/housing-help/apply/who/")
    client.post("/housing-help/apply/who/", {"who": "self"})  # an anonymous session with answers in it
    before = client.cookies["sessionid"].value
    assert _sign_in(client).status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert _signed_in(client)


def test_a_session_is_worthless_after_sign_out(client, sam):
    _sign_in(client)
    stolen = client.cookies["sessionid"].value
    client.post(reverse("account_logout"))
    thief = Client()
    thief.cookies["sessionid"] = stolen
    assert not _signed_in(thief)


def test_changing_the_password_signs_out_other_sessions(sam):
    laptop, phone = Client(), Client()
    _sign_in(laptop)
    _sign_in(phone)
    assert _signed_in(phone)
    response = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another-long-pass-phrase-2",
            "password2": "another-long-pass-phrase-2",
        },
    )
    assert response.status_code == 302
    assert _signed_in(laptop)
    assert not _signed_in(phone)


def test_idle_sessions_end(client, sam, settings):
    _sign_in(client)
    session = client.session
    session["_last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    assert not _signed_in(client)


def test_sessions_end_at_the_absolute_limit_however_busy(client, sam, settings):
    _sign_in(client)
    assert _signed_in(client)
    session = client.session
    # Busy all along (seen a moment ago), but signed in longer ago than the absolute limit.
    session["_signed_in_at"] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
    session["_last_seen"] = int(time.time())
    session.save()
    assert not _signed_in(client)


def _without_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html.replace("sam@example.org", "EMAIL").replace("nobody@example.org", "EMAIL")


def test_sign_in_answers_the_same_for_known_and_unknown_emails(sam):
    known, unknown = Client(), Client()
    a = _sign_in(known, "sam@example.org", "wrong-password-1")
    b = _sign_in(unknown, "nobody@example.org", "wrong-password-1")
    assert a.status_code == b.status_code == 200
    assert _without_tokens(a.content.decode()) == _without_tokens(b.content.decode())
    # Throttled alike: after repeated failures both get the same refusal.
    for i in range(6):
        a = _sign_in(known, "sam@example.org", f"wrong-{i}")
        b = _sign_in(unknown, "nobody@example.org", f"wrong-{i}")
    assert "Too many failed attempts to sign in" in a.content.decode()
    assert _without_tokens(a.content.decode()) == _without_tokens(b.content.decode())
