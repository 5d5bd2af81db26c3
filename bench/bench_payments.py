"""Pay My Rent: webhook events processed per second end to end, and the account page against the ceiling."""

from __future__ import annotations

import json
import time
import uuid

from .harness import Section


def _payments_with_intents(n: int):
    from payments import services
    from payments import stripe_gateway as gateway
    from payments.models import Payment, RentAccount
    from payments.stripe_gateway import _client

    accounts = [
        RentAccount.objects.get_or_create(
            reference=f"88{i:08d}",
            defaults={
                "postcode": "E8 1EA",
                "tenant_name": "Bench Tenant",
                "address": "1 Bench Street",
                "weekly_rent_pence": 10_000,
            },
        )[0]
        for i in range(20)
    ]
    client = _client()
    out = []
    for i in range(n):
        payment = services.payment_start(
            account=accounts[i % 20], amount_pence=100 + i, attempt_key=str(uuid.uuid4()), email=""
        )
        token = client.v1.tokens.create(
            params={
                "card": {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}
            }
        )
        intent = gateway.intent_create(
            payment_id=payment.pk,
            reference=payment.reference,
            account_reference=payment.account.reference,
            amount_pence=payment.amount_pence,
            card_token=token.id,
            idempotency_key=f"bench-{payment.pk}",
        )
        # Recorded before confirming, as the portal does: an intent it never recorded is never credited.
        Payment.objects.filter(pk=payment.pk).update(provider_payment_id=intent.id)
        gateway.intent_confirm(intent.id, idempotency_key=f"bench-{payment.pk}-c")
        out.append((payment, intent.id))
    return out


def _event(intent_id: str, reference: str, kind: str = "succeeded") -> dict:
    return {
        "id": f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": f"payment_intent.{kind}",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "metadata": {"payment_reference": reference},
            }
        },
    }


def run(ctx) -> list[Section]:
    ctx.setup_django()
    from django.conf import settings
    from django.db.models import Sum
    from django.test import Client

    from payments.models import LedgerEntry, Payment, RentAccount, StripeEvent
    from payments.stripe_gateway import webhook_sign

    n = 60 if ctx.quick else 400
    pairs = _payments_with_intents(n)
    events = []
    for payment, intent_id in pairs:
        ok = _event(intent_id, payment.reference)
        events += [
            ok,
            ok,
            _event(intent_id, payment.reference),
            _event(intent_id, payment.reference, "payment_failed"),
        ]
    requests = []
    secret = settings.STRIPE_WEBHOOK_SECRETS[0]
    for e in events:
        body = json.dumps(e).encode()
        requests.append(
            (
                "POST",
                "/payments/stripe/webhook/",
                body,
                {"Content-Type": "application/json", "Stripe-Signature": webhook_sign(body, secret)},
            )
        )

    # A linked resident for the account page.
    from hackney_portal.users.services import user_ensure
    from payments.services import account_link

    user = user_ensure(email="bench.resident@example.org", password="bench-pass-phrase-1", name="Bench")
    account = RentAccount.objects.get(reference="8800000000")
    account_link(user=user, account=account, actor=user)
    browser = Client()
    browser.force_login(user)
    cookies = {"sessionid": browser.cookies["sessionid"].value}

    duration = 3.0 if ctx.quick else 10.0
    with ctx.celery_worker(), ctx.gunicorn(workers=2) as base:
        ceiling = ctx.http_load(base, ["/__bench__/ceiling/"], concurrency=8, duration_s=duration)
        page = ctx.http_load(
            base,
            [f"/pay-rent/accounts/{account.pk}/"],
            concurrency=8,
            duration_s=duration,
            cookies=cookies,
        )
        started = time.monotonic()
        ingest = ctx.http_load(base, requests, concurrency=8, duration_s=600, max_requests=len(requests))
        deadline = time.monotonic() + 600
        while StripeEvent.objects.filter(processed_at__isnull=True).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        processed_in = time.monotonic() - started

    distinct = StripeEvent.objects.count()
    credited = LedgerEntry.objects.filter(kind="card_payment", payment__in=[p for p, _ in pairs]).count()
    total = -(
        LedgerEntry.objects.filter(kind="card_payment", payment__in=[p for p, _ in pairs]).aggregate(
            s=Sum("amount_pence")
        )["s"]
        or 0
    )
    expected = sum(p.amount_pence for p, _ in pairs)
    exactly_once = (
        credited == n
        and total == expected
        and not Payment.objects.filter(pk__in=[p.pk for p, _ in pairs]).exclude(status="succeeded").exists()
    )
    return [
        Section(
            title="Stripe webhooks end to end",
            intro=(
                f"{len(requests):,} signed events ({distinct:,} distinct) for {n} payments, with "
                "duplicates, a second event per payment and a late failure, sent by 8 concurrent clients "
                "to gunicorn (2 workers); a Celery worker (2 processes) re-reads each PaymentIntent "
                "from localstripe and credits the ledger. The ceiling is the minimal view, same server."
            ),
            headers=["measure", "value"],
            rows=[
                ["webhook requests answered", ingest.count],
                ["errors", ingest.errors],
                ["webhook req/s (receive, verify, store, queue)", ingest.rps],
                ["webhook p50 / p95 ms", f"{ingest.p50_ms:.1f} / {ingest.p95_ms:.1f}"],
                ["ceiling req/s (same server, same run)", ceiling.rps],
                ["events processed end to end per second (send to last applied)", distinct / processed_in],
                [
                    "exactly once after the run (one credit per payment, totals match)",
                    "yes" if exactly_once else "NO",
                ],
            ],
        ),
        Section(
            title="Rent account page vs the ceiling view",
            intro=(
                f"A signed-in resident's account page, 8 keep-alive clients for {duration:.0f}s, same server."
            ),
            headers=["endpoint", "requests", "errors", "req/s", "p50 ms", "p95 ms", "ratio to ceiling"],
            rows=[
                [
                    "ceiling view",
                    ceiling.count,
                    ceiling.errors,
                    ceiling.rps,
                    ceiling.p50_ms,
                    ceiling.p95_ms,
                    "1.00",
                ],
                [
                    "`/pay-rent/accounts/<id>/`",
                    page.count,
                    page.errors,
                    page.rps,
                    page.p50_ms,
                    page.p95_ms,
                    f"{page.rps / ceiling.rps:.2f}",
                ],
            ],
        ),
    ]
