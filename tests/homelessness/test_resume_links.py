"""Resume links and drafts, attacked as a stranger would with the test client.

The attack: start a draft, have the council email its resume link to someone else, then read back what
that person types. Also: a draft left behind on a shared device, and "Exit this page".
"""

import re

import pytest
from django.test import Client

from homelessness.demo import FORM_PAGES as PAGES
from homelessness.models import IntakeDraft

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.org"


def _path(url: str) -> str:
    return "/housing-help/" + url.split("/housing-help/", 1)[1]


def _resume_link(mailbox, to=VICTIM) -> str:
    (email,) = [m for m in mailbox if m.to == [to] and "Carry on" in m.subject]
    return _path(re.search(r"http\S+/housing-help/apply/resume/\S+/", email.body).group(0))


def _open(client, link):
    """Open the emailed link and press the button on the page it shows (a GET alone changes nothing)."""
    page = client.get(link)
    # (Whether a GET alone changes anything is test_a_resume_link_only_shows_a_button_until_it_is_pressed.)
    return client.post(link) if page.status_code == 200 else page


def _stranger_sends_a_link_to_the_victim(mailbox, on_commit) -> Client:
    stranger = Client()
    stranger.post("/housing-help/apply/who/", PAGES["who"])
    response = stranger.post("/housing-help/apply/safe-tonight/", {**PAGES["safe-tonight"], "save": "1"})
    assert response.url == "/housing-help/apply/saved/"
    with on_commit(execute=True):
        stranger.post(response.url, {"email": VICTIM})
    return stranger


def test_the_stranger_who_started_a_draft_cannot_read_what_the_victim_types(client, mailbox, on_commit):
    stranger = _stranger_sends_a_link_to_the_victim(mailbox, on_commit)
    victim = client
    response = _open(victim, _resume_link(mailbox))
    assert response.url == "/housing-help/apply/"
    victim.post("/housing-help/apply/contact-method/", {"safe_method": "phone"})
    victim.post("/housing-help/apply/contact-phone/", {"phone": "07700900111"})
    victim.post("/housing-help/apply/contact-times/", {"safe_times": "Only after 2pm"})
    victim.post("/housing-help/apply/full-name/", {"full_name": "Victoria Secret-Name"})

    # The stranger's browser still holds the session it started the draft in.
    for url in (
        "/housing-help/apply/contact-phone/",
        "/housing-help/apply/contact-times/",
        "/housing-help/apply/about/",
        "/housing-help/apply/check-your-answers/",
    ):
        response = stranger.get(url, follow=True)
        body = response.content.decode()
        assert "Victoria Secret-Name" not in body
        assert "07700900111" not in body
        assert "Only after 2pm" not in body
    # Nor can the stranger write into it: what they post goes into a draft of their own.
    stranger.post("/housing-help/apply/full-name/", {"full_name": "Planted Name"})
    victims = IntakeDraft.objects.get(resume_email=VICTIM)
    assert victims.answers["about"]["full_name"] == "Victoria Secret-Name"
    assert victims.verified_email == VICTIM


def test_contact_details_the_stranger_planted_are_asked_again_and_never_offered_for_the_next_link(
    client, mailbox, on_commit
):
    stranger = Client()
    stranger.post("/housing-help/apply/who/", PAGES["who"])
    stranger.post("/housing-help/apply/contact-method/", {"safe_method": "email"})
    stranger.post("/housing-help/apply/contact-email/", {"email": "attacker@example.net"})
    with on_commit(execute=True):
        stranger.post("/housing-help/apply/saved/", {"email": VICTIM})
    _open(client, _resume_link(mailbox))
    # Updates about the case would go to the contact address: the victim is asked for it again.
    assert client.get("/housing-help/apply/").url == "/housing-help/apply/safe-tonight/"
    assert "attacker@example.net" not in client.get("/housing-help/apply/contact-email/").content.decode()
    # Saving again offers the address that proved it is theirs, not one the stranger typed.
    page = client.get("/housing-help/apply/saved/").content.decode()
    assert "attacker@example.net" not in page
    assert VICTIM in page


def test_a_used_resume_link_cannot_be_used_again(client, mailbox, on_commit):
    _stranger_sends_a_link_to_the_victim(mailbox, on_commit)
    link = _resume_link(mailbox)
    _open(client, link)
    client.post("/housing-help/apply/risk/", PAGES["risk"])
    # The stranger (who may also read the victim's mail, or has the link from a forwarded email) tries again.
    again = Client()
    assert again.get(link).status_code == 404
    assert again.post(link).status_code == 404
    assert "risk" not in (again.get("/housing-help/apply/risk/").context or {}).get("form", {}).initial


def test_a_resume_link_only_shows_a_button_until_it_is_pressed(client, mailbox, on_commit):
    """Mail scanners open links: a GET must not use up the link or hand the draft to whoever fetched it."""
    _stranger_sends_a_link_to_the_victim(mailbox, on_commit)
    link = _resume_link(mailbox)
    scanner = Client()
    assert scanner.get(link).status_code == 200
    assert scanner.get("/housing-help/apply/").url == "/housing-help/apply/who/"
    assert _open(client, link).url == "/housing-help/apply/"


def test_a_newer_link_replaces_an_older_one(client, mailbox, on_commit):
    client.post("/housing-help/apply/who/", PAGES["who"])
    with on_commit(execute=True):
        client.post("/housing-help/apply/saved/", {"email": VICTIM})
        client.post("/housing-help/apply/saved/", {"email": "second@example.org"})
    assert Client().get(_resume_link(mailbox, VICTIM)).status_code == 404
    assert _open(Client(), _resume_link(mailbox, "second@example.org")).url == "/housing-help/apply/"


def test_the_resume_email_carries_nothing_the_stranger_typed(client, mailbox, on_commit):
    phishing = "Call 09000 000000 or visit https://evil.example to keep your home"
    client.post("/housing-help/apply/who/", PAGES["who"])
    client.post("/housing-help/apply/full-name/", {"full_name": phishing})
    client.post("/housing-help/apply/contact-method/", {"safe_method": "email"})
    client.post("/housing-help/apply/contact-email/", {"email": VICTIM})
    client.post("/housing-help/apply/contact-times/", {"safe_times": phishing})
    with on_commit(execute=True):
        client.post("/housing-help/apply/saved/", {"email": VICTIM})
    (email,) = mailbox
    for text in (email.subject, email.body):
        assert "evil.example" not in text
        assert "09000" not in text


def test_exit_this_page_leaves_no_draft_behind(client):
    client.post("/housing-help/apply/who/", PAGES["who"])
    client.post("/housing-help/apply/risk/", PAGES["risk"])
    page = client.get("/housing-help/apply/risk/").content.decode()
    exit_url = re.search(r'<a href="([^"]+)"[^>]*govuk-exit-this-page__button', page).group(1)
    response = client.get(exit_url)
    assert response.status_code == 302
    assert response.url == "https://www.bbc.co.uk/weather"
    # Whoever picks up the device next finds nothing: not in this browser, and not kept on the server.
    assert client.get("/housing-help/apply/").url == "/housing-help/apply/who/"
    assert IntakeDraft.objects.count() == 0


def test_a_draft_does_not_carry_into_the_next_persons_sign_in_on_a_shared_device(client, resident):
    client.post("/housing-help/apply/who/", PAGES["who"])
    client.post("/housing-help/apply/full-name/", {"full_name": "First Person"})
    response = client.post("/accounts/login/", {"login": resident.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert "First Person" not in client.get("/housing-help/apply/about/").content.decode()
    assert client.get("/housing-help/apply/").url == "/housing-help/apply/who/"


def test_a_signed_in_persons_draft_does_not_carry_past_sign_out(client, resident):
    client.force_login(resident)
    client.post("/housing-help/apply/who/", PAGES["who"])
    client.post("/housing-help/apply/full-name/", {"full_name": "Rita Resident"})
    client.post("/accounts/logout/")
    assert "Rita Resident" not in client.get("/housing-help/apply/about/").content.decode()
    assert client.get("/housing-help/apply/").url == "/housing-help/apply/who/"


def test_a_link_pressed_in_several_browsers_at_once_opens_the_draft_in_only_one(transactional_db, mailbox):
    import threading

    from django.db import connection

    stranger = Client()
    stranger.post("/housing-help/apply/who/", PAGES["who"])
    stranger.post("/housing-help/apply/saved/", {"email": VICTIM})
    from hackney_portal.core.models import Notification
    from hackney_portal.core.notifications import notification_deliver

    notification_deliver(notification_id=Notification.objects.get().pk)
    link = _resume_link(mailbox)
    barrier = threading.Barrier(4)
    codes = []

    def press():
        try:
            browser = Client()
            barrier.wait()
            codes.append(browser.post(link).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [302, 404, 404, 404]
