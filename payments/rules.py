"""Card payment states and the moves between them, in one place.

Pure rules: no database, no Stripe. Every change to a payment's status is checked here first (services ask
`can_move`; the claim and release of a confirmation are the two moves only their own service makes), so a
late or replayed message from the provider can never take a payment backwards. What the ledger does about a
status is not here: crediting a payment is its own service call (`payments.services.intents.payment_credit`).
"""

from __future__ import annotations

from django.db import models


class PaymentStatus(models.TextChoices):
    CREATED = "created", "Started"
    # Claimed by one card submission, under a row lock, before Stripe is called: no second submission can
    # start a confirmation while this one is in flight.
    CONFIRMING = "confirming", "Confirming"
    REQUIRES_ACTION = "requires_action", "Waiting for your bank"
    PROCESSING = "processing", "Processing"
    SUCCEEDED = "succeeded", "Paid"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"
    REFUNDED = "refunded", "Refunded"
    PARTLY_REFUNDED = "partly_refunded", "Partly refunded"
    DISPUTED = "disputed", "Disputed"


S = PaymentStatus

# Money was never taken: nothing can happen to the payment any more.
FINAL = frozenset({S.FAILED, S.CANCELLED, S.EXPIRED})
# Still waiting for the card, the bank or Stripe.
PENDING = frozenset({S.CREATED, S.CONFIRMING, S.REQUIRES_ACTION, S.PROCESSING})
# Money was taken (and may since have been refunded or disputed).
PAID = frozenset({S.SUCCEEDED, S.PARTLY_REFUNDED, S.REFUNDED, S.DISPUTED})
# A finance officer may refund from these.
REFUNDABLE = frozenset({S.SUCCEEDED, S.PARTLY_REFUNDED})

# Allowed moves; anything else (a late "failed" after "succeeded") is ignored, never applied.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATED: frozenset(
        {S.CONFIRMING, S.REQUIRES_ACTION, S.PROCESSING, S.SUCCEEDED, S.FAILED, S.CANCELLED, S.EXPIRED}
    ),
    # Back to "created" only by the submission that claimed it, or by the sweeper once it is stale
    # (RELEASE, below), never by whatever Stripe says meanwhile.
    S.CONFIRMING: frozenset({S.REQUIRES_ACTION, S.PROCESSING, S.SUCCEEDED, S.FAILED, S.CANCELLED, S.EXPIRED}),
    S.REQUIRES_ACTION: frozenset({S.PROCESSING, S.SUCCEEDED, S.FAILED, S.CANCELLED, S.EXPIRED}),
    S.PROCESSING: frozenset({S.SUCCEEDED, S.FAILED, S.CANCELLED}),
    S.SUCCEEDED: frozenset({S.REFUNDED, S.PARTLY_REFUNDED, S.DISPUTED}),
    S.PARTLY_REFUNDED: frozenset({S.REFUNDED, S.PARTLY_REFUNDED, S.DISPUTED}),
    S.DISPUTED: frozenset({S.SUCCEEDED, S.REFUNDED, S.PARTLY_REFUNDED}),
    S.REFUNDED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}

# One card submission claims the attempt before calling Stripe, and gives it back if Stripe never answered.
CLAIM = (S.CREATED, S.CONFIRMING)
RELEASE = (S.CONFIRMING, S.CREATED)

# What Stripe's PaymentIntent statuses mean for our payment. "requires_payment_method" after a confirmation
# is Stripe's way of saying the card was declined or authentication failed.
INTENT_STATUS = {
    "requires_payment_method": S.FAILED,
    "requires_action": S.REQUIRES_ACTION,
    "requires_confirmation": S.CREATED,
    "processing": S.PROCESSING,
    "succeeded": S.SUCCEEDED,
    "canceled": S.CANCELLED,
}

# Intent statuses that never change again: an event saying so can be applied from its own payload.
TERMINAL_INTENT_STATUSES = frozenset({"succeeded"})


def can_move(current: str, new: str) -> bool:
    """Whether a payment in `current` may move to `new` (staying put is not a move)."""
    return new != current and new in TRANSITIONS.get(current, frozenset())


def intent_event_settled(*, current: str, has_charge: bool) -> bool:
    """Whether no PaymentIntent event can change a payment in `current` any more, so re-reading the intent
    from Stripe would be a wasted call: no intent status leads anywhere from here (paid, refunded or
    disputed; failed, cancelled or expired) and the charge is already recorded."""
    return has_charge and not any(
        can_move(current, status_for_intent(intent_status=intent, current=current))
        for intent in INTENT_STATUS
    )


def status_for_intent(*, intent_status: str, current: str) -> str:
    """Our status for what Stripe says the intent is; an unknown intent status changes nothing. Nor does any
    intent status once money was taken: a refunded or disputed payment's intent still says "succeeded", and
    only the refund and dispute events move those (a late intent event once took a disputed payment back to
    "paid")."""
    if current in PAID:
        return current
    return INTENT_STATUS.get(intent_status, current)


def status_after_refund(*, amount_pence: int, refunded_pence: int) -> str:
    """A payment refunded in full is "refunded"; any part less, "partly refunded"."""
    if not 0 < refunded_pence <= amount_pence:
        raise ValueError("refunded amount must be more than 0 and no more than the payment")
    return S.REFUNDED if refunded_pence == amount_pence else S.PARTLY_REFUNDED


def intent_creditable(
    *, intent_id: str, amount: int, currency: str, recorded_intent_id: str | None, amount_pence: int
) -> bool:
    """Whether a succeeded intent can credit our payment: it must be the intent we recorded before confirming
    it (metadata proves nothing: anyone who can create an intent on the account can copy our reference), for
    exactly the amount, in pounds."""
    return (
        bool(recorded_intent_id)
        and intent_id == recorded_intent_id
        and amount == amount_pence
        and currency == "gbp"
    )


def event_payload_sufficient(
    *,
    event_type: str,
    payload: dict,
    recorded_intent_id: str | None,
    amount_pence: int,
    reference: str,
) -> bool:
    """Whether a signed PaymentIntent event can be applied from its own payload, without asking Stripe again.

    Only a terminal event ("payment_intent.succeeded", the intent "succeeded") whose id, amount, currency and
    our reference all match the payment the portal created. The signature already proves Stripe sent it, and a
    succeeded intent never changes, so a re-read would only say the same. Anything else (a non-terminal
    status, which may be stale by the time it arrives, or any mismatch) is re-read from Stripe.
    """
    metadata = payload.get("metadata") or {}
    amount = payload.get("amount")
    return (
        event_type == "payment_intent.succeeded"
        and payload.get("status") in TERMINAL_INTENT_STATUSES
        and isinstance(amount, int)
        and not isinstance(amount, bool)
        and intent_creditable(
            intent_id=str(payload.get("id") or ""),
            amount=amount,
            currency=str(payload.get("currency") or ""),
            recorded_intent_id=recorded_intent_id,
            amount_pence=amount_pence,
        )
        and metadata.get("payment_reference") == reference
    )
