import json
import time
import uuid

import pytest
import stripe

from payments import services
from payments.models import RentAccount
from payments.stripe_gateway import webhook_sign
from tests.factories import RentAccountFactory

CARD_OK = "4242424242424242"
CARD_3DS = "4000002500003155"
CARD_DECLINED = "4000000000000341"


@pytest.fixture
def account(db) -> RentAccount:
    return RentAccountFactory(
        reference="1234567890",
        postcode="E8 1EA",
        tenant_name="Jane Smith",
        address="4 Mare Street",
        weekly_rent_pence=15_000,
        weekly_service_charge_pence=1_000,
        weekly_benefit_pence=5_000,
        benefit=RentAccount.Benefit.HOUSING_BENEFIT,
        charges=[("rent", 15_000, "Rent"), ("service_charge", 1_000, "Service")],
    )


@pytest.fixture
def other_account(db) -> RentAccount:
    return RentAccountFactory(
        reference="9876543210",
        postcode="N16 7UJ",
        tenant_name="Other Tenant",
        address="9 Church Street",
        weekly_rent_pence=12_000,
    )


def card_token(number: str = CARD_OK) -> str:
    """What Stripe.js does in the browser: turn card details into a token (against localstripe)."""
    from django.conf import settings

    # The test's own client standing in for Stripe.js, not the portal's (localstripe takes tokens from
    # secret keys only).
    browser = stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE}
    )
    token = browser.v1.tokens.create(
        params={"card": {"number": number, "exp_month": "12", "exp_year": "2030", "cvc": "123"}}
    )
    return token.id


def start_payment(account, amount_pence=1234, user=None):
    return services.payment_start(
        account=account,
        amount_pence=amount_pence,
        attempt_key=str(uuid.uuid4()),
        user=user,
        email="payer@example.org",
    )


def paid_at_stripe(account, amount_pence: int):
    """A payment whose money is at Stripe while every webhook was lost: the ledger knows nothing of it."""
    from payments import stripe_gateway as gateway
    from payments.models import Payment

    payment = start_payment(account, amount_pence=amount_pence)
    intent = gateway.intent_create(
        payment_id=payment.pk,
        reference=payment.reference,
        account_reference=account.reference,
        amount_pence=payment.amount_pence,
        card_token=card_token(CARD_OK),
        idempotency_key=f"k-{payment.pk}",
    )
    intent = gateway.intent_confirm(intent.id, idempotency_key=f"k-{payment.pk}-c")
    Payment.objects.filter(pk=payment.pk).update(
        provider_payment_id=intent.id, provider_charge_id=intent.charge_id
    )
    return payment, intent


def signed(event: dict, secret: str | None = None, timestamp: int | None = None) -> tuple[bytes, str]:
    from django.conf import settings

    body = json.dumps(event).encode()
    return body, webhook_sign(body, secret or settings.STRIPE_WEBHOOK_SECRETS[0], timestamp)


def intent_event(
    intent_id: str,
    event_type: str = "payment_intent.succeeded",
    *,
    metadata=None,
    event_id: str | None = None,
) -> dict:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": {"id": intent_id, "object": "payment_intent", "metadata": metadata or {}}},
    }


@pytest.fixture
def stripe_calls(settings):
    """Every call the portal makes to localstripe from now on, counted at the network boundary."""
    from tests.payments.stripe_calls import StripeCallCounter

    with StripeCallCounter(settings.STRIPE_API_BASE) as counter:
        settings.STRIPE_API_BASE = counter.url
        yield counter
