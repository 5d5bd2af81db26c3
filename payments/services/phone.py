"""Card payments taken over the phone by staff for a caller (MOTO), on the same path as online payments."""

from __future__ import annotations

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError

from ..models import Payment, RentAccount
from .card import payment_expire, payment_pay_by_card, payment_start

NEEDS_CARDHOLDER = (
    "The card's bank wants the cardholder to confirm this payment themselves, which cannot be done over the "
    "phone. No money was taken. Ask the caller to pay online, or to use another card."
)


def phone_payment_start(
    *, account_reference: str, amount_pence: int, email: str, attempt_key: str, actor
) -> Payment:
    """Record a phone payment attempt for the caller's account, saying who is taking it. The same attempt
    key (a double click, the back button) returns the same attempt."""
    account = RentAccount.objects.filter(reference=account_reference).first()
    if account is None:
        raise ApplicationError("There is no rent account with that number", field="reference")
    existing = Payment.objects.filter(attempt_key=attempt_key).first()
    if existing is not None and existing.taken_by_id != getattr(actor, "pk", None):
        raise ApplicationError("Start the payment again", code="bad_attempt")
    return payment_start(
        account=account,
        amount_pence=amount_pence,
        attempt_key=attempt_key,
        email=email,
        taken_by=actor,
        actor=actor,
    )


def phone_payment_take(*, payment_id: int, card_token: str, actor) -> Payment:
    """Take the card over the phone through the one card path (one confirmation in flight, one credit, one
    receipt). Nobody is there to answer a 3-D Secure challenge, so an intent that asks for one is cancelled:
    nothing is taken later, and staff are told plainly."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.taken_by_id is None:
        raise ApplicationError("This payment was not started over the phone", code="not_phone")
    payment = payment_pay_by_card(payment_id=payment_id, card_token=card_token, actor=actor)
    if payment.status == Payment.Status.REQUIRES_ACTION:
        payment_expire(payment_id=payment_id, actor=actor)
        audit_log(actor=actor, action="payments.payment.phone_needs_cardholder", obj=payment)
        raise ApplicationError(NEEDS_CARDHOLDER, code="needs_cardholder")
    return payment
