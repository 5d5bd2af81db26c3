"""Where a page's request time goes: cProfile of N requests of each page through Django's full handler
(every middleware, session, user, template), against data like the mixed benchmark's.

    .venv/bin/python -m hackney_portal.devservices exec -- .venv/bin/python -m bench.profile_pages [N]

Prints, per page, the mean ms per request and the share of time in a few buckets (template rendering, SQL,
session and user loading, middleware, the view itself), then the top functions by own time. A profile, not a
benchmark: absolute times include the profiler's overhead; compare the shares.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time

BUCKETS = {
    "template rendering": ("django/template/",),
    "SQL (psycopg and the ORM compiler)": ("psycopg/", "django/db/"),
    "session and cache (Redis)": ("django/contrib/sessions/", "redis/", "django/core/cache/"),
    "url reversing": ("django/urls/",),
    "middleware and handler": ("django/core/handlers/", "django/middleware/", "csp/", "whitenoise/"),
}


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackney_portal.settings.development")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_ROOT_URLCONF"] = "bench.urls"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _world():
    import datetime as dt

    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.db import connection

    from bench.bench_employment import SEED_SQL
    from hackney_portal.users.models import User
    from payments import services as payments
    from payments.calendar import business_date
    from payments.models import RentAccount

    account = RentAccount.objects.create(
        reference="6000000001", postcode="E8 1EA", tenant_name="Tenant", address="1 Bench Road",
        weekly_rent_pence=12_000, balance_pence=0,
    )  # fmt: skip
    for w in range(26):
        day = business_date() - dt.timedelta(weeks=26 - w)
        payments.ledger_post(
            account_id=account.pk, kind="rent", amount_pence=12_000, description="Rent", on=day
        )
    user = User.objects.create(email="tenant@example.org", name="Tenant")
    payments.account_link(user=user, account=account, actor=user)
    s = SessionStore()
    s["_auth_user_id"] = str(user.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = user.get_session_auth_hash()
    s["_signed_in_at"] = int(time.time())
    s.create()
    with connection.cursor() as cur:
        cur.execute(SEED_SQL, [1500])
        cur.execute("ANALYZE")
        cur.execute("SELECT id FROM employment_opportunity WHERE status = 'published' LIMIT 1")
        listing = cur.fetchone()[0]
    return account.pk, s.session_key, listing


def _bucket_shares(stats: pstats.Stats) -> dict[str, float]:
    total = stats.total_tt or 1e-9
    out = dict.fromkeys(BUCKETS, 0.0)
    for (filename, _line, _name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        for bucket, needles in BUCKETS.items():
            if any(n in filename for n in needles):
                out[bucket] += tt
                break
    out["the rest (views, forms, our code, Python)"] = total - sum(out.values())
    return {k: v / total for k, v in out.items()}


def main(n: int) -> None:
    _setup()
    from django.test import Client

    account, session, listing = _world()
    pages = [
        ("home page (anonymous)", "/", None),
        ("job listing", f"/jobs/{listing}/", None),
        ("job search", "/jobs/?q=chef", None),
        ("layout signed in (resident floor)", "/__bench__/layout/", session),
        ("home page signed in", "/", session),
        ("account page", f"/pay-rent/accounts/{account}/", session),
        ("statement", f"/pay-rent/accounts/{account}/statement/", session),
        ("pay: amount form", f"/pay-rent/accounts/{account}/pay/", session),
    ]
    only = os.environ.get("PROFILE_ONLY", "")  # e.g. "account" profiles the pages whose label has it
    for label, url, sid in pages:
        if only and only not in label and "floor" not in label:
            continue
        client = Client()
        if sid:
            client.cookies["sessionid"] = sid
        for _ in range(5):
            assert client.get(url).status_code == 200, url
        # Timed without the profiler first (its overhead is not even across pages), then profiled.
        started = time.perf_counter()
        for _ in range(n):
            client.get(url)
        plain = (time.perf_counter() - started) * 1000 / n
        prof = cProfile.Profile()
        started = time.perf_counter()
        prof.enable()
        for _ in range(n):
            client.get(url)
        prof.disable()
        ms = (time.perf_counter() - started) * 1000 / n
        stats = pstats.Stats(prof)
        shares = _bucket_shares(stats)
        print(f"\n=== {label} {url}: {plain:.2f} ms a request ({ms:.1f} ms under the profiler)")
        for bucket, share in shares.items():
            print(f"  {share:6.1%}  {bucket}")
        stats.sort_stats("tottime").print_stats(12)
        # Our own code by cumulative time: which view, selector or template tag the page's time is under.
        stats.sort_stats("cumulative").print_stats(r"/(hackney_portal|payments|employment|homelessness)/", 25)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
