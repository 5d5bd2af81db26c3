"""Every call to Stripe goes through this module.

The rest of the code sees plain dicts and our own exceptions. Outbound writes carry deterministic
idempotency keys derived from our payment row, so a retry (ours or the library's) can never create a second
PaymentIntent. Differences between Stripe and localstripe (the development server) are handled here and
nowhere else.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import logging
import os
import random
import re
import shutil
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

import stripe
from django.conf import settings

from .decline import decline_message

log = logging.getLogger(__name__)


class GatewayError(Exception):
    """Stripe could not be reached or refused the request; the message is safe to show a resident."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable

    def __reduce__(self):
        # A task's result and its retries pickle the exception; `retryable` is keyword-only.
        return (_gateway_error, (type(self), str(self), self.retryable))


def _gateway_error(cls, message: str, retryable: bool) -> GatewayError:
    return cls(message, retryable=retryable)


class SignatureError(Exception):
    pass


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    amount: int
    currency: str
    metadata: dict
    client_secret: str
    failure_message: str
    charge_id: str


def _client() -> stripe.StripeClient:
    """One client per configuration for the process: its HTTP client keeps a session per thread, so calls
    reuse a warm connection instead of opening (in production, a TLS handshake to Stripe) for every call."""
    return _client_for(
        os.getpid(),  # a forked worker must not share its parent's open connections
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE,
        settings.STRIPE_TIMEOUT_SECONDS,
        settings.STRIPE_MAX_NETWORK_RETRIES,
    )


@functools.lru_cache(maxsize=8)
def _client_for(
    pid: int, secret_key: str, api_base: str, timeout: float, retries: int
) -> stripe.StripeClient:
    kwargs: dict = {
        "max_network_retries": retries,
        # A resident waits on this call: give up (and retry) long before a browser would.
        "http_client": stripe.new_default_http_client(timeout=timeout),
    }
    if api_base:
        kwargs["base_addresses"] = {"api": api_base}
    return stripe.StripeClient(secret_key, **kwargs)


def warm() -> None:
    """Import what the first call would (the HTTP client, the services and resources we use); no request."""
    client = _client()
    for service in ("payment_intents", "tokens", "events", "refunds", "balance_transactions"):
        getattr(client.v1, service)
    for resource in ("PaymentIntent", "Event", "Charge", "Refund", "BalanceTransaction", "Dispute"):
        getattr(stripe, resource)


def is_card_token(value: str) -> bool:
    """A card token as Stripe.js makes them ("tok_" and letters and digits). Anything else never reaches
    Stripe: it can only fail there, and the attempt would be spent on it."""
    return re.fullmatch(r"tok_[A-Za-z0-9_]{1,200}", value or "") is not None


def is_localstripe() -> bool:
    return bool(settings.STRIPE_API_BASE)


def _intent(obj) -> Intent:
    data = obj if isinstance(obj, dict) else obj.to_dict()
    charge = data.get("latest_charge")
    # localstripe embeds the charge object where Stripe gives its id.
    charge_id = str(charge.get("id") or "") if isinstance(charge, dict) else str(charge or "")
    error = data.get("last_payment_error") or {}
    return Intent(
        id=data["id"],
        status=data["status"],
        amount=int(data["amount"]),
        currency=data["currency"],
        metadata=dict(data.get("metadata") or {}),
        client_secret=data.get("client_secret") or "",
        failure_message=decline_message(
            code=error.get("code") or "",
            decline_code=error.get("decline_code") or "",
            message=error.get("message") or "",
        )
        if error
        else "",
        charge_id=charge_id,
    )


# A lost answer or a 5xx may come after Stripe took the money, so the resident is not told it was not taken;
# the sweeper finds and credits such a payment.
_UNKNOWN_OUTCOME = (
    "We cannot yet tell whether your payment went through. If it did, it will show on your rent account "
    "within a few minutes. If it did not, you can try again."
)


def _translate(exc: stripe.StripeError) -> GatewayError:
    if isinstance(exc, stripe.CardError):
        err = getattr(exc, "error", None)
        return GatewayError(
            decline_message(
                code=exc.code or "",
                decline_code=getattr(err, "decline_code", None) or "",
                message=exc.user_message or "",
            ),
            retryable=False,
        )
    if isinstance(exc, stripe.APIConnectionError | stripe.RateLimitError):
        return GatewayError(f"The card payment service is not responding. {_UNKNOWN_OUTCOME}", retryable=True)
    if isinstance(exc, stripe.APIError):
        return GatewayError(f"The card payment service had a problem. {_UNKNOWN_OUTCOME}", retryable=True)
    log.warning("stripe refused a request: %s", type(exc).__name__)
    return GatewayError("The card payment could not be started. No money has been taken.", retryable=False)


RATE_LIMIT_RETRIES = 3


def _call(fn, *args, **kwargs):
    """Run a Stripe call, turning its errors into ours. The library retries timeouts, connection errors,
    409s and 5xx with backoff, reusing the same idempotency key; it retries a 429 only when Stripe says to,
    so rate limits are retried here, with backoff and the same arguments (and so the same key)."""
    for attempt in range(RATE_LIMIT_RETRIES + 1):
        try:
            return fn(*args, **kwargs)
        except stripe.RateLimitError as exc:
            if attempt == RATE_LIMIT_RETRIES:
                raise _translate(exc) from exc
            # Jitter spreads retries from many workers; it is not a secret, so `random` is right here.
            time.sleep(min(0.5 * 2**attempt, 4) * (0.75 + random.random() / 2))  # nosec B311
        except stripe.StripeError as exc:
            raise _translate(exc) from exc
    raise AssertionError("unreachable")


def intent_create(
    *,
    payment_id: int,
    reference: str,
    account_reference: str,
    amount_pence: int,
    card_token: str,
    idempotency_key: str,
    moto: bool = False,
) -> Intent:
    """Create the PaymentIntent with the card attached but not yet confirmed, so we can record its id
    before any money moves. `moto`: card details given over the phone to staff, so exempt from 3-D Secure
    (Stripe needs MOTO enabled on the account; localstripe accepts the option and ignores it, so a card
    that asks for 3-D Secure still does there, and the caller must handle that)."""
    client = _client()
    params: dict = {
        "amount": amount_pence,
        "currency": "gbp",
        "metadata": {
            "payment_reference": reference,
            "account_reference": account_reference,
            "payment_id": str(payment_id),
        },
    }
    if is_localstripe():
        # localstripe takes the card from the token as a payment method id and rejects payment_method_data.
        token = _call(client.v1.tokens.retrieve, card_token)
        params["payment_method"] = token["card"]["id"]
    else:
        params["payment_method_data"] = {"type": "card", "card": {"token": card_token}}
        params["payment_method_types"] = ["card"]
    if moto:
        params["payment_method_options"] = {"card": {"moto": True}}
        params["metadata"]["channel"] = "phone"
    return _intent(
        _call(client.v1.payment_intents.create, params=params, options={"idempotency_key": idempotency_key})
    )


def intent_confirm(intent_id: str, *, idempotency_key: str) -> Intent:
    """Confirm: the card is charged, or the bank asks for 3-D Secure. A decline returns the intent with its
    error rather than raising, so the caller records the failure from Stripe's own answer."""
    try:
        obj = _client().v1.payment_intents.confirm(intent_id, options={"idempotency_key": idempotency_key})
    except stripe.CardError:
        return intent_retrieve(intent_id)
    except stripe.StripeError as exc:
        raise _translate(exc) from exc
    return _intent(obj)


def intent_from_payload(obj: dict) -> Intent:
    """The intent as a signed event carried it (the caller decides whether the payload is enough)."""
    return _intent(obj)


def intent_retrieve(intent_id: str) -> Intent:
    return _intent(_call(_client().v1.payment_intents.retrieve, intent_id))


def intent_cancel(intent_id: str, *, idempotency_key: str) -> Intent:
    return _intent(
        _call(_client().v1.payment_intents.cancel, intent_id, options={"idempotency_key": idempotency_key})
    )


def refund_create(
    *, intent_id: str, amount_pence: int, idempotency_key: str, metadata: dict | None = None
) -> dict:
    params: dict = {"payment_intent": intent_id, "amount": amount_pence}
    if metadata:
        params["metadata"] = metadata
    obj = _call(
        _client().v1.refunds.create,
        params=params,
        options={"idempotency_key": idempotency_key},
    )
    return obj.to_dict()


def events_list(*, created_after: int, limit: int = 100) -> list[dict]:
    """Events newer than `created_after`, oldest first, paging through everything."""
    client = _client()
    params: dict = {"limit": limit}
    if not is_localstripe():
        params["created"] = {"gt": created_after}
    out: list[dict] = []
    page = _call(client.v1.events.list, params=params)
    while True:
        out.extend(e.to_dict() for e in page.data)
        if not page.has_more or not page.data:
            break
        page = _call(client.v1.events.list, params={**params, "starting_after": page.data[-1].id})
    # localstripe ignores the created filter, so filter here (harmless against Stripe).
    return sorted((e for e in out if int(e.get("created", 0)) > created_after), key=lambda e: e["created"])


def webhook_verify(payload: bytes, signature_header: str, *, tolerance: int = 300) -> dict:
    """Check Stripe-Signature against each secret (rotation); the event as plain JSON, not library objects."""
    secrets = [s for s in settings.STRIPE_WEBHOOK_SECRETS if s]
    if not secrets or not signature_header:
        raise SignatureError("missing signature or no secret configured")
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance)
            event = json.loads(payload)
        except stripe.SignatureVerificationError:
            continue
        except ValueError as exc:  # not UTF-8, or not JSON
            raise SignatureError("payload is not JSON") from exc
        if not isinstance(event, dict):
            raise SignatureError("payload is not a JSON object")
        return event
    raise SignatureError("no secret matched")


def webhook_sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Build a Stripe-Signature header (used by tests and benchmarks that replay events)."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def balance_transaction_pages(
    *, created_gte: int, created_lt: int, starting_after: str = "", limit: int = 100
):
    """Pages of balance transactions in a time window, oldest first as Stripe lists them newest first.

    localstripe rejects the `created` filter, so the window is applied here (harmless against Stripe).
    """
    client = _client()
    params: dict = {"limit": limit}
    if not is_localstripe():
        params["created"] = {"gte": created_gte, "lt": created_lt}
    if starting_after:
        params["starting_after"] = starting_after
    while True:
        page = _call(client.v1.balance_transactions.list, params=params)
        data = [t.to_dict() for t in page.data]
        yield [t for t in data if created_gte <= int(t.get("created", 0)) < created_lt]
        if not page.has_more or not data:
            return
        params["starting_after"] = data[-1]["id"]


def charge_payment_intent(charge_id: str) -> str:
    """The id of the PaymentIntent a charge belongs to ('' if none). Which payment of ours that is, is
    decided by the intent ids we recorded, never by metadata anyone could have copied."""
    charge = _call(_client().v1.charges.retrieve, charge_id).to_dict()
    intent = charge.get("payment_intent")
    if isinstance(intent, dict):  # localstripe embeds it
        return intent.get("id", "")
    return intent or ""


def payouts_with_transactions(*, created_gte: int, created_lt: int):
    """(payout, its balance transactions) for each payout in a window. Stripe only: localstripe's payouts
    are EUR-only and its list rejects the `payout` filter."""
    client = _client()
    params: dict = {"limit": 100, "created": {"gte": created_gte, "lt": created_lt}}
    for payout in client.v1.payouts.list(params=params).auto_paging_iter():
        txns = client.v1.balance_transactions.list(params={"limit": 100, "payout": payout.id})
        yield payout.to_dict(), [t.to_dict() for t in txns.auto_paging_iter() if t.type != "payout"]


# The itemised balance report: one CSV row per balance transaction, for reconciliation at scale.
BALANCE_REPORT_TYPE = "balance_change_from_activity.itemized.3"
BALANCE_REPORT_COLUMNS = (
    "balance_transaction_id",
    "created_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "source_id",
    "payment_intent_id",
)


def reports_available() -> bool:
    """Stripe has the reports API; localstripe does not, unless a double stands in for it."""
    return bool(getattr(settings, "STRIPE_REPORTS_API_BASE", "")) or not is_localstripe()


def _reports_base() -> str:
    """Stripe's API for report runs. localstripe has no reports API, so development and the tests point this
    at a test double (`STRIPE_REPORTS_API_BASE`)."""
    return (getattr(settings, "STRIPE_REPORTS_API_BASE", "") or "https://api.stripe.com").rstrip("/")


def _reports_request(url: str, data: dict | None = None):
    base = _reports_base()
    # Only Stripe's own hosts (or the configured double) ever receive the secret key.
    if not (url.startswith(base + "/") or url.startswith("https://files.stripe.com/")):
        raise GatewayError("The provider's report is at an unexpected address", retryable=False)
    token = base64.b64encode(f"{settings.STRIPE_SECRET_KEY}:".encode()).decode()
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Authorization": f"Basic {token}"})  # noqa: S310
    try:
        return urllib.request.urlopen(request, timeout=settings.STRIPE_TIMEOUT_SECONDS * 4)  # noqa: S310  # nosec B310
    except OSError as exc:
        raise GatewayError("We could not get the report from the card provider", retryable=True) from exc


def balance_report_open(*, created_gte: int, created_lt: int, wait_s: float = 150.0, poll_s: float = 2.0):
    """Ask Stripe for the itemised balance report of a window, wait for it, and return it as a binary file
    (a temporary file on disk, streamed: the report can be hundreds of megabytes). The wait stays well inside
    the Celery task's soft time limit (4 minutes); a report not ready by then is a retryable GatewayError.

    Stripe builds its reports from data it finishes processing some hours after the fact, and refuses a run
    for a window it has not finished; the report type says how far its data goes, so a window not covered yet
    is a retryable GatewayError before any run is asked for."""
    with _reports_request(f"{_reports_base()}/v1/reporting/report_types/{BALANCE_REPORT_TYPE}") as response:
        available_end = json.load(response).get("data_available_end") or 0
    if int(available_end) < created_lt:
        raise GatewayError("The card provider's report for this period is not ready yet", retryable=True)
    params = {
        "report_type": BALANCE_REPORT_TYPE,
        "parameters[interval_start]": str(created_gte),
        "parameters[interval_end]": str(created_lt),
    }
    for i, column in enumerate(BALANCE_REPORT_COLUMNS):
        params[f"parameters[columns][{i}]"] = column
    with _reports_request(f"{_reports_base()}/v1/reporting/report_runs", params) as response:
        report_run = json.load(response)
    deadline = time.monotonic() + wait_s
    pause = 0.1
    while report_run.get("status") == "pending" and time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, poll_s)
        with _reports_request(f"{_reports_base()}/v1/reporting/report_runs/{report_run['id']}") as response:
            report_run = json.load(response)
    if report_run.get("status") != "succeeded":
        raise GatewayError("The card provider has not produced the report", retryable=True)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    with _reports_request(report_run["result"]["url"]) as response:
        shutil.copyfileobj(response, out, 1 << 20)
    out.seek(0)
    return out
