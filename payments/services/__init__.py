"""Pay My Rent writes. Every function is atomic, keyword-only, and takes the acting user (`actor`).

One module per part of the service; everything public is re-exported here so callers keep
importing `payments.services`.
"""

from .. import stripe_gateway as gateway
from .accounts import (
    LINK_CODE_EMAIL_LIFETIME,
    LINK_CODE_LETTER_LIFETIME,
    _link_code_hash,
    account_find,
    account_link,
    account_link_code_issue_letter,
    account_link_code_send,
    account_link_with_code,
    account_unlink,
    normalise_postcode,
    resident_account_closed,
)
from .card import (
    payment_amount_validate,
    payment_confirmation_claim,
    payment_confirmation_release,
    payment_expire,
    payment_pay_by_card,
    payment_start,
)
from .disputes import dispute_record
from .event_batches import stripe_events_apply, stripe_events_apply_batch
from .finance import (
    discrepancy_refund_duplicate,
    discrepancy_resolve,
    duplicate_refundable_pence,
    income_file_generate,
    reconciliation_start,
)
from .intents import payment_credit, payment_intent_apply, payment_locked, payment_refresh, payment_status_set
from .ledger import ledger_post
from .phone import phone_payment_start, phone_payment_take
from .refunds import refund_record, refund_request
from .reminders import arrears_reminders_send, reminders_set
from .sweepers import ABANDON_AFTER, STUCK_AFTER, payments_sweep, stripe_events_recover
from .webhooks import stripe_event_process, stripe_event_receive, stripe_event_store

__all__ = [
    "ABANDON_AFTER",
    "LINK_CODE_EMAIL_LIFETIME",
    "LINK_CODE_LETTER_LIFETIME",
    "STUCK_AFTER",
    "_link_code_hash",
    "account_find",
    "account_link",
    "account_link_code_issue_letter",
    "account_link_code_send",
    "account_link_with_code",
    "account_unlink",
    "arrears_reminders_send",
    "discrepancy_refund_duplicate",
    "discrepancy_resolve",
    "dispute_record",
    "duplicate_refundable_pence",
    "gateway",
    "income_file_generate",
    "ledger_post",
    "normalise_postcode",
    "payment_amount_validate",
    "payment_confirmation_claim",
    "payment_confirmation_release",
    "payment_credit",
    "payment_expire",
    "payment_intent_apply",
    "payment_locked",
    "payment_pay_by_card",
    "payment_refresh",
    "payment_start",
    "payment_status_set",
    "payments_sweep",
    "phone_payment_start",
    "phone_payment_take",
    "reconciliation_start",
    "refund_record",
    "refund_request",
    "reminders_set",
    "resident_account_closed",
    "stripe_event_process",
    "stripe_event_receive",
    "stripe_event_store",
    "stripe_events_apply",
    "stripe_events_apply_batch",
    "stripe_events_recover",
]
