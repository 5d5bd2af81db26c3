"""A signed, matching "payment_intent.succeeded" is applied from its payload; anything else is re-read."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hackney_portal.users import roles
from payments import services
from payments import stripe_gateway as gateway
from payments.models import LedgerEntry, Payment, StripeEvent
from tests.payments.conftest import CARD_OK, card_token, intent_event, start_payment


def _recorded_unconfirmed(payment: Payment) -> str:
    """An intent created and recorded for the payment but not confirmed: at Stripe it has taken nothing, so
    only a payload that is believed can make the payment succeed."""
    intent = gateway.intent_create(
        payment_id=payment.pk,
        reference=payment.reference,
        account_reference=payment.account.reference,
        amount_pence=payment.amount_pence,
        card_token=card_token(CARD_OK),
        idempotency_key=f"u-{payment.pk}",
    )
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=intent.id)
    return intent.id


def _event(payment: Payment, intent_id: str, event_type="payment_intent.succeeded", **changes) -> dict:
    event = intent_event(intent_id, event_type, metadata={"payment_reference": payment.reference})
    event["data"]["object"].update(
        {"status": "succeeded", "amount": payment.amount_pence, "currency": "gbp", **changes}
    )
    return event


def _process(event: dict):
    row, _ = services.stripe_event_store(event=event, source="webhook")
    return services.stripe_event_process(event_pk=row.pk)


@pytest.mark.django_db
def test_matching_succeeded_event_is_applied_from_its_payload_once(account, stripe_calls):
    payment = start_payment(account, amount_pence=4321)
    intent_id = _recorded_unconfirmed(payment)
    stripe_calls.reset()
    _process(_event(payment, intent_id))
    assert stripe_calls.calls == []  # credited with no call to the provider at all
    payment.refresh_from_db()
    # Stripe itself still says "requires_confirmation": the credit came from the signed payload alone.
    assert gateway.intent_retrieve(intent_id).status != "succeeded"
    assert payment.status == Payment.Status.SUCCEEDED
    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    # The provider sends it again (a new event id, as a resend has): still one credit.
    _process(_event(payment, intent_id))
    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    account.refresh_from_db()
    assert account.balance_pence == 16_000 - 4321


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("event_type", "changes"),
    [
        ("payment_intent.succeeded", {"amount": 1}),
        ("payment_intent.succeeded", {"currency": "usd"}),
        ("payment_intent.succeeded", {"metadata": {"payment_reference": "RP-SOMEONEELSE"}}),
        ("payment_intent.succeeded", {"status": "processing"}),
        ("payment_intent.processing", {}),
        ("payment_intent.amount_capturable_updated", {}),
    ],
)
def test_mismatched_or_non_terminal_event_is_re_read_and_stripe_decides(
    account, event_type, changes, stripe_calls
):
    payment = start_payment(account, amount_pence=4321)
    intent_id = _recorded_unconfirmed(payment)
    stripe_calls.reset()
    _process(_event(payment, intent_id, event_type, **changes))
    assert stripe_calls.calls == [("GET", f"/v1/payment_intents/{intent_id}")]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED  # what Stripe says: nothing taken
    assert not LedgerEntry.objects.filter(payment=payment).exists()
    # Once Stripe has really taken it, the same mismatched event is re-read and the true amount credited.
    gateway.intent_confirm(intent_id, idempotency_key=f"u-{payment.pk}-c")
    _process(_event(payment, intent_id, event_type, **changes))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert [e.amount_pence for e in LedgerEntry.objects.filter(payment=payment)] == [-4321]


@pytest.mark.django_db
def test_a_succeeded_payload_for_an_intent_we_never_recorded_credits_nothing(account):
    payment = start_payment(account, amount_pence=4321)
    ours = _recorded_unconfirmed(payment)
    foreign = gateway.intent_create(
        payment_id=payment.pk,
        reference=payment.reference,
        account_reference=account.reference,
        amount_pence=payment.amount_pence,
        card_token=card_token(CARD_OK),
        idempotency_key=f"foreign-{payment.pk}",
    ).id
    gateway.intent_confirm(foreign, idempotency_key=f"foreign-{payment.pk}-c")
    # Every field copied from our payment except the intent id.
    _process(_event(payment, foreign))
    payment.refresh_from_db()
    assert payment.provider_payment_id == ours
    assert payment.status == Payment.Status.CREATED
    assert not LedgerEntry.objects.filter(kind="card_payment").exists()


@pytest.mark.django_db
def test_a_late_succeeded_payload_does_not_undo_a_refund(account, make_staff):
    payment = start_payment(account, amount_pence=3000)
    payment = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_OK))
    officer = make_staff("fin@example.org", roles.FINANCE_OFFICERS)
    services.refund_request(payment_id=payment.pk, amount_pence=3000, reason="Overpaid", actor=officer)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    _process(_event(payment, payment.provider_payment_id))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert LedgerEntry.objects.filter(payment=payment, kind="card_payment").count() == 1


@pytest.mark.django_db
def test_a_task_applies_only_its_own_event_the_applier_takes_the_rest(account, other_account):
    payments = [
        start_payment(acc, amount_pence=1000 + i) for i, acc in enumerate([account, other_account] * 2)
    ]
    rows = [
        services.stripe_event_store(event=_event(p, _recorded_unconfirmed(p)), source="webhook")[0]
        for p in payments
    ]
    services.stripe_event_process(event_pk=rows[1].pk)
    assert list(StripeEvent.objects.filter(processed_at__isnull=False)) == [rows[1]]
    assert services.stripe_events_apply_batch().applied == 3
    for row in rows:  # their own tasks, delivered late, find them done
        services.stripe_event_process(event_pk=row.pk)
    for payment in payments:
        assert LedgerEntry.objects.filter(payment=payment).count() == 1
    assert StripeEvent.objects.filter(attempts=1).count() == len(rows)


@pytest.mark.django_db
def test_events_that_need_stripe_are_left_to_their_own_tasks(account):
    payment = start_payment(account, amount_pence=1500)
    intent_id = _recorded_unconfirmed(payment)
    late, _ = services.stripe_event_store(
        event=_event(payment, intent_id, "payment_intent.payment_failed"), source="webhook"
    )
    ok, _ = services.stripe_event_store(event=_event(payment, intent_id), source="webhook")
    services.stripe_event_process(event_pk=ok.pk)
    late.refresh_from_db()
    assert late.processed_at is None  # its own task only: it calls Stripe, holding no other event's lock
    services.stripe_event_process(event_pk=late.pk)
    late.refresh_from_db()
    assert late.processed_at is not None
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


@pytest.mark.django_db
def test_out_of_order_replayed_events_credit_once_and_only_a_non_terminal_one_before_payment_asks_stripe(
    account, stripe_calls
):
    payment = start_payment(account, amount_pence=2500)
    intent_id = _recorded_unconfirmed(payment)
    gateway.intent_confirm(intent_id, idempotency_key=f"u-{payment.pk}-c")
    succeeded = _event(payment, intent_id)
    stripe_calls.reset()
    # Stripe's order is not guaranteed: a "processing" and a late "payment_failed" around the success, the
    # success delivered twice (same id) and resent (new id).
    for event in (
        _event(payment, intent_id, "payment_intent.processing", status="processing"),
        succeeded,
        _event(payment, intent_id, "payment_intent.payment_failed", status="requires_payment_method"),
        succeeded,
        _event(payment, intent_id),
    ):
        _process(event)
    # The "processing" is re-read (and the re-read finds the payment paid, with its charge); the late
    # "payment_failed" then cannot move a paid payment, so it asks nothing.
    assert stripe_calls.intent_reads(intent_id) == 1
    assert len(stripe_calls.calls) == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert [e.amount_pence for e in LedgerEntry.objects.filter(payment=payment)] == [-2500]
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_late_event_for_a_paid_payment_is_done_without_asking_stripe(account, stripe_calls):
    payment = start_payment(account, amount_pence=1800)
    intent_id = _recorded_unconfirmed(payment)
    _process(_event(payment, intent_id, latest_charge="ch_paid"))
    payment.refresh_from_db()
    assert (payment.status, payment.provider_charge_id) == (Payment.Status.SUCCEEDED, "ch_paid")
    stripe_calls.reset()
    for kind, status in (("payment_failed", "requires_payment_method"), ("processing", "processing")):
        late = _process(_event(payment, intent_id, f"payment_intent.{kind}", status=status))
        assert late.processed_at is not None
    assert stripe_calls.calls == []  # nothing Stripe could say would move a paid payment
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert LedgerEntry.objects.filter(payment=payment).count() == 1


@pytest.mark.django_db
def test_a_late_event_for_a_paid_payment_with_no_credit_still_credits_it(account, stripe_calls):
    payment = start_payment(account, amount_pence=1900)
    intent_id = _recorded_unconfirmed(payment)
    # Marked paid with its credit missing (the ledger is append-only, so only a fault leaves this): a late
    # event repairs it, as a re-read would.
    Payment.objects.filter(pk=payment.pk).update(
        status=Payment.Status.SUCCEEDED, succeeded_at=timezone.now(), provider_charge_id="ch_paid"
    )
    stripe_calls.reset()
    _process(_event(payment, intent_id, "payment_intent.payment_failed", status="requires_payment_method"))
    assert stripe_calls.calls == []
    assert LedgerEntry.objects.filter(payment=payment).count() == 1


@pytest.mark.django_db
def test_a_late_intent_event_leaves_a_disputed_payment_disputed(account, stripe_calls):
    payment = start_payment(account, amount_pence=2100)
    intent_id = _recorded_unconfirmed(payment)
    _process(_event(payment, intent_id))  # paid, no charge id in the payload: the next event re-reads
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.DISPUTED)
    stripe_calls.reset()
    for event_type in ("payment_intent.succeeded", "payment_intent.processing"):
        _process(_event(payment, intent_id, event_type))
    payment.refresh_from_db()
    # The intent still says "succeeded"; only the dispute's own events may end a dispute.
    assert payment.status == Payment.Status.DISPUTED
    assert LedgerEntry.objects.filter(payment=payment).count() == 1


@pytest.mark.django_db
def test_a_late_event_before_the_applier_ran_uses_the_stored_success_not_stripe(account, stripe_calls):
    payment = start_payment(account, amount_pence=2200)
    intent_id = _recorded_unconfirmed(payment)
    # The success is stored but waits for the batch applier; the late failure's own task runs first.
    waiting, _ = services.stripe_event_store(event=_event(payment, intent_id), source="webhook", batched=True)
    stripe_calls.reset()
    _process(_event(payment, intent_id, "payment_intent.payment_failed", status="requires_payment_method"))
    assert stripe_calls.calls == []  # the signed success already says what a re-read would
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    services.stripe_events_apply_batch()
    waiting.refresh_from_db()
    assert waiting.processed_at is not None
    assert [e.amount_pence for e in LedgerEntry.objects.filter(payment=payment)] == [-2200]


@pytest.mark.django_db
def test_a_stored_success_that_does_not_match_is_not_believed(account, stripe_calls):
    payment = start_payment(account, amount_pence=2300)
    intent_id = _recorded_unconfirmed(payment)
    services.stripe_event_store(event=_event(payment, intent_id, amount=1), source="webhook", batched=True)
    stripe_calls.reset()
    _process(_event(payment, intent_id, "payment_intent.processing", status="processing"))
    assert stripe_calls.intent_reads(intent_id) == 1  # a success for another amount proves nothing
    payment.refresh_from_db()
    assert payment.status != Payment.Status.SUCCEEDED  # Stripe says it was never confirmed
