"""A pending payment never adopts a PaymentIntent the portal did not create.

Only the intent id recorded before confirmation ties Stripe's money to a payment here. An intent made by
someone else on the same Stripe account (another system, a person with dashboard or API access) with our
payment's metadata copied into it is not ours, whichever way we hear of it: a webhook, the event-list
sweeper, a refresh, or reconciliation."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from payments import services
from payments import stripe_gateway as gateway
from payments.calendar import business_date
from payments.models import Discrepancy, LedgerEntry, Payment, StripeEvent
from payments.reconciliation import reconciliation_run
from tests.payments.conftest import CARD_3DS, CARD_OK, card_token, intent_event, signed, start_payment


def _foreign_intent(payment: Payment) -> dict:
    """Money taken at Stripe by an intent we never made, carrying our payment's metadata word for word."""
    client = gateway._client()
    return client.v1.payment_intents.create(
        params={
            "amount": payment.amount_pence,
            "currency": "gbp",
            "confirm": True,
            "payment_method": client.v1.tokens.retrieve(card_token(CARD_OK))["card"]["id"],
            "metadata": {
                "payment_reference": payment.reference,
                "account_reference": payment.account.reference,
                "payment_id": str(payment.pk),
            },
        }
    ).to_dict()


def _nothing_adopted(payment: Payment, *, intent_id=None, status=Payment.Status.CREATED) -> None:
    fresh = Payment.objects.get(pk=payment.pk)
    assert fresh.provider_payment_id == intent_id
    assert fresh.status == status
    assert not fresh.provider_charge_id
    assert not LedgerEntry.objects.filter(payment=payment).exists()


@pytest.mark.django_db
def test_a_webhook_for_a_foreign_intent_with_our_metadata_is_not_adopted(
    client, account, django_capture_on_commit_callbacks
):
    payment = start_payment(account)  # pending, no intent of its own yet
    foreign = _foreign_intent(payment)
    assert foreign["status"] == "succeeded"
    body, sig = signed(intent_event(foreign["id"], metadata=foreign["metadata"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("stripe_webhook"), body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sig
        )
    assert response.status_code == 200
    _nothing_adopted(payment)
    account.refresh_from_db()
    assert account.balance_pence == 16_000
    # The resident can still pay, with an intent of our own.
    paid = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_OK))
    assert paid.status == Payment.Status.SUCCEEDED
    assert paid.provider_payment_id != foreign["id"]


@pytest.mark.django_db
def test_a_foreign_intent_does_not_complete_a_payment_waiting_for_its_bank(account):
    payment = start_payment(account)
    payment = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_3DS))
    assert payment.status == Payment.Status.REQUIRES_ACTION
    ours = payment.provider_payment_id
    foreign = _foreign_intent(payment)
    row, _ = services.stripe_event_store(
        event=intent_event(foreign["id"], metadata=foreign["metadata"]), source="webhook"
    )
    services.stripe_event_process(event_pk=row.pk)
    _nothing_adopted(payment, intent_id=ours, status=Payment.Status.REQUIRES_ACTION)
    # Even handed the foreign intent directly, the payment refuses it.
    with transaction.atomic():
        services.payment_intent_apply(
            payment=services.payment_locked(payment_id=payment.pk),
            intent=gateway.intent_retrieve(foreign["id"]),
        )
    _nothing_adopted(payment, intent_id=ours, status=Payment.Status.REQUIRES_ACTION)


@pytest.mark.django_db
def test_the_event_list_sweeper_does_not_adopt_a_foreign_intent(account):
    payment = start_payment(account)
    foreign = _foreign_intent(payment)
    services.stripe_events_recover()
    stored = StripeEvent.objects.filter(object_id=foreign["id"])
    assert stored.exists()  # Stripe's own event for it was read from the list ...
    for row in stored:
        services.stripe_event_process(event_pk=row.pk)
    _nothing_adopted(payment)  # ... and changed nothing
    services.payments_sweep()
    _nothing_adopted(payment)


@pytest.mark.django_db
def test_reconciliation_does_not_pin_a_foreign_charge_on_our_payment(account):
    payment = start_payment(account)
    foreign = _foreign_intent(payment)
    charge = foreign["latest_charge"]
    charge_id = charge["id"] if isinstance(charge, dict) else charge
    txn = {"id": f"txn_{charge_id}", "type": "charge", "amount": payment.amount_pence, "source": charge_id}
    today = business_date()
    run = reconciliation_run(period_start=today, period_end=today, pages=[[txn]], payouts=[])
    _nothing_adopted(payment)
    assert Payment.objects.get(pk=payment.pk).reconciled_txn_id is None
    missing = Discrepancy.objects.get(run=run, kind=Discrepancy.Kind.MISSING_CREDIT, key=charge_id)
    assert missing.payment is None  # for finance: money taken that no payment of ours asked for
