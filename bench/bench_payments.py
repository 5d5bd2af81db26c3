"""Pay My Rent: webhook events processed per second end to end, and the account page against the ceiling."""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

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
        confirmed = gateway.intent_confirm(intent.id, idempotency_key=f"bench-{payment.pk}-c")
        # Stripe's events carry the intent's charge id (`latest_charge`): keep it for the events below.
        payment.bench_charge_id = confirmed.charge_id
        out.append((payment, intent.id))
    return out


def _event(payment, intent_id: str, kind: str = "succeeded") -> dict:
    """An event as Stripe sends it: the PaymentIntent as it was when the event happened."""
    return {
        "id": f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": f"payment_intent.{kind}",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": payment.amount_pence,
                "currency": "gbp",
                "status": "succeeded" if kind == "succeeded" else "requires_payment_method",
                "latest_charge": getattr(payment, "bench_charge_id", "") or None,
                "metadata": {"payment_reference": payment.reference},
            }
        },
    }


def _send_each_once(base_url: str, requests: list, *, concurrency: int = 8) -> dict:
    """Send every request exactly once, in order, from `concurrency` keep-alive clients sharing one queue.

    A request whose connection fails is sent again by the same client (a retry, counted apart): unlike a
    closed-loop load, no event is dropped and none is sent twice except where the list itself says so, so
    "exactly once" afterwards measures the portal, not the load generator.
    """
    parts = urlsplit(base_url)
    queue = list(reversed(requests))
    lock = threading.Lock()
    stats = {"sent": 0, "errors": 0, "retries": 0}
    latencies: list[float] = []

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                method, path, body, headers = queue.pop()
            for _attempt in range(5):
                started = time.perf_counter()
                try:
                    conn.request(method, path, body=body, headers={"Host": parts.netloc, **headers})
                    resp = conn.getresponse()
                    resp.read()
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                    with lock:
                        stats["retries"] += 1
                    continue
                with lock:
                    stats["sent"] += 1
                    stats["errors"] += resp.status >= 400
                    latencies.append((time.perf_counter() - started) * 1000)
                break
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    t0 = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats["seconds"] = time.monotonic() - t0
    latencies.sort()
    stats["p50_ms"] = latencies[len(latencies) // 2] if latencies else float("nan")
    stats["p95_ms"] = latencies[int(len(latencies) * 0.95)] if latencies else float("nan")
    return stats


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _queue_drained(redis_url: str):
    """True once the Celery queue is empty and nothing is unacknowledged (acks are late: a task counts as
    done only when it has finished)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    return lambda: client.llen("celery") == 0 and client.hlen("unacked") == 0


def _noop_task_rate(n: int, redis_url: str) -> float:
    """Tasks per second through the same broker and worker for a task that does nothing (core.tasks.ping)."""
    from celery import current_app

    drained = _queue_drained(redis_url)
    started = time.monotonic()
    for _ in range(n):
        current_app.send_task("hackney_portal.core.tasks.ping")
    while not drained() and time.monotonic() - started < 300:
        time.sleep(0.02)
    return n / (time.monotonic() - started)


def _in_process_profile(pairs, secret: str) -> dict:
    """Where the time goes, in this process with one client (no load, no server, no worker running): the
    webhook request for one matching event (signature check, store, wake), then one batch applying all of
    those events at once; database statements counted (each a round trip)."""
    from django.db import connection
    from django.test import Client

    from payments.services import stripe_events_apply_batch
    from payments.stripe_gateway import webhook_sign, webhook_verify

    bodies = []
    for payment, intent_id in pairs:
        body = json.dumps(_event(payment, intent_id)).encode()
        bodies.append((body, webhook_sign(body, secret)))
    db = {"statements": 0, "seconds": 0.0}

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db["statements"] += 1
            db["seconds"] += time.perf_counter() - started

    client = Client()
    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        for body, sig in bodies:
            client.post(
                "/payments/stripe/webhook/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sig
            )
    total = time.perf_counter() - started
    request_db = dict(db)
    started = time.perf_counter()
    for body, sig in bodies:
        webhook_verify(body, sig)
    verify = time.perf_counter() - started
    n = len(bodies)
    # The events just stored are waiting (no worker runs now): one round of the applier takes them all.
    db.update(statements=0, seconds=0.0)
    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        applied = stripe_events_apply_batch(limit=n).applied
    batch = time.perf_counter() - started
    return {
        "ms": total / n * 1000,
        "verify_ms": verify / n * 1000,
        "statements": request_db["statements"] / n,
        "db_ms": request_db["seconds"] / n * 1000,
        "batch_events": applied,
        "batch_ms": batch * 1000,
        "batch_statements": db["statements"],
        "batch_db_ms": db["seconds"] * 1000,
    }


def _webhook_limit(ingest: dict, processed_in: float, after: dict) -> list[str]:
    """Where a miss of 500 events/s comes from: the requests themselves, or the applying after them."""
    if ingest["sent"] / processed_in >= 500:
        return []
    answered = ingest["seconds"]
    applied = max(after.values(), default=answered)
    if applied - answered < 0.1 * answered:
        return [
            f"The limit in this run was the webhook requests: the last was answered {answered:.2f} s after the "
            f"first was sent ({ingest['sent'] / answered:,.0f} a second) and applying finished "
            f"{max(applied - answered, 0):.2f} s after that. Each request is the profile's few milliseconds "
            "of Django and one INSERT, and the load generator, PostgreSQL, Redis and the Celery worker share "
            "the same two cores."
        ]
    return [
        f"The limit in this run was applying: the requests were all answered after {answered:.2f} s, and the "
        f"last event was done {applied - answered:.2f} s later (see the profile's cost an event)."
    ]


def run(ctx) -> list[Section]:
    ctx.setup_django()
    from django.conf import settings
    from django.db.models import Max, Sum
    from django.test import Client
    from django.utils import timezone

    from hackney_portal.core.models import OutboxTask
    from payments.models import LedgerEntry, Payment, RentAccount, StripeEvent
    from payments.stripe_gateway import webhook_sign

    n = 200 if ctx.quick else 1000
    pairs = _payments_with_intents(n)
    profiled = _payments_with_intents(50 if ctx.quick else 200)
    # What the provider sends: one "succeeded" per payment; one event in ten delivered twice (Stripe retries
    # a delivery it thinks failed, with the same event id), and one payment in ten also gets a late
    # "payment_failed" out of order (ignored: a paid payment cannot fail; re-read from Stripe only if it arrives
    # before the payment is paid).
    events = []
    for i, (payment, intent_id) in enumerate(pairs):
        ok = _event(payment, intent_id)
        events.append(ok)
        if i % 10 == 3:
            events.append(ok)
        if i % 10 == 7:
            events.append(_event(payment, intent_id, "payment_failed"))
    provider_duplicates = len(events) - len({e["id"] for e in events})
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
        noop_rate = _noop_task_rate(len(events), settings.CELERY_BROKER_URL)
        load_before = _loadavg()
        queued_before = OutboxTask.objects.filter(task_name="payments.tasks.stripe_event_process").count()
        started, sent_at = time.monotonic(), timezone.now()
        ingest = _send_each_once(base, requests, concurrency=8)
        deadline = time.monotonic() + 600
        while StripeEvent.objects.filter(processed_at__isnull=True).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        processed_in = time.monotonic() - started
        load_after = _loadavg()
    queued = (
        OutboxTask.objects.filter(task_name="payments.tasks.stripe_event_process").count() - queued_before
    )
    profile = _in_process_profile(profiled, secret)

    distinct = StripeEvent.objects.filter(event_id__in={e["id"] for e in events}).count()
    # Where the end-to-end time goes: the succeeded events vs the late failures.
    last_applied = dict(
        StripeEvent.objects.filter(event_id__in={e["id"] for e in events})
        .values("type")
        .annotate(last=Max("processed_at"))
        .order_by()
        .values_list("type", "last")
    )
    after = {kind: (at - sent_at).total_seconds() for kind, at in last_applied.items() if at}
    mine = [p.pk for p, _ in pairs]
    credits = LedgerEntry.objects.filter(kind="card_payment", payment__in=mine)
    credited = credits.count()
    total = -(credits.aggregate(s=Sum("amount_pence"))["s"] or 0)
    expected = sum(p.amount_pence for p, _ in pairs)
    exactly_once = (
        distinct == len(events) - provider_duplicates
        and credited == n
        and total == expected
        and not Payment.objects.filter(pk__in=mine).exclude(status="succeeded").exists()
    )
    return [
        Section(
            title="Stripe webhooks end to end",
            intro=(
                f"{len(requests):,} signed events for {n:,} payments, each sent once by 8 concurrent "
                f"clients to gunicorn (2 workers): one `payment_intent.succeeded` per payment, "
                f"{provider_duplicates:,} of them sent twice by the provider (same event id), and a late "
                "`payment_failed` for one payment in ten, each event as Stripe sends it (with the intent's "
                "`latest_charge`). The request verifies and stores each event, and a PaymentIntent event "
                "wakes the batch applier (a Celery task, queued only when none is), which applies waiting "
                "succeeded events matching their payment in id, amount, currency and reference from their "
                "signed payloads, up to 200 a transaction (no call to Stripe), and marks done in the same "
                "transaction the late failures a paid payment makes moot. A failure that arrives a moment "
                "before its payment's success (the clients send concurrently, so some do) is held for the "
                "applier's next round, for at most 2 s, where the success settles it; one still unsettled "
                "then gets its own task, which re-reads the intent from localstripe. Each request's "
                "database health check needs no round trip while its connection is in steady use "
                "(`hackney_portal/core/postgresql/base.py`), and the security policy header is built once "
                "per process. The no-op task rate is the same worker and broker running "
                "as many tasks that do nothing. The ceiling is the minimal view, same server. The bench's "
                "payments have no receipt email (a real one renders and records the receipt in the "
                "applier's transaction, one per credited payment)."
            ),
            headers=["measure", "value"],
            rows=[
                [
                    "webhook requests answered (connection retries)",
                    f"{ingest['sent']:,} ({ingest['retries']})",
                ],
                ["errors", ingest["errors"]],
                [
                    "webhook req/s (receive, verify, store, apply or queue)",
                    ingest["sent"] / ingest["seconds"],
                ],
                ["webhook p50 / p95 ms", f"{ingest['p50_ms']:.1f} / {ingest['p95_ms']:.1f}"],
                ["ceiling req/s (same server, same run)", ceiling.rps],
                ["events processed end to end per second (send to last applied)", distinct / processed_in],
                ["no-op Celery tasks per second (same broker and worker)", noop_rate],
                [
                    "seconds from the first send to the last request answered / last succeeded event "
                    "applied / last late failure done",
                    f"{ingest['seconds']:.2f} / {after.get('payment_intent.succeeded', 0):.2f} / "
                    f"{after.get('payment_intent.payment_failed', 0):.2f}",
                ],
                [
                    "distinct events done by the batch applier / given their own task",
                    f"{distinct - queued:,} / {queued:,}",
                ],
                ["load average (1, 5, 15 min) before / after sending", f"{load_before} / {load_after}"],
                [
                    "one matching event's webhook request in-process, one client: ms (signature check; "
                    "database statements, ms waiting on them)",
                    f"{profile['ms']:.2f} ({profile['verify_ms']:.2f}; {profile['statements']:.0f} "
                    f"in autocommit, {profile['db_ms']:.2f})",
                ],
                [
                    "one applier batch in-process: events, ms (ms per event; database statements, ms "
                    "waiting on them)",
                    f"{profile['batch_events']}, {profile['batch_ms']:.1f} "
                    f"({profile['batch_ms'] / max(profile['batch_events'], 1):.2f}; "
                    f"{profile['batch_statements']}, {profile['batch_db_ms']:.1f})",
                ],
                [
                    "exactly once after the run (every distinct event stored once, one credit per payment, "
                    "totals match)",
                    "yes" if exactly_once else "NO",
                ],
            ],
            notes=[
                f"End to end is {distinct / processed_in / noop_rate:.2f} of the no-op task rate and intake "
                f"{ingest['sent'] / ingest['seconds'] / ceiling.rps:.2f} of the ceiling view, in the same run.",
                f"Profile (load average {_loadavg()}): a matching event's request costs "
                f"{profile['ms']:.1f} ms in one process with one client, "
                f"{profile['db_ms'] / profile['ms']:.0%} of it in its {profile['statements']:.0f} database "
                "statement(s) (store the event: one INSERT ... ON CONFLICT in autocommit, no BEGIN or COMMIT "
                "round trips) and "
                f"{profile['verify_ms'] / profile['ms']:.0%} checking the signature; the rest is Django "
                "and the wake (one Redis SET NX, and a task only when no applier is queued). Applying "
                f"costs {profile['batch_ms'] / max(profile['batch_events'], 1):.2f} ms an event in a batch "
                f"of {profile['batch_events']} ({profile['batch_statements']} statements for the whole "
                "batch: take the applier's advisory lock, lock the events, payments and accounts, then in a "
                "savepoint update the payments, read the existing credits and the last ledger lines, insert "
                "the credits, update the balances, insert the audit rows and mark the events; a payer who "
                "asked for a receipt adds its rendering and two rows).",
                f"Target (issue 18): at least 500 events/s end to end: "
                f"{'met' if distinct / processed_in >= 500 else 'not met'} ({distinct / processed_in:,.0f}/s).",
                *_webhook_limit(ingest, processed_in, after),
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
