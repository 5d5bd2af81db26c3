"""Issue 17 item 9: one-click unsubscribe (RFC 8058), alerts named in words, unsubscribed stays off."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from employment import services
from employment.models import SavedSearch
from hackney_portal.core.models import Notification
from hackney_portal.core.notifications import notification_deliver

from .test_search import listing


def confirmed_search(query="q=chef&kind=job&living_wage=on", frequency="daily"):
    search = services.saved_search_create(
        query=query, email="al@example.org", frequency=frequency, actor=None
    )
    services.saved_search_confirm(token=search.token)
    search.refresh_from_db()
    return search


@pytest.mark.django_db
def test_confirmation_email_names_the_search_in_the_portals_words_only():
    # The address is not confirmed yet, so nothing the requester typed goes in (security issue: anyone's words
    # to anyone); the alert emails, which go to confirmed addresses only, quote the search words.
    services.saved_search_create(
        query="q=chef&kind=job&living_wage=on&sector=Call+0909&distance=2&postcode=E8+1EA",
        email="al@example.org",
        frequency="daily",
        actor=None,
    )
    body = Notification.objects.get(template="employment/email/alert_confirm").body
    assert (
        "the words you searched for, Job, the sectors you chose, London Living Wage or above, "
        "within 2 miles of E8 1EA" in body
    )
    assert "chef" not in body
    assert "0909" not in body


@pytest.mark.django_db
def test_alert_email_has_one_click_unsubscribe_headers_pay_and_closing_date():
    search = confirmed_search(query="q=chef")
    listing("Sous chef", pay_min_pence=1500, pay_max_pence=1500)
    # The first alert goes at the next scheduled run, however soon after confirming.
    assert services.alerts_send(now=timezone.now() + dt.timedelta(hours=1)) == 1
    note = Notification.objects.get(template="employment/email/alert")
    assert "Pay: £15.00 per hour. Closes" in note.body
    notification_deliver(notification_id=note.pk)
    message = mail.outbox[-1]
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in note.body
    assert search.token not in url  # signed, not the confirmation token
    # A mail client's one-click POST: no cookie, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(urlsplit(url).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    search.refresh_from_db()
    assert search.unsubscribed_at is not None
    assert "You have unsubscribed" in response.content.decode()


@pytest.mark.django_db
def test_a_link_checker_opening_the_link_does_not_unsubscribe(client):
    search = confirmed_search()
    url = reverse("employment:alert_unsubscribe", args=[services.unsubscribe_token(search)])
    page = client.get(url).content.decode()
    assert "Stop emailing al@example.org about new opportunities for “chef”, Job" in page
    search.refresh_from_db()
    assert search.unsubscribed_at is None


@pytest.mark.django_db
def test_forged_or_other_tokens_are_refused():
    search = confirmed_search()
    other = confirmed_search(query="q=driver")
    token = services.unsubscribe_token(search)
    for bad in [
        search.token,
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        f"{other.pk}:{token.split(':')[1]}",
    ]:
        assert Client().post(reverse("employment:alert_unsubscribe", args=[bad])).status_code == 404
    search.refresh_from_db()
    other.refresh_from_db()
    assert search.unsubscribed_at is None
    assert other.unsubscribed_at is None


@pytest.mark.django_db
def test_an_unsubscribed_alert_never_reads_as_on(client):
    search = confirmed_search()
    services.saved_search_unsubscribe(search_id=search.pk)
    page = client.get(reverse("employment:alert_confirm", args=[search.token])).content.decode()
    assert "Your job alert is on" not in page
    assert "You have unsubscribed" in page
    # Never confirmed, then unsubscribed: the old confirmation link does not switch it on either.
    fresh = services.saved_search_create(query="q=cook", email="b@example.org", frequency="daily", actor=None)
    services.saved_search_unsubscribe(search_id=fresh.pk)
    page = client.get(reverse("employment:alert_confirm", args=[fresh.token])).content.decode()
    assert "Your job alert is on" not in page
    fresh.refresh_from_db()
    assert fresh.confirmed_at is None
    assert SavedSearch.objects.filter(unsubscribed_at__isnull=True).count() == 0
