"""One reconciliation benchmark at one size, in its own process so its peak memory is its own.

python -m bench.recon_worker N FILE   (prints one JSON line)
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import resource
import sys
import time


def seed(n: int) -> None:
    """N succeeded payments with ledger credits across 1,000 accounts, written by SQL in one go."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE payments_discrepancy, payments_reconciliationrun RESTART IDENTITY CASCADE")
        # Insert-only like the ledger: thrown away only here, in the bench's own database.
        cur.execute("ALTER TABLE payments_reconciliationmatch DISABLE TRIGGER USER")
        cur.execute("TRUNCATE payments_reconciliationmatch RESTART IDENTITY")
        cur.execute("ALTER TABLE payments_reconciliationmatch ENABLE TRIGGER USER")
        cur.execute("ALTER TABLE payments_ledgerentry DISABLE TRIGGER USER")
        cur.execute(
            "TRUNCATE payments_ledgerentry, payments_payment, payments_rentaccount RESTART IDENTITY CASCADE"
        )
        cur.execute("ALTER TABLE payments_ledgerentry ENABLE TRIGGER USER")
        cur.execute("""
            INSERT INTO payments_rentaccount (reference, postcode, tenant_name, address, tenure, weekly_rent_pence,
              weekly_service_charge_pence, benefit, weekly_benefit_pence, balance_pence, created_at, contact_email)
            SELECT '7' || lpad(g::text, 9, '0'), 'E8 1EA', 'Bench', 'Bench', 'secure', 10000, 0, 'none', 0, 0, now(), ''
            FROM generate_series(1, 1000) g""")
        cur.execute(
            """
            INSERT INTO payments_payment (reference, attempt_key, account_id, email, amount_pence, currency, status,
              provider_payment_id, provider_charge_id, failure_message, refunded_pence, created_at, updated_at,
              succeeded_at)
            SELECT 'RP-B' || g, 'bench-' || g, 1 + (g %% 1000), '', 100 + (g %% 5000), 'gbp', 'succeeded',
              'pi_b' || g, 'ch_b' || g, '', 0, now(), now(), now()
            FROM generate_series(1, %s) g""",
            [n],
        )
        cur.execute("""
            INSERT INTO payments_ledgerentry (account_id, seq, kind, amount_pence, balance_after_pence, description,
              business_date, rent_week, financial_year, unallocated, payment_id, created_at)
            SELECT p.account_id, row_number() OVER (PARTITION BY p.account_id ORDER BY p.id), 'card_payment',
              -p.amount_pence, 0, 'card', current_date, 1, '2026-27', false, p.id, now()
            FROM payments_payment p""")
        cur.execute("ANALYZE")


def clear() -> None:
    """Leave the bench database as we found it, so later benchmarks do not run beside a million rows."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE payments_discrepancy, payments_reconciliationrun RESTART IDENTITY CASCADE")
        # Insert-only like the ledger: thrown away only here, in the bench's own database.
        cur.execute("ALTER TABLE payments_reconciliationmatch DISABLE TRIGGER USER")
        cur.execute("TRUNCATE payments_reconciliationmatch RESTART IDENTITY")
        cur.execute("ALTER TABLE payments_reconciliationmatch ENABLE TRIGGER USER")
        # The ledger refuses TRUNCATE; the bench's own database is the one place it is thrown away.
        cur.execute("ALTER TABLE payments_ledgerentry DISABLE TRIGGER USER")
        cur.execute(
            "TRUNCATE payments_ledgerentry, payments_payment, payments_rentaccount RESTART IDENTITY CASCADE"
        )
        cur.execute("ALTER TABLE payments_ledgerentry ENABLE TRIGGER USER")


@contextlib.contextmanager
def _statement_times():
    """Seconds spent in each of the run's statements, by name (the profile printed beside the figures)."""
    from django.db import connection

    from payments import reconciliation_report as r

    names = {
        # The whole statement: the discrepancy inserts share their first lines.
        " ".join(getattr(r, name).split()): label
        for name, label in (
            ("_STEP", "join the chunk to payments and ledger"),
            ("_CLAIM", "insert the matches"),
            ("_CLAIMS", "read the chunk's claims back"),
            ("_NO_PAYMENT", "discrepancies"),
            ("_DUPLICATE", "discrepancies"),
            ("_MISMATCH", "discrepancies"),
            ("_MATCHED", "count"),
            ("_UNKNOWN", "charges not known by id"),
            ("_CREDITS_WITHOUT_PAYMENT", "credits with no card transaction (once, at the end)"),
        )
    }
    spent: dict[str, float] = collections.defaultdict(float)

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split())
            label = names.get(key, "planner statistics" if key.startswith("ANALYZE") else "other statements")
            spent[label] += time.perf_counter() - started

    with connection.execute_wrapper(timed):
        yield spent


def _peak_mb() -> float:
    """This process's own peak resident size. Not `ru_maxrss`: Linux keeps that across exec, so a worker
    started by a bench that had grown to 480 MB reported 480 MB whatever it did itself."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pages(path: str):
    with open(path) as f:
        for line in f:
            yield json.loads(line)["data"]


def main() -> None:
    n, path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackney_portal.settings.development")
    import django

    django.setup()
    import datetime as dt

    from payments.calendar import business_date

    if mode == "parse":
        started = time.perf_counter()
        rows = sum(len(p) for p in pages(path))
        elapsed = time.perf_counter() - started
    elif mode == "load":
        from django.db import transaction

        from payments.reconciliation_report import _records, report_header, report_load

        started = time.perf_counter()
        with transaction.atomic(), open(path, "rb") as f:
            rows = report_load(_records(f), report_header(f))
        elapsed = time.perf_counter() - started
    elif mode == "report":
        from payments.models import Discrepancy
        from payments.reconciliation_report import reconciliation_run_from_report

        seed(n)
        started = time.perf_counter()
        day = business_date()
        with open(path, "rb") as f, _statement_times() as spent:
            run = reconciliation_run_from_report(
                period_start=day - dt.timedelta(days=1), period_end=day + dt.timedelta(days=1), report=f
            )
        elapsed = time.perf_counter() - started
        rows = run.transactions_seen
        assert run.matched == n - n // 1000, (run.matched, n)
        assert Discrepancy.objects.count() == n // 1000
    else:
        from payments.models import Discrepancy
        from payments.reconciliation import reconciliation_run

        seed(n)
        started = time.perf_counter()
        day = business_date()
        run = reconciliation_run(
            period_start=day - dt.timedelta(days=1),
            period_end=day + dt.timedelta(days=1),
            pages=pages(path),
            resolve_unknown=False,
        )
        elapsed = time.perf_counter() - started
        rows = run.transactions_seen
        assert run.matched == n - n // 1000, (run.matched, n)
        assert Discrepancy.objects.count() == n // 1000
    peak_mb = _peak_mb()
    if mode in ("reconcile", "report"):
        clear()
    out = {"rows": rows, "seconds": elapsed, "peak_mb": peak_mb}
    if mode == "report":
        out["profile"] = dict(spent)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
