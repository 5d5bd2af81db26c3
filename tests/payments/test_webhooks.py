import random
import threading
import time
import urllib.request

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from payments import services
from payments import stripe_gateway as gateway
from payments.models import LedgerEntry, Payment, RentAccount, StripeEvent
from tests.conftest import wait_until
from tests.payments.conftest import (
    CARD_DECLINED,
    CARD_OK,
    card_token,
    intent_event,
    paid_at_stripe,
    signed,
    start_payment,
)

URL = "/payments/stripe/webhook/"


def _confirm_behind_our_back(payment: Payment, number: str = CARD_OK) -> str:
    """Pay at Stripe without our app hearing the answer, as if the browser never came back. As in the real
    flow, the intent's id is recorded before it is confirmed: an intent we never recorded is not ours."""
    intent = gateway.intent_create(
        payment_id=payment.pk,
        reference=payment.reference,
        account_reference=payment.account.reference,
        amount_pence=payment.amount_pence,
        card_token=card_token(number),
        idempotency_key=f"t-{payment.pk}",
    )
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=intent.id)
    gateway.intent_confirm(intent.id, idempotency_key=f"t-{payment.pk}-c")
    return intent.id


def _post(client, event, **kwargs):
    body, sig = signed(event, **kwargs)
    return client.post(URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sig)


@pytest.mark.django_db
def test_signed_event_is_stored_once_and_credits_the_payment(
    client, account, django_capture_on_commit_callbacks
):
    payment = start_payment(account)
    intent_id = _confirm_behind_our_back(payment)
    event = intent_event(intent_id, metadata={"payment_reference": payment.reference})
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client, event)
        second = _post(client, event)
    assert first.status_code == 200
    assert second.json() == {"received": True, "duplicate": True}
    assert StripeEvent.objects.count() == 1
    assert StripeEvent.objects.get().processed_at is not None
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert LedgerEntry.objects.filter(payment=payment).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["unsigned", "wrong_secret", "stale", "tampered"])
def test_bad_signatures_get_400_and_change_nothing(client, account, case):
    payment = start_payment(account)
    event = intent_event("pi_fake", metadata={"payment_reference": payment.reference})
    if case == "unsigned":
        response = client.post(URL, b"{}", content_type="application/json")
    elif case == "wrong_secret":
        response = _post(client, event, secret="whsec_not_ours")
    elif case == "stale":
        response = _post(client, event, timestamp=int(time.time()) - 3600)
    else:
        body, sig = signed(event)
        response = client.post(
            URL,
            body.replace(b"pi_fake", b"pi_evil"),
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sig,
        )
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0
    assert Payment.objects.get(pk=payment.pk).status == "created"


@pytest.mark.django_db
def test_rotated_secrets_both_verify(client, settings, account):
    settings.STRIPE_WEBHOOK_SECRETS = ["whsec_new", "whsec_old"]
    assert (
        _post(client, intent_event("pi_x", "payment_intent.created"), secret="whsec_old").status_code == 200
    )
    assert (
        _post(client, intent_event("pi_y", "payment_intent.created"), secret="whsec_new").status_code == 200
    )


@pytest.mark.django_db
def test_event_body_is_not_trusted_the_intent_is_re_read(client, account, django_capture_on_commit_callbacks):
    payment = start_payment(account)
    intent_id = _confirm_behind_our_back(payment, CARD_DECLINED)
    # A "succeeded" event for an intent Stripe says failed must not credit anything.
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, intent_event(intent_id, metadata={"payment_reference": payment.reference}))
    payment.refresh_from_db()
    assert payment.status != "succeeded"
    assert not LedgerEntry.objects.filter(payment=payment).exists()


@pytest.mark.django_db
def test_lost_webhook_is_recovered_from_the_event_list(account):
    payment = start_payment(account)
    _confirm_behind_our_back(payment)
    stored = services.stripe_events_recover()
    assert stored >= 1
    for row in StripeEvent.objects.filter(processed_at__isnull=True):
        services.stripe_event_process(event_pk=row.pk)
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    assert services.stripe_events_recover() == 0  # the watermark moved on; nothing stored twice


@pytest.mark.django_db
def test_dispute_debits_then_reinstatement_credits_back(account, django_capture_on_commit_callbacks):
    payment = start_payment(account, amount_pence=2000)
    payment = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_OK))
    account.refresh_from_db()
    after_payment = account.balance_pence
    dispute = {
        "id": "dp_1",
        "payment_intent": payment.provider_payment_id,
        "amount": 2000,
        "status": "needs_response",
        "reason": "fraudulent",
    }
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # duplicates change nothing
            services.dispute_record(
                payment_id=payment.pk, event_type="charge.dispute.funds_withdrawn", data=dispute
            )
    account.refresh_from_db()
    assert account.balance_pence == after_payment + 2000
    assert Payment.objects.get(pk=payment.pk).status == "disputed"
    services.dispute_record(
        payment_id=payment.pk, event_type="charge.dispute.funds_reinstated", data={**dispute, "status": "won"}
    )
    account.refresh_from_db()
    assert account.balance_pence == after_payment
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"


@pytest.mark.django_db
def test_refund_reported_twice_debits_once(account):
    payment = start_payment(account, amount_pence=3000)
    services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_OK))
    for _ in range(2):
        services.refund_record(
            payment_id=payment.pk, provider_refund_id="re_1", amount_pence=1000, status="succeeded"
        )
    payment.refresh_from_db()
    assert payment.refunded_pence == 1000
    assert payment.status == "partly_refunded"
    assert LedgerEntry.objects.filter(kind="refund").count() == 1


@pytest.mark.integration
def test_webhook_torture_2000_events_500_payments_8_senders(live_server, celery_worker, settings):
    """Duplicates, shuffled order, late failures after success, forged successes, 8 concurrent senders."""
    accounts = [
        RentAccount.objects.create(
            reference=f"77000000{i:02d}",
            postcode="E8 1EA",
            tenant_name="T",
            address="A",
            weekly_rent_pence=10_000,
        )
        for i in range(10)
    ]
    payments, events = [], []
    for i in range(500):
        payment = start_payment(accounts[i % 10], amount_pence=100 + i)
        declined = i % 10 == 9
        intent_id = _confirm_behind_our_back(payment, CARD_DECLINED if declined else CARD_OK)
        payments.append((payment, declined))
        meta = {"payment_reference": payment.reference}
        ok = intent_event(intent_id, metadata=meta)
        events += [
            ok,
            ok,
            intent_event(intent_id, metadata=meta),  # duplicate id, then a second event
            intent_event(intent_id, "payment_intent.payment_failed", metadata=meta),
        ]
    random.Random(7).shuffle(events)
    assert len(events) >= 2000
    bodies = [signed(e) for e in events]
    failures = []

    def sender(chunk):
        for body, sig in chunk:
            req = urllib.request.Request(
                live_server.url + URL,
                data=body,
                method="POST",
                headers={"Stripe-Signature": sig, "Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    if resp.status != 200:
                        failures.append(resp.status)
            except Exception as exc:  # noqa: BLE001 - every failure is counted and asserted below
                failures.append(repr(exc))

    threads = [threading.Thread(target=sender, args=(bodies[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert failures == []
    ids = {e["id"] for e in events}
    # localstripe may also deliver its own real events to this endpoint (when a browser test registered
    # it): those are welcome and must not change the outcome either.
    assert StripeEvent.objects.filter(event_id__in=ids).count() == len(ids)
    wait_until(
        lambda: not StripeEvent.objects.filter(processed_at__isnull=True).exists(),
        timeout=240,
        message="every event to be processed",
    )
    for payment, declined in payments:
        payment.refresh_from_db()
        credits = LedgerEntry.objects.filter(payment=payment).count()
        assert credits == (0 if declined else 1), payment.reference
        assert payment.status == ("failed" if declined else "succeeded"), payment.reference
    expected = sum(p.amount_pence for p, declined in payments if not declined)
    total = LedgerEntry.objects.filter(kind="card_payment").aggregate(s=Sum("amount_pence"))["s"]
    assert total == -expected
    for acc in accounts:
        acc.refresh_from_db()
        assert acc.balance_pence == (acc.entries.aggregate(s=Sum("amount_pence"))["s"] or 0)


@pytest.mark.django_db
@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=st.lists(
        st.tuples(st.integers(0, 2), st.sampled_from(["succeeded", "payment_failed", "dup"])),
        min_size=1,
        max_size=12,
    )
)
def test_property_any_delivery_order_credits_each_succeeded_payment_once(account, plan):
    payments = []
    for _ in range(3):
        payment = start_payment(account, amount_pence=500)
        payments.append((payment, _confirm_behind_our_back(payment)))
    last_event = {}
    for index, kind in plan:
        payment, intent_id = payments[index]
        if kind == "dup" and index in last_event:
            event = last_event[index]
        else:
            event = intent_event(
                intent_id,
                f"payment_intent.{'succeeded' if kind == 'dup' else kind}",
                metadata={"payment_reference": payment.reference},
            )
            last_event[index] = event
        row, _ = services.stripe_event_store(event=event, source="webhook")
        services.stripe_event_process(event_pk=row.pk)
    # Any event, even a "failed" one, makes us re-read the intent, which Stripe says succeeded.
    touched = {index for index, _ in plan}
    for index, (payment, _) in enumerate(payments):
        payment.refresh_from_db()
        delivered = index in touched
        assert LedgerEntry.objects.filter(payment=payment).count() == (1 if delivered else 0)
        assert payment.status == ("succeeded" if delivered else "created")
    account.refresh_from_db()
    assert account.balance_pence == account.entries.aggregate(s=Sum("amount_pence"))["s"]


def test_an_event_whose_task_died_is_queued_again_by_the_sweeper(account, django_capture_on_commit_callbacks):
    """A stored event left unapplied (its task died past its retries) is applied by the next sweep; one too
    new to be late, or a week old, is left alone. The payment is credited once however often it is queued."""
    import datetime as dt

    from django.utils import timezone

    payment, intent = paid_at_stripe(account, 4_321)
    event, _ = services.stripe_event_store(
        event=intent_event(intent.id, "payment_intent.processing"), source="t"
    )
    # The task never ran (the row is stored, nothing queued ran it): as if its worker died.
    now = timezone.now()
    StripeEvent.objects.filter(pk=event.pk).update(received_at=now - dt.timedelta(minutes=11))
    fresh, _ = services.stripe_event_store(event=intent_event("pi_fresh"), source="t")
    old, _ = services.stripe_event_store(event=intent_event("pi_old"), source="t")
    StripeEvent.objects.filter(pk=old.pk).update(received_at=now - dt.timedelta(days=8))
    StripeEvent.objects.filter(pk__in=[fresh.pk, old.pk]).update(processed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        swept = services.payments_sweep()
    assert swept["requeued"] == 1
    event.refresh_from_db()
    assert event.processed_at is not None
    assert LedgerEntry.objects.filter(payment=payment, kind="card_payment").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.payments_sweep()["requeued"] == 0  # applied: never queued again
    assert LedgerEntry.objects.filter(payment=payment, kind="card_payment").count() == 1
