"""The card page: change the amount, cancel, plain-English provider outcomes, and no dead field without JS."""

import pytest
from django.urls import reverse

from payments.decline import decline_message
from payments.models import Payment
from payments.stripe_gateway import intent_retrieve
from tests.payments.conftest import CARD_DECLINED, card_token


def test_provider_codes_become_plain_english_never_the_raw_text():
    assert decline_message(code="card_declined", decline_code="insufficient_funds").startswith(
        "Your card has been declined"
    )
    assert decline_message(code="incorrect_number").startswith("The card number is not correct")
    assert decline_message(code="expired_card").startswith("The card has expired")
    raw = "The provided PaymentMethod has failed authentication. You can provide payment_method_data"
    assert decline_message(code="payment_intent_authentication_failure", message=raw).startswith(
        "Your bank could not confirm it was you"
    )
    assert decline_message(message=raw).startswith("Your bank could not confirm it was you")
    assert decline_message(code="", message="Bad request") == decline_message()
    assert "Bad request" not in decline_message(message="Bad request")


def _to_card_page(client, account):
    client.post(reverse("payments:start"), {"reference": account.reference, "postcode": account.postcode})
    url = reverse("payments:pay", args=[account.pk])
    key = client.get(url).context["form"].initial["attempt_key"]
    response = client.post(url, {"choice": "other", "amount": "12.34", "attempt_key": key})
    return Payment.objects.get(attempt_key=key), response["Location"]


@pytest.mark.django_db
def test_card_page_offers_change_amount_and_cancel_and_says_call_us_without_javascript(client, account):
    payment, card_url = _to_card_page(client, account)
    html = client.get(card_url).content.decode()
    # It brings the amount page back with the amount chosen (tests/payments/test_back_links.py).
    change = reverse("payments:pay", args=[account.pk]) + f"?payment={payment.reference}"
    assert f'href="{change}">Change amount</a>' in html
    assert ">Cancel payment</button>" in html
    # Without JavaScript the provider's fields never appear: the page says to call, and the field and Pay
    # button stay hidden until the provider's script has mounted them.
    assert 'id="card-no-js"' in html
    assert "call our payments line on" in html
    assert '<div class="app-hidden" id="card-fields">' in html
    assert html.index('id="card-fields"') < html.index('id="card-submit"')


@pytest.mark.django_db
def test_cancel_payment_ends_the_attempt_and_nothing_can_be_taken(client, account):
    payment, card_url = _to_card_page(client, account)
    # A card was tried once and declined, so an intent exists at the provider.
    client.post(card_url, {"card_token": card_token(CARD_DECLINED), "step": "card"})
    payment.refresh_from_db()
    payment2, card_url = _to_card_page(client, account)
    response = client.post(card_url, {"action": "cancel"})
    assert response["Location"] == reverse("payments:status", args=[payment2.reference])
    payment2.refresh_from_db()
    assert payment2.status == Payment.Status.EXPIRED
    assert "No money has been taken" in client.get(response["Location"]).content.decode()
    # A declined card's message is ours, not the provider's.
    assert payment.status == Payment.Status.FAILED
    assert payment.failure_message.startswith("Your card has been declined")
    assert intent_retrieve(payment.provider_payment_id).status != "succeeded"


@pytest.mark.django_db
def test_a_token_stripe_js_never_makes_never_reaches_stripe_and_the_attempt_stays_usable(client, account):
    payment, card_url = _to_card_page(client, account)
    for hostile in ("tok_" + "a" * 10_240, "tok_x/../../v1/charges", "tok_x?expand[]=card", "tok_", "pm_123"):
        response = client.post(card_url, {"card_token": hostile, "step": "card"})
        assert response.status_code == 400, hostile
        assert "Enter your card details" in response.content.decode()
    payment.refresh_from_db()
    assert (payment.status, payment.provider_payment_id) == (Payment.Status.CREATED, None)
