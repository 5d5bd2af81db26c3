"""Run by test_reconciliation_pgbouncer.py in its own process, through PgBouncer in transaction mode.

Reconciles a report file in small chunks while a second thread keeps taking transactions, so consecutive
transactions of the run land on different server connections, as they do under load. Prints the run's
status, transactions seen and matched, or the first error.
"""

import datetime as dt
import os
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackney_portal.settings.development")
django.setup()

from django.db import connection, transaction  # noqa: E402

from payments.reconciliation_report import reconciliation_run_from_report  # noqa: E402

stop = threading.Event()


def other_client() -> None:
    try:
        while not stop.is_set():
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SELECT pg_sleep(0.005)")
    finally:
        connection.close()


thread = threading.Thread(target=other_client)
thread.start()
try:
    with open(sys.argv[1], "rb") as report:
        run = reconciliation_run_from_report(
            period_start=dt.date(2026, 6, 1), period_end=dt.date(2026, 6, 1), report=report, chunk_lines=4
        )
    sys.stdout.write(f"{run.status} {run.transactions_seen} {run.matched}")
except Exception as exc:  # noqa: BLE001 - reported to the test
    sys.stdout.write(f"{type(exc).__name__}: {exc}")
finally:
    stop.set()
    thread.join()
