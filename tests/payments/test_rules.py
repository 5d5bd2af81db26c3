"""The payment states and their moves (payments/rules.py), and that the services obey them."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from payments import rules, services
from payments.models import LedgerEntry, Payment
from payments.rules import PaymentStatus as S
from tests.payments.conftest import CARD_3DS, CARD_OK, card_token, start_payment

ALLOWED = {
    (S.CREATED, S.CONFIRMING),
    (S.CREATED, S.REQUIRES_ACTION),
    (S.CREATED, S.PROCESSING),
    (S.CREATED, S.SUCCEEDED),
    (S.CREATED, S.FAILED),
    (S.CREATED, S.CANCELLED),
    (S.CREATED, S.EXPIRED),
    (S.CONFIRMING, S.REQUIRES_ACTION),
    (S.CONFIRMING, S.PROCESSING),
    (S.CONFIRMING, S.SUCCEEDED),
    (S.CONFIRMING, S.FAILED),
    (S.CONFIRMING, S.CANCELLED),
    (S.CONFIRMING, S.EXPIRED),
    (S.REQUIRES_ACTION, S.PROCESSING),
    (S.REQUIRES_ACTION, S.SUCCEEDED),
    (S.REQUIRES_ACTION, S.FAILED),
    (S.REQUIRES_ACTION, S.CANCELLED),
    (S.REQUIRES_ACTION, S.EXPIRED),
    (S.PROCESSING, S.SUCCEEDED),
    (S.PROCESSING, S.FAILED),
    (S.PROCESSING, S.CANCELLED),
    (S.SUCCEEDED, S.REFUNDED),
    (S.SUCCEEDED, S.PARTLY_REFUNDED),
    (S.SUCCEEDED, S.DISPUTED),
    (S.PARTLY_REFUNDED, S.REFUNDED),
    (S.PARTLY_REFUNDED, S.DISPUTED),
    (S.DISPUTED, S.SUCCEEDED),
    (S.DISPUTED, S.REFUNDED),
    (S.DISPUTED, S.PARTLY_REFUNDED),
}


@pytest.mark.parametrize(("current", "new"), list(itertools.product(S.values, S.values)))
def test_every_move_is_allowed_or_refused_as_written(current, new):
    assert rules.can_move(current, new) is ((current, new) in ALLOWED)


def test_nothing_leaves_a_final_state_and_money_taken_never_becomes_not_taken():
    for final in rules.FINAL:
        assert not any(rules.can_move(final, new) for new in S.values)
    for paid in rules.PAID:
        for never_taken in (*rules.FINAL, *rules.PENDING):
            assert not rules.can_move(paid, never_taken), (paid, never_taken)


def test_confirmation_is_claimed_and_released_only_between_created_and_confirming():
    assert rules.CLAIM == (S.CREATED, S.CONFIRMING)
    assert rules.RELEASE == (S.CONFIRMING, S.CREATED)
    # Whatever Stripe says cannot put a confirming payment back to "created": only its claimant can.
    assert not rules.can_move(S.CONFIRMING, S.CREATED)


@pytest.mark.parametrize(
    ("intent_status", "expected"),
    [
        ("requires_payment_method", S.FAILED),
        ("requires_action", S.REQUIRES_ACTION),
        ("requires_confirmation", S.CREATED),
        ("processing", S.PROCESSING),
        ("succeeded", S.SUCCEEDED),
        ("canceled", S.CANCELLED),
        ("something_new", S.CONFIRMING),
    ],
)
def test_intent_statuses_map_to_ours(intent_status, expected):
    assert rules.status_for_intent(intent_status=intent_status, current=S.CONFIRMING) == expected


def test_refund_status_is_full_or_part_and_nonsense_is_refused():
    assert rules.status_after_refund(amount_pence=1000, refunded_pence=1000) == S.REFUNDED
    assert rules.status_after_refund(amount_pence=1000, refunded_pence=1) == S.PARTLY_REFUNDED
    for bad in (0, -1, 1001):
        with pytest.raises(ValueError):
            rules.status_after_refund(amount_pence=1000, refunded_pence=bad)


def _payload(**changes) -> dict:
    payload = {
        "id": "pi_ours",
        "object": "payment_intent",
        "status": "succeeded",
        "amount": 1234,
        "currency": "gbp",
        "metadata": {"payment_reference": "RP-ABC"},
    }
    payload.update(changes)
    return payload


def _sufficient(payload, event_type="payment_intent.succeeded", recorded="pi_ours"):
    return rules.event_payload_sufficient(
        event_type=event_type,
        payload=payload,
        recorded_intent_id=recorded,
        amount_pence=1234,
        reference="RP-ABC",
    )


def test_only_a_matching_terminal_event_is_applied_from_its_payload():
    assert _sufficient(_payload())
    for changed in (
        {"id": "pi_other"},
        {"amount": 1233},
        {"amount": "1234"},
        {"amount": True},
        {"currency": "eur"},
        {"status": "processing"},
        {"metadata": {"payment_reference": "RP-XYZ"}},
        {"metadata": {}},
    ):
        assert not _sufficient(_payload(**changed)), changed
    assert not _sufficient(_payload(), event_type="payment_intent.processing")
    assert not _sufficient(_payload(), event_type="payment_intent.payment_failed")
    assert not _sufficient(_payload(), recorded=None)


def test_an_intent_event_is_settled_only_where_no_intent_status_can_move_the_payment():
    settled = {s for s in S if rules.intent_event_settled(current=s, has_charge=True)}
    # Paid (refunded, disputed) or never paid: nothing Stripe can say about the intent moves these.
    assert settled == rules.PAID | rules.FINAL
    # A payment with no charge recorded may still learn it from a re-read.
    assert not any(rules.intent_event_settled(current=s, has_charge=False) for s in S)


@pytest.mark.parametrize("current", sorted(rules.PAID))
def test_no_intent_status_moves_a_paid_payment(current):
    # A disputed or refunded payment's intent still says "succeeded": only dispute and refund events move it.
    for intent_status in [*rules.INTENT_STATUS, "something_new"]:
        assert rules.status_for_intent(intent_status=intent_status, current=current) == current


@pytest.mark.django_db
def test_a_status_change_never_credits_and_the_credit_is_its_own_call(account):
    payment = start_payment(account, amount_pence=1500)
    with transaction.atomic():
        locked = services.payment_locked(payment_id=payment.pk)
        assert services.payment_status_set(payment=locked, status=S.SUCCEEDED)
    assert not LedgerEntry.objects.filter(payment=payment).exists()
    with transaction.atomic():
        locked = services.payment_locked(payment_id=payment.pk)
        assert services.payment_credit(payment=locked) is True
        assert services.payment_credit(payment=locked) is False  # once per payment
    assert LedgerEntry.objects.filter(payment=payment).count() == 1


@pytest.mark.django_db
def test_a_payment_that_has_not_succeeded_cannot_be_credited(account):
    payment = start_payment(account)
    with transaction.atomic(), pytest.raises(ValueError):
        services.payment_credit(payment=services.payment_locked(payment_id=payment.pk))
    assert not LedgerEntry.objects.filter(payment=payment).exists()


@pytest.mark.django_db
def test_a_refused_move_changes_nothing(account):
    payment = start_payment(account)
    payment = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_3DS))
    assert payment.status == S.REQUIRES_ACTION
    with transaction.atomic():
        locked = services.payment_locked(payment_id=payment.pk)
        assert not services.payment_status_set(payment=locked, status=S.CONFIRMING)
        assert not services.payment_status_set(payment=locked, status=S.REFUNDED)
    payment.refresh_from_db()
    assert payment.status == S.REQUIRES_ACTION


def _payment_row_reads(queries) -> int:
    return sum(
        1
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT") and 'FROM "payments_payment"' in q["sql"]
    )


@pytest.mark.django_db
def test_one_card_submit_reads_the_payment_row_once_before_stripe_and_once_to_apply(account):
    payment = start_payment(account, amount_pence=2500)
    token = card_token(CARD_OK)
    with CaptureQueriesContext(connection) as ctx:
        paid = services.payment_pay_by_card(payment_id=payment.pk, card_token=token)
    assert paid.status == Payment.Status.SUCCEEDED
    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    # The claim's locked read before Stripe is called, and one locked read to apply Stripe's answer (the
    # claim's lock ended when it committed, so that a slow Stripe holds no lock).
    assert _payment_row_reads(ctx.captured_queries) == 2
