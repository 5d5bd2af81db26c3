"""Stripe timing out or answering 429 or 500: retried with backoff and the same idempotency key, never a
second PaymentIntent; when Stripe stays down the resident gets a clear message, not a 500.

Stripe is outside the machine, so a small proxy in front of localstripe plays the faults. It also does what
Stripe does with idempotency keys (replays the first answer to a repeated key), which localstripe does not."""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from payments import services
from payments.models import Payment
from payments.stripe_gateway import _client
from tests.payments.conftest import CARD_OK, card_token, start_payment

pytestmark = pytest.mark.timeout(120)


class FlakyStripe:
    """Forwards to localstripe; `faults` is consumed, one per matching request: "500" (before Stripe sees it),
    "500-after" (Stripe acted, the answer is lost), "429", "timeout" (Stripe acted, no answer in time)."""

    def __init__(self, upstream: str, faults: list[str], match: str = "/v1/payment_intents"):
        self.upstream = urlsplit(upstream)
        self.faults = list(faults)
        self.match = match
        self.seen: list[tuple[str, str, str]] = []
        self.replies: dict[str, tuple[int, bytes]] = {}
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self, body: bytes) -> tuple[int, bytes]:
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=30)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                }
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                return response.status, response.read()

            def _answer(self, status: int, body: bytes, extra: dict | None = None):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _handle(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key", "")
                with proxy.lock:
                    proxy.seen.append((self.command, self.path, key))
                    fault = proxy.faults.pop(0) if self.path.startswith(proxy.match) and proxy.faults else ""
                    replay = proxy.replies.get(key) if key else None
                if fault == "500":
                    return self._answer(500, b'{"error": {"type": "api_error", "message": "boom"}}')
                if fault == "429":
                    return self._answer(
                        429, b'{"error": {"type": "rate_limit_error", "message": "slow down"}}'
                    )
                if replay is not None:
                    return self._answer(*replay, {"Idempotent-Replayed": "true"})
                status, payload = self._forward(body)
                if key and self.command == "POST":
                    with proxy.lock:
                        proxy.replies[key] = (status, payload)
                if fault == "500-after":
                    return self._answer(500, b'{"error": {"type": "api_error", "message": "lost"}}')
                if fault == "timeout":
                    time.sleep(3)  # longer than the client's timeout in these tests
                return self._answer(status, payload)

            do_GET = do_POST = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def flaky(settings):
    proxies = []

    def _make(faults, match="/v1/payment_intents"):
        proxy = FlakyStripe(settings.STRIPE_API_BASE, faults, match)
        proxies.append(proxy)
        settings.STRIPE_API_BASE = proxy.url
        settings.STRIPE_TIMEOUT_SECONDS = 1
        return proxy

    yield _make
    for proxy in proxies:
        proxy.close()


@pytest.fixture
def account(db):
    from payments.models import RentAccount

    return RentAccount.objects.create(
        reference="7720000000", postcode="E8 1EA", tenant_name="T", address="A", weekly_rent_pence=10_000
    )


def _intents_for(payment) -> list:
    page = _client().v1.payment_intents.list(params={"limit": 100})
    intents = [i.to_dict() for i in page.data]
    return [i for i in intents if (i.get("metadata") or {}).get("payment_id") == str(payment.pk)]


@pytest.mark.parametrize(
    "faults", [["500"], ["429", "429"], ["timeout"], ["500-after"], ["500", "429", "timeout"]]
)
def test_faults_are_retried_with_the_same_key_and_make_one_payment_intent(account, flaky, faults):
    token = card_token(CARD_OK)  # made before the faults start
    payment = start_payment(account, amount_pence=2_500)
    proxy = flaky(faults)
    paid = services.payment_pay_by_card(payment_id=payment.pk, card_token=token)
    assert paid.status == Payment.Status.SUCCEEDED
    creates = [key for method, path, key in proxy.seen if method == "POST" and path == "/v1/payment_intents"]
    assert len(creates) >= 2  # the first try and at least one retry
    assert len(set(creates)) == 1  # ... all with the one idempotency key
    assert creates[0] == f"payment-{payment.pk}-create"
    assert len(_intents_for(payment)) == 1


def test_stripe_down_for_good_gives_the_resident_a_clear_message_and_a_second_try_works(
    client, resident, account, flaky, settings
):
    from payments.services import account_link

    account_link(user=resident, account=account, actor=resident)
    client.force_login(resident)
    payment = start_payment(account, amount_pence=3_000, user=resident)
    token = card_token(CARD_OK)
    proxy = flaky(["500"] * 20)
    response = client.post(f"/pay-rent/payments/{payment.reference}/card/", {"card_token": token})
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "The card payment service had a problem. We cannot yet tell whether your payment went through" in page
    )
    assert "No money has been taken" not in page
    assert "govuk-error-summary" in page
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CREATED
    proxy.faults.clear()
    services.payment_pay_by_card(payment_id=payment.pk, card_token=token)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert len(_intents_for(payment)) == 1
