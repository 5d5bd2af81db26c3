"""However many times the card step is submitted at once, the resident is charged once.

localstripe ignores idempotency keys (as a careless provider, or a key that changed, would), so these tests
show the portal itself lets only one confirmation be in flight: five real concurrent POSTs against a live
server, then the charges counted at the provider."""

from __future__ import annotations

import re
import threading
import uuid

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from payments import selectors, services
from payments import stripe_gateway as gateway
from payments.models import LedgerEntry, Payment, RentAccount
from tests.conftest import make_user
from tests.payments.conftest import CARD_OK, card_token, start_payment

pytestmark = pytest.mark.timeout(180)


def _intents_and_charges(payment: Payment) -> tuple[list[dict], list[dict]]:
    """Every PaymentIntent and charge at the provider for this attempt (its reference is in the metadata
    of each intent the portal made; the charges are found through their intents)."""
    client = gateway._client()
    every = [i.to_dict() for i in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()]
    intents = [i for i in every if (i.get("metadata") or {}).get("payment_reference") == payment.reference]
    ids = {i["id"] for i in intents}
    charges = []
    for c in client.v1.charges.list(params={"limit": 100}).auto_paging_iter():
        data = c.to_dict()
        owner = data.get("payment_intent")
        owner = owner.get("id") if isinstance(owner, dict) else owner
        if owner in ids and data.get("status") == "succeeded":
            charges.append(data)
    return intents, charges


def _account(reference: str) -> RentAccount:
    return RentAccount.objects.create(
        reference=reference,
        postcode="E8 1EA",
        tenant_name="Jane Smith",
        address="4 Mare Street",
        weekly_rent_pence=15_000,
    )


def test_five_simultaneous_card_submissions_make_exactly_one_charge(live_server, transactional_db):
    resident = make_user("five@example.org", name="Fiona Five")
    account = _account("5555500001")
    payment = start_payment(account, amount_pence=4_321, user=resident)
    token = card_token(CARD_OK)
    # The resident's own signed-in browser, five tabs (or five clicks) at once.
    client = Client()
    client.force_login(resident)
    http = requests.Session()
    http.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    url = live_server.url + reverse("payments:card", args=[payment.reference])
    form = http.get(url, timeout=30)
    assert form.status_code == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)

    barrier = threading.Barrier(5)
    answers: list = []

    def submit():
        barrier.wait()
        try:
            response = http.post(
                url,
                data={"csrfmiddlewaretoken": csrf, "card_token": token, "step": "card"},
                headers={"Referer": url},
                allow_redirects=False,
                timeout=90,
            )
            answers.append((response.status_code, response.headers.get("Location", "")))
        except Exception as exc:  # noqa: BLE001 - every failure is asserted below
            answers.append((repr(exc), ""))

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    intents, charges = _intents_and_charges(payment)
    assert len(charges) == 1, f"{len(charges)} charges for one payment"
    assert len(intents) == 1
    # Every submission got a sensible answer: to the payment's status page, never an error.
    status_url = reverse("payments:status", args=[payment.reference])
    assert answers == [(302, status_url)] * 5
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.provider_payment_id == intents[0]["id"]
    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    page = http.get(live_server.url + status_url, timeout=30)
    assert page.status_code == 200
    assert "Payment received" in page.text


def test_a_submission_while_another_is_confirming_never_reaches_stripe(db):
    account = _account("5555500002")
    payment = start_payment(account)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.CONFIRMING)
    again = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_OK))
    assert again.status == Payment.Status.CONFIRMING
    assert _intents_and_charges(payment) == ([], [])


def test_the_status_page_tells_a_second_submitter_to_wait_not_to_pay_again(client, db):
    account = _account("5555500003")
    payment = start_payment(account)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.CONFIRMING)
    session = client.session
    session[selectors.SESSION_PAYMENTS] = [payment.pk]
    session.save()
    response = client.post(
        reverse("payments:card", args=[payment.reference]),
        {"card_token": card_token(CARD_OK), "step": "card"},
    )
    assert response["Location"] == reverse("payments:status", args=[payment.reference])
    page = client.get(response["Location"]).content.decode()
    assert "Your payment is processing" in page
    assert "Do not pay again" in page


def test_a_confirmation_whose_submission_died_is_finished_by_the_sweeper_once(db):
    """The worker died after Stripe took the money and before it heard back: the intent id was recorded
    first, so the sweeper finds it and credits it, once."""
    account = _account("5555500004")
    payment = start_payment(account, amount_pence=2_000)
    claimed = services.payment_confirmation_claim(payment_id=payment.pk)
    assert claimed.status == Payment.Status.CONFIRMING
    intent = gateway.intent_create(
        payment_id=payment.pk,
        reference=payment.reference,
        account_reference=account.reference,
        amount_pence=payment.amount_pence,
        card_token=card_token(CARD_OK),
        idempotency_key=f"payment-{payment.pk}-create",
    )
    Payment.objects.filter(pk=payment.pk).update(
        provider_payment_id=intent.id
    )  # recorded, as the card submit does
    gateway.intent_confirm(intent.id, idempotency_key=f"payment-{payment.pk}-confirm")
    # ... and nothing more was heard. A fresh claim is left alone; a stale one is re-read.
    assert services.payments_sweep()["checked"] == 0
    Payment.objects.filter(pk=payment.pk).update(updated_at=timezone.now() - timezone.timedelta(minutes=11))
    services.payments_sweep()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    services.payments_sweep()
    assert LedgerEntry.objects.filter(payment=payment).count() == 1


def test_a_claim_that_never_reached_stripe_is_freed_and_the_resident_can_pay(db):
    account = _account("5555500005")
    payment = start_payment(account)
    Payment.objects.filter(pk=payment.pk).update(
        status=Payment.Status.CONFIRMING, updated_at=timezone.now() - timezone.timedelta(minutes=11)
    )
    services.payments_sweep()
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CREATED
    paid = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_OK))
    assert paid.status == Payment.Status.SUCCEEDED
    assert len(_intents_and_charges(payment)[1]) == 1


def test_once_recorded_the_intent_id_cannot_be_replaced_in_the_database(db):
    from django.db import DatabaseError, transaction

    account = _account("5555500006")
    payment = start_payment(account)
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id="pi_ours")
    with pytest.raises(DatabaseError, match="already has PaymentIntent"), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(provider_payment_id=f"pi_{uuid.uuid4().hex}")
    assert Payment.objects.get(pk=payment.pk).provider_payment_id == "pi_ours"
