"""Pay My Rent writes. Every function is atomic, keyword-only, and takes the acting user (`actor`)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from hackney_portal.core.audit import audit_log
from hackney_portal.core.forms import ApplicationError
from hackney_portal.core.models import Notification
from hackney_portal.core.notifications import notification_send
from hackney_portal.core.outbox import enqueue
from hackney_portal.core.ratelimit import rate_limit_record, rate_limit_wait, wait_message

from . import stripe_gateway as gateway
from .calendar import business_date, financial_year, rent_week
from .models import (
    AccountLink,
    AccountLinkCode,
    Dispute,
    LedgerEntry,
    Payment,
    Refund,
    RentAccount,
    StripeEvent,
    SyncCursor,
)

log = logging.getLogger(__name__)
Status = Payment.Status

ABANDON_AFTER = dt.timedelta(minutes=90)
STUCK_AFTER = dt.timedelta(minutes=10)


# -- accounts ---------------------------------------------------------------------------------------


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", value or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def account_find(*, reference: str, postcode: str, client_key: str, actor=None) -> RentAccount:
    """Find an account by number and postcode; the same error whichever half is wrong.

    Failures are limited per client (`client_key`, from `core.ratelimit.client_ip`) and per account number
    from any client, in short windows: guessing slows down, and nobody is locked out for long.
    """
    reference = reference.strip()
    values = {"client": client_key, "account": reference}
    wait = rate_limit_wait(action="rent_lookup", values=values, record=False)
    if wait:
        raise ApplicationError(f"{wait_message(wait)} Or call us.", code="rate_limited")
    account = RentAccount.objects.filter(reference=reference, postcode=normalise_postcode(postcode)).first()
    if account is None:
        rate_limit_record(action="rent_lookup", values=values)
        raise ApplicationError(
            "We could not find a rent account with that account number and postcode. "
            "Check both and try again.",
            code="not_found",
            field="reference",
            also=("postcode",),
        )
    return account


LINK_CODE_EMAIL_LIFETIME = dt.timedelta(minutes=15)
LINK_CODE_LETTER_LIFETIME = dt.timedelta(days=30)


def _link_code_hash(*, account_id: int, code: str) -> str:
    # Keyed with SECRET_KEY: a six-digit code is too short for a plain hash to hide it if the table leaked.
    return salted_hmac("payments.link_code", f"{account_id}:{code}", algorithm="sha256").hexdigest()


def _link_code_new(*, account: RentAccount, user, channel: str) -> tuple[AccountLinkCode, str]:
    now = timezone.now()
    # A new code replaces any earlier one for the same login (or, for letters, the earlier letter).
    AccountLinkCode.objects.filter(account=account, user=user, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    lifetime = (
        LINK_CODE_LETTER_LIFETIME if channel == AccountLinkCode.Channel.LETTER else LINK_CODE_EMAIL_LIFETIME
    )
    row = AccountLinkCode.objects.create(
        account=account,
        user=user,
        channel=channel,
        code_hash=_link_code_hash(account_id=account.pk, code=code),
        created_at=now,
        expires_at=now + lifetime,
    )
    return row, code


@transaction.atomic
def account_link_code_send(*, account: RentAccount, user, client_key: str, actor) -> AccountLinkCode:
    """Email a one-time link code to the contact on the tenancy record, for this login only."""
    if not account.contact_email:
        raise ApplicationError(
            "We do not have an email address on your tenancy record. Call us on "
            f"{settings.COUNCIL['contact_phone']} and we will post a code to the property.",
            code="no_contact",
        )
    wait = rate_limit_wait(
        action="rent_link_code_send", values={"client": client_key, "account": account.reference}
    )
    if wait:
        raise ApplicationError(wait_message(wait), code="rate_limited")
    row, code = _link_code_new(account=account, user=user, channel=AccountLinkCode.Channel.EMAIL)
    notification_send(
        template="payments/email/link_code",
        to=account.contact_email,
        key=f"payments.link_code:{row.pk}",
        context={
            "account": account,
            "code": code,
            "minutes": int(LINK_CODE_EMAIL_LIFETIME.total_seconds() // 60),
        },
        actor=actor,
    )
    audit_log(actor=actor, action="payments.account.link_code_sent", obj=account, data={"user": user.pk})
    return row


@transaction.atomic
def account_link_code_issue_letter(*, account: RentAccount, actor) -> str:
    """A code to post to the property, for a tenant with no email on record; any login may use it once."""
    row, code = _link_code_new(account=account, user=None, channel=AccountLinkCode.Channel.LETTER)
    audit_log(actor=actor, action="payments.account.link_code_letter", obj=account, data={"code": row.pk})
    return code


def account_link_with_code(*, user, account: RentAccount, code: str, client_key: str, actor) -> AccountLink:
    """Link the account to this login if `code` is a live code for it; tell the tenant it was linked."""
    values = {"client": client_key, "user": str(user.pk)}
    wait = rate_limit_wait(action="rent_link_code_verify", values=values, record=False)
    if wait:
        raise ApplicationError(wait_message(wait), field="code", code="rate_limited")
    code = re.sub(r"\s+", "", code or "")
    with transaction.atomic():
        now = timezone.now()
        # Locked, so two tries at once (right or wrong) are counted and used one after the other.
        live = list(
            AccountLinkCode.objects.select_for_update()
            .filter(
                Q(user=user) | Q(user__isnull=True),
                account=account,
                used_at__isnull=True,
                expires_at__gt=now,
                attempts__lt=AccountLinkCode.MAX_ATTEMPTS,
            )
            .order_by("pk")
        )
        given = _link_code_hash(account_id=account.pk, code=code)
        match = next((row for row in live if constant_time_compare(row.code_hash, given)), None)
        if match is not None:
            match.used_at = now
            match.save(update_fields=["used_at"])
            link = account_link(user=user, account=account, actor=actor)
            if account.contact_email:
                notification_send(
                    template="payments/email/account_linked",
                    to=account.contact_email,
                    key=f"payments.account_linked:{link.pk}",
                    context={"account": account, "linked_at": link.linked_at},
                    actor=actor,
                )
            return link
        # Every live code this login could have meant takes the wrong try, so guesses cannot be spread.
        AccountLinkCode.objects.filter(pk__in=[row.pk for row in live]).update(attempts=F("attempts") + 1)
    rate_limit_record(action="rent_link_code_verify", values=values)
    audit_log(actor=actor, action="payments.account.link_code_wrong", obj=account, data={"user": user.pk})
    raise ApplicationError(
        "The code is not right, or it has expired or been used. Check it, or ask for a new code.",
        field="code",
        code="wrong_code",
    )


@transaction.atomic
def account_link(*, user, account: RentAccount, actor) -> AccountLink:
    """Record the link. Checks nothing: residents link through `account_link_with_code`; this is for the demo
    data and for officers acting on the tenant's behalf."""
    try:
        with transaction.atomic():
            link = AccountLink.objects.create(user=user, account=account)
    except IntegrityError:
        return AccountLink.objects.get(user=user, account=account, unlinked_at__isnull=True)
    audit_log(actor=actor, action="payments.account.linked", obj=account, data={"user": user.pk})
    return link


@transaction.atomic
def account_unlink(*, user, account: RentAccount, actor) -> None:
    updated = 0
    for link in AccountLink.objects.select_for_update().filter(
        user=user, account=account, unlinked_at__isnull=True
    ):
        link.unlinked_at = timezone.now()
        link.save(update_fields=["unlinked_at"])
        updated += 1
    if updated:
        audit_log(actor=actor, action="payments.account.unlinked", obj=account, data={"user": user.pk})


# -- ledger ------------------------------------------------------------------------------------------


def ledger_post(
    *,
    account_id: int,
    kind: str,
    amount_pence: int,
    description: str,
    actor=None,
    on: dt.date | None = None,
    payment: Payment | None = None,
    refund: Refund | None = None,
    dispute: Dispute | None = None,
) -> tuple[LedgerEntry, bool]:
    """Append an entry and move the balance. Returns (entry, created).

    The account row is locked so running balances are strictly sequential. The unique constraints on
    payment, refund and dispute make a second entry for the same event impossible: on conflict we return the
    existing entry and change nothing.
    """
    with transaction.atomic():
        account = RentAccount.objects.select_for_update().get(pk=account_id)
        last = account.entries.order_by("-seq").values_list("seq", flat=True).first() or 0
        day = on or business_date()
        try:
            with transaction.atomic():
                entry = LedgerEntry.objects.create(
                    account=account,
                    seq=last + 1,
                    kind=kind,
                    amount_pence=amount_pence,
                    balance_after_pence=account.balance_pence + amount_pence,
                    description=description,
                    business_date=day,
                    rent_week=rent_week(day),
                    financial_year=financial_year(day),
                    payment=payment,
                    refund=refund,
                    dispute=dispute,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            existing = LedgerEntry.objects.filter(
                account=account, kind=kind, payment=payment, refund=refund, dispute=dispute
            ).first()
            if existing is None:
                raise
            return existing, False
        account.balance_pence = entry.balance_after_pence
        account.balance_updated_at = timezone.now()
        account.save(update_fields=["balance_pence", "balance_updated_at"])
        return entry, True


# -- payments ----------------------------------------------------------------------------------------


def _new_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "RP-" + "".join(secrets.choice(alphabet) for _ in range(10))


def payment_amount_validate(*, amount_pence: int) -> None:
    maximum = settings.PAYMENTS_MAX_PENCE
    if amount_pence < 100:
        raise ApplicationError("Amount must be £1 or more", field="amount")
    if amount_pence > maximum:
        raise ApplicationError(f"Amount must be £{maximum // 100:,} or less", field="amount")


@transaction.atomic
def payment_start(
    *, account: RentAccount, amount_pence: int, attempt_key: str, user=None, email: str = "", actor=None
) -> Payment:
    """Record the attempt before Stripe is called. The same attempt key returns the same attempt."""
    payment_amount_validate(amount_pence=amount_pence)
    try:
        uuid.UUID(attempt_key)
    except ValueError:
        raise ApplicationError("Start your payment again", code="bad_attempt") from None
    existing = Payment.objects.filter(attempt_key=attempt_key).first()
    if existing is not None:
        if existing.account_id != account.pk:
            raise ApplicationError("Start your payment again", code="bad_attempt")
        return existing
    user = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                reference=_new_reference(),
                attempt_key=attempt_key,
                account=account,
                user=user,
                email=email or (user.email if user else ""),
                amount_pence=amount_pence,
            )
    except IntegrityError:
        return Payment.objects.get(attempt_key=attempt_key)
    audit_log(
        actor=actor,
        action="payments.payment.started",
        obj=payment,
        data={"account": account.reference, "amount_pence": amount_pence},
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
    payment = _payment_confirmation_claim(payment_id=payment_id)
    if payment is None:
        current = Payment.objects.get(pk=payment_id)
        if current.status == Status.CONFIRMING:
            return current  # another submission is confirming it now
        return payment_refresh(payment_id=payment_id, actor=actor)
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
            )
            payment = _payment_apply(
                payment_id=payment.pk, status=payment.status, provider_payment_id=intent.id, actor=actor
            )
            if payment.provider_payment_id != intent.id:
                # Never confirm an intent that is not the one on record: it could never be credited.
                log.error("payment %s already has another intent; %s not used", payment.reference, intent.id)
                payment_confirmation_release(payment_id=payment.pk)
                return payment_refresh(payment_id=payment.pk, actor=actor)
        if intent.status == "requires_confirmation":
            intent = gateway.intent_confirm(intent.id, idempotency_key=f"payment-{payment.pk}-confirm")
    except gateway.GatewayError as exc:
        if not exc.retryable and not payment.provider_payment_id:
            _payment_apply(payment_id=payment.pk, status=Status.FAILED, failure_message=str(exc), actor=actor)
        else:
            payment_confirmation_release(payment_id=payment.pk)
        raise ApplicationError(str(exc), code="gateway") from exc
    except BaseException:
        # Anything else (a bug, a lost database connection): free the attempt for a retry or the sweeper.
        payment_confirmation_release(payment_id=payment.pk)
        raise
    payment = _payment_apply_intent(payment_id=payment.pk, intent=intent, actor=actor)
    if payment.status == Status.CONFIRMING:
        # Stripe left it unconfirmed (e.g. still "requires_confirmation"): let the next submission try.
        payment_confirmation_release(payment_id=payment.pk)
        payment.refresh_from_db()
    return payment


@transaction.atomic
def _payment_confirmation_claim(*, payment_id: int) -> Payment | None:
    """Claim the attempt for one confirmation: the payment, "confirming" and committed, or None if it is
    not "created" (confirming or confirmed by another submission, or finished)."""
    # Only the payment row is locked ("of self"): the account row is the ledger's lock, taken to credit.
    payment = Payment.objects.select_for_update(of=("self",)).select_related("account").get(pk=payment_id)
    if payment.status != Status.CREATED:
        return None
    # The status check is repeated in the UPDATE itself, so the claim holds even for code that forgot the
    # lock: PostgreSQL re-reads a row another transaction changed before applying the WHERE.
    now = timezone.now()
    claimed = Payment.objects.filter(pk=payment_id, status=Status.CREATED).update(
        status=Status.CONFIRMING, updated_at=now
    )
    if not claimed:
        return None
    payment.status, payment.updated_at = Status.CONFIRMING, now
    return payment


def payment_confirmation_release(*, payment_id: int) -> bool:
    """Put an attempt whose confirmation ended without an answer back to "created", so it can be retried.
    Only the submission that claimed it calls this, or the sweeper once the claim is long stale."""
    return bool(
        Payment.objects.filter(pk=payment_id, status=Status.CONFIRMING).update(
            status=Status.CREATED, updated_at=timezone.now()
        )
    )


def payment_refresh(*, payment_id: int, actor=None) -> Payment:
    """Treat whatever we heard as a trigger: read the PaymentIntent from Stripe and apply it."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.provider_payment_id:
        return payment
    intent = gateway.intent_retrieve(payment.provider_payment_id)
    return _payment_apply_intent(payment_id=payment_id, intent=intent, actor=actor)


_INTENT_STATUS = {
    "requires_action": Status.REQUIRES_ACTION,
    "requires_confirmation": Status.CREATED,
    "processing": Status.PROCESSING,
    "succeeded": Status.SUCCEEDED,
    "canceled": Status.CANCELLED,
}


def _payment_apply_intent(*, payment_id: int, intent: gateway.Intent, actor=None) -> Payment:
    payment = Payment.objects.get(pk=payment_id)
    if not payment.provider_payment_id or intent.id != payment.provider_payment_id:
        # Only the intent we created and recorded before confirming it belongs to this payment. Metadata
        # proves nothing: anyone who can create an intent on the account can copy our reference into it.
        log.error("intent %s is not the one recorded for payment %s: ignored", intent.id, payment.reference)
        return payment
    if intent.status == "requires_payment_method":
        # Stripe's way of saying the card was declined or authentication failed.
        status = Status.FAILED if intent.failure_message or payment.provider_payment_id else Status.CREATED
    else:
        status = _INTENT_STATUS.get(intent.status, payment.status)
    if status == Status.SUCCEEDED and (intent.amount != payment.amount_pence or intent.currency != "gbp"):
        log.error(
            "intent %s amount/currency differ from payment %s: not credited", intent.id, payment.reference
        )
        return payment
    return _payment_apply(
        payment_id=payment_id,
        status=status,
        provider_payment_id=intent.id,
        charge_id=intent.charge_id,
        failure_message=intent.failure_message,
        actor=actor,
    )


@transaction.atomic
def _payment_apply(
    *,
    payment_id: int,
    status: str,
    provider_payment_id: str | None = None,
    charge_id: str = "",
    failure_message: str = "",
    actor=None,
) -> Payment:
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    changed = []
    if provider_payment_id and not payment.provider_payment_id:
        payment.provider_payment_id = provider_payment_id
        changed.append("provider_payment_id")
    if charge_id and not payment.provider_charge_id:
        payment.provider_charge_id = charge_id
        changed.append("provider_charge_id")
    if status != payment.status and status in Payment.TRANSITIONS[payment.status]:
        previous = payment.status
        payment.status = status
        changed.append("status")
        if status == Status.FAILED:
            payment.failure_message = (failure_message or "Your card has been declined")[:300]
            changed.append("failure_message")
        if status == Status.SUCCEEDED and payment.succeeded_at is None:
            payment.succeeded_at = timezone.now()
            changed.append("succeeded_at")
        audit_log(
            actor=actor,
            action=f"payments.payment.{status}",
            obj=payment,
            data={"from": previous, "provider_payment_id": payment.provider_payment_id},
        )
    if changed:
        payment.save(update_fields=[*changed, "updated_at"])
    if payment.status == Status.SUCCEEDED:
        _payment_credit(payment=payment, actor=actor)
    return payment


def _payment_credit(*, payment: Payment, actor=None) -> None:
    entry, created = ledger_post(
        account_id=payment.account_id,
        kind=LedgerEntry.Kind.CARD_PAYMENT,
        amount_pence=-payment.amount_pence,
        description=f"Card payment {payment.reference}",
        payment=payment,
        actor=actor,
        on=business_date(payment.succeeded_at),
    )
    if created:
        audit_log(
            actor=actor,
            action="payments.ledger.credited",
            obj=payment,
            data={"entry": entry.pk, "amount_pence": payment.amount_pence},
        )
        if payment.email:
            notification_send(
                template="payments/email/receipt",
                to=payment.email,
                key=f"payments.receipt:{payment.pk}",
                context={
                    "payment": payment,
                    "account": payment.account,
                    "balance_pence": entry.balance_after_pence,
                },
            )


@transaction.atomic
def payment_expire(*, payment_id: int, actor=None) -> Payment:
    """Give up on an attempt abandoned for 90 minutes, cancelling its PaymentIntent first."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.is_pending or payment.status == Status.PROCESSING:
        return payment
    if payment.provider_payment_id:
        try:
            intent = gateway.intent_cancel(
                payment.provider_payment_id, idempotency_key=f"payment-{payment.pk}-cancel"
            )
        except gateway.GatewayError:
            # It may have moved on (e.g. succeeded at the last moment): trust what Stripe says now.
            return payment_refresh(payment_id=payment_id, actor=actor)
        if intent.status != "canceled":
            return _payment_apply_intent(payment_id=payment_id, intent=intent, actor=actor)
    return _payment_apply(payment_id=payment_id, status=Status.EXPIRED, actor=actor)


# -- webhooks ----------------------------------------------------------------------------------------


def stripe_event_receive(
    *, payload: bytes, signature: str, source: str = "webhook"
) -> tuple[StripeEvent, bool]:
    """Verify, store once, and queue processing. Raises gateway.SignatureError for anything unsigned."""
    event = gateway.webhook_verify(payload, signature)
    return stripe_event_store(event=event, source=source)


@transaction.atomic
def stripe_event_store(*, event: dict, source: str) -> tuple[StripeEvent, bool]:
    obj = (event.get("data") or {}).get("object") or {}
    try:
        with transaction.atomic():
            row = StripeEvent.objects.create(
                event_id=event["id"],
                type=event.get("type", ""),
                object_id=str(obj.get("id", ""))[:100],
                created=int(event.get("created") or 0),
                payload=event,
                source=source,
            )
    except IntegrityError:
        return StripeEvent.objects.get(event_id=event["id"]), False
    enqueue("payments.tasks.stripe_event_process", row.pk)
    return row, True


def stripe_event_process(*, event_pk: int) -> StripeEvent:
    """Apply one stored event. The event row is locked and marked processed in the same transaction as its
    effect, so a redelivered task or a duplicate event changes nothing the second time."""
    with transaction.atomic():
        row = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if row.processed_at:
            return row
        obj = (row.payload.get("data") or {}).get("object") or {}
        if row.type.startswith("payment_intent."):
            _event_payment_intent(obj)
        elif row.type in {"charge.refunded", "refund.updated", "refund.created", "charge.refund.updated"}:
            _event_refund(obj)
        elif row.type.startswith("charge.dispute."):
            _event_dispute(row.type, obj)
        row.processed_at = timezone.now()
        row.attempts += 1
        row.save(update_fields=["processed_at", "attempts"])
        return row


def _payment_for_intent(intent_id: str) -> Payment | None:
    """Our payment for an intent, by the intent id we recorded before confirming it, and by nothing else.

    The id is committed before the intent is confirmed, so no webhook can arrive before it; an intent we
    never recorded (its metadata copied from one of ours, or another system's on the same Stripe account)
    is never adopted.
    """
    if not intent_id:
        return None
    return Payment.objects.filter(provider_payment_id=intent_id).first()


def _event_payment_intent(obj: dict) -> None:
    payment = _payment_for_intent(obj.get("id", ""))
    if payment is None:
        log.warning("event for a PaymentIntent we did not record: %s", obj.get("id"))
        return
    # Never trust the event body: re-read the intent.
    intent = gateway.intent_retrieve(obj["id"])
    _payment_apply_intent(payment_id=payment.pk, intent=intent)


def _event_refund(obj: dict) -> None:
    refunds = obj.get("refunds", {}).get("data") if obj.get("object") == "charge" else [obj]
    for data in refunds or []:
        payment = _payment_for_intent(data.get("payment_intent") or obj.get("payment_intent") or "")
        if payment is None:
            continue
        refund_record(
            payment_id=payment.pk,
            provider_refund_id=data["id"],
            amount_pence=int(data["amount"]),
            status=data.get("status", "succeeded"),
        )


def refund_request(*, payment_id: int, amount_pence: int, reason: str, actor) -> Refund:
    """A finance officer refunds all or part of a payment.

    The amount is reserved under a lock on the payment (pending refunds count against it), so two officers
    refunding at once can never exceed what was paid. Stripe is called after the reservation commits, with an
    idempotency key per refund row.
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if (
            payment.status not in {Status.SUCCEEDED, Status.PARTLY_REFUNDED}
            or not payment.provider_payment_id
        ):
            raise ApplicationError("Only a paid card payment can be refunded", field="amount")
        pending = sum(
            payment.refunds.filter(status=Refund.Status.PENDING).values_list("amount_pence", flat=True)
        )
        available = payment.refundable_pence - pending
        if amount_pence <= 0:
            raise ApplicationError("Refund must be more than £0", field="amount")
        if amount_pence > available:
            raise ApplicationError(
                f"Refund must be £{available // 100:,}.{available % 100:02d} or less: that is what is left "
                "to refund on this payment",
                field="amount",
            )
        refund = Refund.objects.create(
            payment=payment,
            amount_pence=amount_pence,
            reason=reason[:300],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_log(
            actor=actor,
            action="payments.refund.requested",
            obj=payment,
            data={"refund": refund.pk, "amount_pence": amount_pence, "reason": reason[:300]},
        )
    try:
        data = gateway.refund_create(
            intent_id=payment.provider_payment_id,
            amount_pence=amount_pence,
            idempotency_key=f"refund-{refund.pk}",
        )
    except gateway.GatewayError:
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
                status=Refund.Status.FAILED
            )
            audit_log(actor=actor, action="payments.refund.failed", obj=payment, data={"refund": refund.pk})
        raise
    return refund_record(
        payment_id=payment.pk,
        provider_refund_id=data["id"],
        amount_pence=int(data["amount"]),
        status=data.get("status", "pending"),
        refund_id=refund.pk,
        actor=actor,
    )


@transaction.atomic
def refund_record(
    *,
    payment_id: int,
    provider_refund_id: str,
    amount_pence: int,
    status: str,
    refund_id: int | None = None,
    actor=None,
) -> Refund:
    """Record a refund Stripe reports; debit the ledger once when it succeeds; reverse it if it fails."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    refund = Refund.objects.filter(provider_refund_id=provider_refund_id).first()
    if refund is None and refund_id is not None:
        refund = Refund.objects.get(pk=refund_id)
        refund.provider_refund_id = provider_refund_id
        refund.save(update_fields=["provider_refund_id"])
    if refund is None:
        refund = Refund.objects.create(
            payment=payment, provider_refund_id=provider_refund_id, amount_pence=amount_pence, created_by=None
        )
    if status == "succeeded" and refund.status != Refund.Status.SUCCEEDED:
        if amount_pence > payment.refundable_pence:
            log.error("refund %s exceeds what is refundable on %s", provider_refund_id, payment.reference)
            return refund
        refund.status = Refund.Status.SUCCEEDED
        refund.save(update_fields=["status"])
        ledger_post(
            account_id=payment.account_id,
            kind=LedgerEntry.Kind.REFUND,
            amount_pence=amount_pence,
            description=f"Refund of card payment {payment.reference}",
            refund=refund,
            actor=actor,
        )
        payment.refunded_pence += amount_pence
        payment.save(update_fields=["refunded_pence", "updated_at"])
        new_status = (
            Status.REFUNDED if payment.refunded_pence == payment.amount_pence else Status.PARTLY_REFUNDED
        )
        _payment_apply(payment_id=payment.pk, status=new_status, actor=actor)
        if payment.email:
            # Once per refund, like the receipt: the key makes a second send a no-op.
            notification_send(
                template="payments/email/refund",
                to=payment.email,
                key=f"payments.refund:{refund.pk}",
                context={"payment": payment, "account": payment.account, "refund": refund},
            )
    elif status in {"failed", "canceled"} and refund.status != Refund.Status.FAILED:
        if refund.status == Refund.Status.SUCCEEDED:
            # The provider reversed a refund it had reported done: put the money back, as a new entry.
            ledger_post(
                account_id=payment.account_id,
                kind=LedgerEntry.Kind.REFUND,
                amount_pence=-refund.amount_pence,
                description=f"Refund of {payment.reference} failed and was reversed",
                actor=actor,
            )
            payment.refunded_pence -= refund.amount_pence
            payment.save(update_fields=["refunded_pence", "updated_at"])
        refund.status = Refund.Status.FAILED
        refund.save(update_fields=["status"])
        audit_log(actor=actor, action="payments.refund.failed", obj=payment, data={"refund": refund.pk})
    return refund


def _event_dispute(event_type: str, obj: dict) -> None:
    intent_id = obj.get("payment_intent") or ""
    payment = _payment_for_intent(intent_id)
    if payment is None:
        log.warning("dispute for unknown payment %s", intent_id)
        return
    dispute_record(payment_id=payment.pk, event_type=event_type, data=obj)


@transaction.atomic
def dispute_record(*, payment_id: int, event_type: str, data: dict, actor=None) -> Dispute:
    """A dispute takes the money back (arrears reappear, finance is alerted); winning it gives it back."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    due = (data.get("evidence_details") or {}).get("due_by")
    dispute, created = Dispute.objects.get_or_create(
        provider_dispute_id=data["id"],
        defaults={
            "payment": payment,
            "amount_pence": int(data.get("amount") or payment.amount_pence),
            "status": data.get("status", ""),
            "reason": data.get("reason", ""),
            "evidence_due_by": dt.datetime.fromtimestamp(due, tz=dt.UTC) if due else None,
        },
    )
    if not created and data.get("status"):
        dispute.status = data["status"]
        dispute.save(update_fields=["status", "updated_at"])
    if event_type in {"charge.dispute.funds_withdrawn", "charge.dispute.created"}:
        _, posted = ledger_post(
            account_id=payment.account_id,
            kind=LedgerEntry.Kind.DISPUTE,
            amount_pence=dispute.amount_pence,
            dispute=dispute,
            actor=actor,
            description=f"Card payment {payment.reference} disputed",
        )
        if posted:
            _payment_apply(payment_id=payment.pk, status=Status.DISPUTED, actor=actor)
            notification_send(
                template="payments/email/dispute_alert",
                to=settings.PAYMENTS_FINANCE_EMAIL,
                key=f"payments.dispute-alert:{dispute.pk}",
                context={"payment": payment, "dispute": dispute},
            )
    elif (
        event_type == "charge.dispute.funds_reinstated"
        or (event_type == "charge.dispute.closed" and data.get("status") == "won")
    ) and dispute.entries.filter(kind=LedgerEntry.Kind.DISPUTE).exists():
        ledger_post(
            account_id=payment.account_id,
            kind=LedgerEntry.Kind.DISPUTE_WON,
            amount_pence=-dispute.amount_pence,
            dispute=dispute,
            actor=actor,
            description=f"Disputed payment {payment.reference} reinstated",
        )
        _payment_apply(payment_id=payment.pk, status=Status.SUCCEEDED, actor=actor)
    return dispute


# -- sweepers ----------------------------------------------------------------------------------------


def payments_sweep(*, now: dt.datetime | None = None) -> dict:
    """Re-check attempts stuck in a non-final state and expire abandoned ones. Each payment is its own
    transaction, so one failure does not stop the rest."""
    now = now or timezone.now()
    checked = expired = 0
    stuck = Payment.objects.filter(
        status__in=[Status.REQUIRES_ACTION, Status.PROCESSING, Status.CREATED, Status.CONFIRMING],
        updated_at__lt=now - STUCK_AFTER,
    ).values_list("pk", "created_at", "status")
    for pk, created_at, status in stuck:
        try:
            if created_at < now - ABANDON_AFTER:
                payment = payment_expire(payment_id=pk)
                expired += payment.status == Status.EXPIRED
            else:
                if status == Status.CONFIRMING:
                    # Its submission died mid-call (a request gives up on Stripe within a few minutes):
                    # free it, then read whatever Stripe did with the recorded intent.
                    payment_confirmation_release(payment_id=pk)
                payment_refresh(payment_id=pk)
                checked += 1
        except gateway.GatewayError:
            log.warning("sweeper could not reach Stripe for payment %s", pk)
    return {"checked": checked, "expired": expired}


def stripe_events_recover(*, limit: int = 1000) -> int:
    """Read Stripe's event list from our watermark and store any event whose webhook never arrived."""
    cursor, _ = SyncCursor.objects.get_or_create(name="stripe-events", defaults={"value": "0"})
    since = int(cursor.value or 0)
    # Overlap the window a little: events created in the same second as the watermark are re-read and
    # deduplicated by their unique id.
    events = gateway.events_list(created_after=max(0, since - 60))
    stored = 0
    newest = since
    for event in events[:limit]:
        _, created = stripe_event_store(event=event, source="sweeper")
        stored += created
        newest = max(newest, int(event.get("created") or 0))
    SyncCursor.objects.filter(pk=cursor.pk).update(value=str(newest))
    return stored


# -- finance -----------------------------------------------------------------------------------------


def income_file_generate(*, day: dt.date, actor=None):
    """Make (or re-make) a day's income file. The stored file never changes; a re-run that would produce
    different bytes is refused loudly, because it means the ledger for a closed day was changed."""
    from pathlib import Path

    from .income_file import batch_id_for, digest, income_file_build
    from .models import IncomeFile

    content, count, total = income_file_build(day)
    with transaction.atomic():
        existing = IncomeFile.objects.select_for_update().filter(business_date=day).first()
        if existing is not None:
            if existing.sha256 != digest(content):
                log.error("income file for %s would change on re-run; keeping the original", day)
                raise ApplicationError(f"The income file for {day:%d %B %Y} no longer matches the ledger")
            income = existing
        else:
            income = IncomeFile.objects.create(
                business_date=day,
                batch_id=batch_id_for(day),
                row_count=count,
                total_pence=total,
                sha256=digest(content),
                content=content,
            )
            audit_log(
                actor=actor,
                action="payments.income_file.created",
                obj=income,
                data={"rows": count, "total_pence": total},
            )
    folder = Path(settings.PAYMENTS_INCOME_FILE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{income.batch_id}.csv").write_text(income.content, newline="")
    return income


def arrears_reminders_send(*, today: dt.date | None = None) -> int:
    """Email each resident whose linked account is in arrears, at most once per rent week, before Monday.

    Residents who turned reminders off get none. The notification key (account, resident, week) makes a
    second run in the same week send nothing.
    """
    from .calendar import next_monday

    today = today or business_date()
    due = next_monday(today + dt.timedelta(days=1))
    week = due.isocalendar()
    sent = 0
    links = (
        AccountLink.objects.filter(
            unlinked_at__isnull=True,
            account__balance_pence__gt=0,
            user__reminder_emails=True,
            user__is_active=True,
        )
        .select_related("account", "user")
        .order_by("pk")
    )
    for link in links.iterator(chunk_size=500):
        key = f"payments.arrears:{link.account_id}:{link.user_id}:{week.year}-W{week.week:02d}"
        if Notification.objects.filter(key=key).exists():
            continue
        with transaction.atomic():
            notification_send(
                template="payments/email/arrears_reminder",
                to=link.user.email,
                key=key,
                context={
                    "account": link.account,
                    "due_date": due,
                    "balance_pence": link.account.balance_pence,
                },
            )
        sent += 1
    return sent


@transaction.atomic
def reminders_set(*, user, enabled: bool, actor) -> None:
    user.reminder_emails = enabled
    user.save(update_fields=["reminder_emails"])
    audit_log(actor=actor, action="payments.reminders." + ("on" if enabled else "off"), obj=user)


def reconciliation_start(*, period_start: dt.date, period_end: dt.date, actor=None):
    from .reconciliation import reconciliation_run

    return reconciliation_run(
        period_start=period_start,
        period_end=period_end,
        actor=actor,
        page_size=settings.PAYMENTS_RECONCILIATION_PAGE_SIZE,
    )


@transaction.atomic
def discrepancy_resolve(*, discrepancy_id: int, note: str, actor):
    from .models import Discrepancy

    d = Discrepancy.objects.select_for_update().get(pk=discrepancy_id)
    if not note.strip():
        raise ApplicationError("Say how the discrepancy was resolved", field="note")
    d.status = Discrepancy.Status.RESOLVED
    d.resolved_by = actor
    d.resolved_at = timezone.now()
    d.resolution_note = note
    d.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    audit_log(actor=actor, action="payments.discrepancy.resolved", obj=d, data={"note": note[:300]})
    return d


@transaction.atomic
def resident_account_closed(*, user, actor) -> None:
    """The resident closed their portal account: their rent accounts are unlinked from it (the accounts,
    ledger and payments stay, as the law requires)."""
    for link in AccountLink.objects.select_for_update().filter(user=user, unlinked_at__isnull=True):
        link.unlinked_at = timezone.now()
        link.save(update_fields=["unlinked_at"])
        audit_log(
            actor=actor, action="payments.account.unlinked", obj=link.account, data={"reason": "closed"}
        )
