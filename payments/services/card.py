"""Card payments: the attempt, the one confirmation in flight, and giving up on abandoned ones."""

from __future__ import annotations

import logging
import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError

from .. import rules
from .. import stripe_gateway as gateway
from ..models import (
    Payment,
    RentAccount,
)
from .intents import payment_intent_apply, payment_locked, payment_refresh, payment_status_set

log = logging.getLogger(__name__)
Status = Payment.Status


def _new_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "RP-" + "".join(secrets.choice(alphabet) for _ in range(10))


def payment_amount_validate(*, amount_pence: int) -> None:
    maximum = settings.PAYMENTS_MAX_PENCE
    if amount_pence < 100:
        raise ApplicationError("Amount must be £1 or more", field="amount")
    if amount_pence > maximum:
        raise ApplicationError(f"Amount must be £{maximum // 100:,} or less", field="amount")


def _same_payer(existing: Payment, *, user, email: str, amount_pence: int, taken_by, own_payment_ids) -> bool:
    """Whether an attempt with this key was started by whoever sends it again."""
    if existing.taken_by_id is not None or taken_by is not None:
        return existing.taken_by_id == getattr(taken_by, "pk", None)
    if user is not None:
        return existing.user_id == user.pk
    if existing.user_id is not None:
        return False
    # Not signed in: this browser's own attempt, or two clicks on the same form (same amount and email)
    # before the first answer reached the session.
    return existing.pk in set(own_payment_ids) or (
        existing.amount_pence == amount_pence and existing.email == (email or "")
    )


@transaction.atomic
def payment_start(
    *,
    account: RentAccount,
    amount_pence: int,
    attempt_key: str,
    user=None,
    email: str = "",
    taken_by=None,
    actor=None,
    own_payment_ids=(),
) -> Payment:
    """Record the attempt before Stripe is called. The same attempt key, sent again by whoever started it (a
    double click, the back button), returns the same attempt.
    `taken_by`: the member of staff taking it over the phone for a caller (MOTO).
    `own_payment_ids`: the payments this browser started (its session), for a payer not signed in."""
    payment_amount_validate(amount_pence=amount_pence)
    if len(attempt_key) > 64:
        raise ApplicationError("Start your payment again", code="bad_attempt")
    try:
        # Stored as written canonically: uuid.UUID() also reads "urn:uuid:…", braces and any number of
        # hyphens, so one attempt has one key, and a key never outgrows its column.
        attempt_key = str(uuid.UUID(attempt_key))
    except ValueError:
        raise ApplicationError("Start your payment again", code="bad_attempt") from None
    user = user if getattr(user, "is_authenticated", False) else None
    existing = Payment.objects.filter(attempt_key=attempt_key).first()
    if existing is not None:
        if existing.account_id != account.pk or not _same_payer(
            existing,
            user=user,
            email=email,
            amount_pence=amount_pence,
            taken_by=taken_by,
            own_payment_ids=own_payment_ids,
        ):
            # The key is not a pass to someone else's attempt (its status, its card page, cancelling it).
            raise ApplicationError("Start your payment again", code="bad_attempt")
        return existing
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                reference=_new_reference(),
                attempt_key=attempt_key,
                account=account,
                user=user,
                email=email or (user.email if user else ""),
                amount_pence=amount_pence,
                taken_by=taken_by,
            )
    except IntegrityError:
        return Payment.objects.get(attempt_key=attempt_key)
    audit_log(
        actor=actor,
        action="payments.payment.started",
        obj=payment,
        data={
            "account": account.reference,
            "amount_pence": amount_pence,
            **({"taken_by_phone": taken_by.pk} if taken_by else {}),
        },
    )
    return payment


def payment_pay_by_card(*, payment_id: int, card_token: str, actor=None) -> Payment:
    """Take the card payment for an attempt. However many times it is submitted at once (a double click,
    five tabs), at most one confirmation is ever in flight and one PaymentIntent is ever confirmed, whatever
    Stripe does with idempotency keys (localstripe ignores them).

    1. Under a row lock the attempt moves from "created" to "confirming", and that commits. Any other
       submission waits for the lock, then finds "confirming" (or later) and is shown where the payment is;
       it never reaches Stripe.
    2. The PaymentIntent is created and its id recorded (committed) before it is confirmed, so whatever
       happens next the sweeper can find and finish it. The lock is not held across calls to Stripe: a slow
       Stripe must not hold a row lock and a database connection for up to a minute per resident, and a
       worker killed mid-call must not roll back the record of an intent that may have taken money.
    3. Stripe's answer is applied. With no answer (Stripe down, the answer lost) the attempt goes back to
       "created": a retry picks up the recorded intent instead of making another, and the sweeper re-reads
       it meanwhile.
    """
    payment = payment_confirmation_claim(payment_id=payment_id)
    if payment is None:
        current = Payment.objects.get(pk=payment_id)
        if current.status == Status.CONFIRMING:
            return current  # another submission is confirming it now
        return payment_refresh(payment_id=payment_id, actor=actor)
    # From here `payment` is the row the claim read (with its account): nothing below reads it again until
    # Stripe has answered, and then once, locked, to apply the answer.
    try:
        if payment.provider_payment_id:
            intent = gateway.intent_retrieve(payment.provider_payment_id)
        else:
            intent = gateway.intent_create(
                payment_id=payment.pk,
                reference=payment.reference,
                account_reference=payment.account.reference,
                amount_pence=payment.amount_pence,
                card_token=card_token,
                idempotency_key=f"payment-{payment.pk}-create",
                moto=payment.taken_by_id is not None,
            )
            if not _payment_intent_record(payment=payment, intent_id=intent.id):
                # Never confirm an intent that is not the one on record: it could never be credited.
                log.error("payment %s already has another intent; %s not used", payment.reference, intent.id)
                payment_confirmation_release(payment_id=payment.pk)
                return payment_refresh(payment_id=payment.pk, actor=actor)
        if intent.status == "requires_confirmation":
            intent = gateway.intent_confirm(intent.id, idempotency_key=f"payment-{payment.pk}-confirm")
    except gateway.GatewayError as exc:
        if not exc.retryable and not payment.provider_payment_id:
            with transaction.atomic():
                payment_status_set(
                    payment=payment_locked(payment_id=payment.pk),
                    status=Status.FAILED,
                    failure_message=str(exc),
                    actor=actor,
                )
        else:
            payment_confirmation_release(payment_id=payment.pk)
        raise ApplicationError(str(exc), code="gateway") from exc
    except BaseException:
        # Anything else (a bug, a lost database connection): free the attempt for a retry or the sweeper.
        payment_confirmation_release(payment_id=payment.pk)
        raise
    with transaction.atomic():
        # Locked again (the claim's lock ended when it committed): a webhook may have applied meanwhile.
        payment = Payment.objects.select_for_update(of=("self",)).select_related("account").get(pk=payment.pk)
        payment_intent_apply(payment=payment, intent=intent, actor=actor)
        if payment.status == Status.CONFIRMING and payment_confirmation_release(payment_id=payment.pk):
            # Stripe left it unconfirmed (e.g. still "requires_confirmation"): let the next submission try.
            payment.status = rules.RELEASE[1]
    return payment


def _payment_intent_record(*, payment: Payment, intent_id: str) -> bool:
    """Record the intent on the claimed payment (committed before it is confirmed, so a webhook or the sweeper
    can always find it). False if the payment already has another intent."""
    recorded = Payment.objects.filter(pk=payment.pk, provider_payment_id__isnull=True).update(
        provider_payment_id=intent_id, updated_at=timezone.now()
    )
    if recorded:
        payment.provider_payment_id = intent_id
    return bool(recorded)


@transaction.atomic
def payment_confirmation_claim(*, payment_id: int) -> Payment | None:
    """Claim the attempt for one confirmation: the payment, "confirming" and committed, or None if it is
    not "created" (confirming or confirmed by another submission, or finished)."""
    # Only the payment row is locked ("of self"): the account row is the ledger's lock, taken to credit.
    payment = Payment.objects.select_for_update(of=("self",)).select_related("account").get(pk=payment_id)
    before, after = rules.CLAIM
    if payment.status != before:
        return None
    # The status check is repeated in the UPDATE itself, so the claim holds even for code that forgot the
    # lock: PostgreSQL re-reads a row another transaction changed before applying the WHERE.
    now = timezone.now()
    claimed = Payment.objects.filter(pk=payment_id, status=before).update(status=after, updated_at=now)
    if not claimed:
        return None
    payment.status, payment.updated_at = after, now
    return payment


def payment_confirmation_release(*, payment_id: int) -> bool:
    """Put an attempt whose confirmation ended without an answer back to "created", so it can be retried.
    Only the submission that claimed it calls this, or the sweeper once the claim is long stale."""
    before, after = rules.RELEASE
    return bool(
        Payment.objects.filter(pk=payment_id, status=before).update(status=after, updated_at=timezone.now())
    )


def payment_expire(*, payment_id: int, actor=None) -> Payment:
    """Give up on an attempt abandoned for 90 minutes (or cancelled by the payer), cancelling its
    PaymentIntent first. Stripe is called with no lock held; the answer is applied under the lock."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.is_pending or payment.status == Status.PROCESSING:
        return payment
    intent = None
    if payment.provider_payment_id:
        try:
            intent = gateway.intent_cancel(
                payment.provider_payment_id, idempotency_key=f"payment-{payment.pk}-cancel"
            )
        except gateway.GatewayError:
            # It may have moved on (e.g. succeeded at the last moment): trust what Stripe says now.
            return payment_refresh(payment_id=payment_id, actor=actor)
    with transaction.atomic():
        payment = payment_locked(payment_id=payment_id)
        if intent is not None and intent.status != "canceled":
            return payment_intent_apply(payment=payment, intent=intent, actor=actor)
        payment_status_set(payment=payment, status=Status.EXPIRED, actor=actor)
        return payment
