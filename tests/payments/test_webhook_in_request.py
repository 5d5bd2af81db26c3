"""The request only verifies and stores: a succeeded event wakes the batch applier, anything else its task."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from hackney_portal.core.models import OutboxTask
from payments import stripe_gateway as gateway
from payments.models import LedgerEntry, Payment, RentAccount, StripeEvent
from tests.payments.conftest import CARD_OK, card_token, intent_event, signed, start_payment

URL = "/payments/stripe/webhook/"
TASK = "payments.tasks.stripe_event_process"


def _paid_and_recorded(payment: Payment) -> str:
    intent = gateway.intent_create(
        payment_id=payment.pk,
        reference=payment.reference,
        account_reference=payment.account.reference,
        amount_pence=payment.amount_pence,
        card_token=card_token(CARD_OK),
        idempotency_key=f"r-{payment.pk}",
    )
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=intent.id)
    gateway.intent_confirm(intent.id, idempotency_key=f"r-{payment.pk}-c")
    return intent.id


def _succeeded(payment: Payment, intent_id: str, **changes) -> dict:
    event = intent_event(intent_id, metadata={"payment_reference": payment.reference})
    event["data"]["object"].update(
        {"status": "succeeded", "amount": payment.amount_pence, "currency": "gbp", **changes}
    )
    return event


def _post(client, event: dict):
    body, sig = signed(event)
    return client.post(URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sig)


def _queued_for(row: StripeEvent) -> int:
    return OutboxTask.objects.filter(task_name=TASK, args=[row.pk]).count()


@pytest.mark.django_db
def test_a_matching_succeeded_event_is_stored_by_the_request_and_credited_by_the_applier_with_no_call(
    client, account, stripe_calls, django_capture_on_commit_callbacks
):
    payment = start_payment(account, amount_pence=3300)
    intent_id = _paid_and_recorded(payment)
    stripe_calls.reset()
    event = _succeeded(payment, intent_id)
    with django_capture_on_commit_callbacks(execute=False) as wake:
        assert _post(client, event).json() == {"received": True, "duplicate": False}
    # The request stored it and queued nothing of its own: one wake of the applier, after commit.
    row = StripeEvent.objects.get(event_id=event["id"])
    assert row.processed_at is None
    assert _queued_for(row) == 0
    assert len(wake) == 1
    assert not LedgerEntry.objects.filter(payment=payment).exists()
    with django_capture_on_commit_callbacks(execute=True):
        wake[0]()  # the applier, as the worker would run it
    row.refresh_from_db()
    assert row.processed_at is not None
    assert row.attempts == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert [e.amount_pence for e in LedgerEntry.objects.filter(payment=payment)] == [-3300]
    # Delivered again, and resent under a new id: answered, nothing more credited.
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, event).json() == {"received": True, "duplicate": True}
        assert _post(client, _succeeded(payment, intent_id)).status_code == 200
    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()
    assert stripe_calls.calls == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes", [{"amount": 1}, {"currency": "eur"}, {"metadata": {"payment_reference": "RP-OTHER"}}]
)
def test_a_mismatched_succeeded_event_is_handed_by_the_applier_to_its_task_which_re_reads(
    client, account, stripe_calls, changes, django_capture_on_commit_callbacks
):
    payment = start_payment(account, amount_pence=3300)
    intent_id = _paid_and_recorded(payment)
    stripe_calls.reset()
    event = _succeeded(payment, intent_id, **changes)
    with django_capture_on_commit_callbacks(execute=False) as wake:
        assert _post(client, event).status_code == 200
    row = StripeEvent.objects.get(event_id=event["id"])
    assert row.processed_at is None
    assert stripe_calls.calls == []  # the request never calls Stripe
    with django_capture_on_commit_callbacks(execute=True):
        for callback in wake:  # the applier, then the task it queued: one re-read, Stripe's amount
            callback()
    assert _queued_for(row) == 1
    assert stripe_calls.intent_reads(intent_id) == 1
    assert [e.amount_pence for e in LedgerEntry.objects.filter(payment=payment)] == [-3300]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("held", ["payment", "account"])
def test_a_payment_or_account_locked_elsewhere_is_skipped_by_the_applier_and_its_task_applies_the_event(
    client, account, held
):
    payment = start_payment(account, amount_pence=2100)
    intent_id = _paid_and_recorded(payment)
    locked = threading.Event()
    model = Payment if held == "payment" else RentAccount
    pk = payment.pk if held == "payment" else account.pk

    def card_submission_holding_the_lock():
        try:
            with transaction.atomic():
                model.objects.select_for_update().get(pk=pk)
                locked.set()
                time.sleep(1.0)
        finally:
            connection.close()

    holder = threading.Thread(target=card_submission_holding_the_lock)
    holder.start()
    assert locked.wait(10)
    event = _succeeded(payment, intent_id)
    # The applier (run in-process at commit in these tests, as a worker would) finds the row locked, does not
    # wait, and queues the event's own task; that task waits for the lock and applies it.
    assert _post(client, event).status_code == 200
    holder.join(30)
    row = StripeEvent.objects.get(event_id=event["id"])
    assert _queued_for(row) == 1
    assert row.processed_at is not None
    assert row.attempts == 1
    assert LedgerEntry.objects.filter(payment=payment).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"[1, 2]", b'"evt"', b"\xff\xfe not utf-8", b"{not json"])
def test_a_signed_body_that_is_not_an_event_object_gets_400_and_stores_nothing(client, body):
    from django.conf import settings

    sig = gateway.webhook_sign(body, settings.STRIPE_WEBHOOK_SECRETS[0])
    response = client.post(URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sig)
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "event",
    [
        {"id": "evt_" + "x" * 200, "type": "payment_intent.succeeded"},
        {"id": 12345, "type": "payment_intent.succeeded"},
        {"id": "evt_1", "type": ["payment_intent.succeeded"]},
        {"type": "payment_intent.succeeded"},
        {"id": "evt_1", "type": "payment_intent.succeeded", "created": "yesterday"},
        {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": "pi_1"}},
        {"id": "evt_1", "type": "payment_intent.succeeded", "data": ["pi_1"]},
    ],
)
def test_a_signed_event_with_a_bad_id_type_or_time_gets_400_and_stores_nothing(client, event):
    assert _post(client, event).status_code == 400
    assert not StripeEvent.objects.exists()
