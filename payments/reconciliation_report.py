"""Reconciliation from the provider's itemised balance report: a million transactions in seconds.

At a million transactions a day, the paged list API means 10,000 calls. Stripe's downloadable report
(`balance_change_from_activity.itemized`, one CSV row per balance transaction) is one file instead. The run:

1. reads the file in chunks of records; each chunk is loaded with `COPY` into a temporary table dropped at
   commit (streamed in blocks: memory stays flat; nothing outlives a transaction, so PgBouncer in transaction
   mode is fine) and matched by a handful of set-based statements, committed together with the run's
   cursor, so a run killed half-way is finished by the next one from the last committed chunk;
3. records which transaction each payment was paid by in an insert-only table (`ReconciliationMatch`: unique
   per transaction and per payment, so a re-run or a resumed run records nothing twice), and each problem once
   as a `Discrepancy` (unique per kind and key), exactly as the list-based run in `reconciliation.py` does.

The rare rows that need the provider (a charge whose payment has no ledger credit yet) go through the same
repair as the list-based run, one by one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import IO

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log

from . import stripe_gateway as gateway
from .models import Discrepancy, LedgerEntry, Payment, ReconciliationRun
from .reconciliation import _check_payouts, _note, period_bounds

log = logging.getLogger(__name__)
K = Discrepancy.Kind

REQUIRED_COLUMNS = (
    "balance_transaction_id",
    "created_utc",
    "currency",
    "gross",
    "reporting_category",
    "source_id",
)
# Columns we read if the report has them; any other column is loaded under a neutral name and ignored.
KNOWN_COLUMNS = frozenset({*REQUIRED_COLUMNS, "payment_intent_id", "net", "fee"})
_TYPES = {"created_utc": "timestamp", "gross": "numeric"}
# Records per transaction: each chunk scans the payments and ledger once, so fewer, larger chunks cost less
# (at a million records, 15.2 s in one chunk against 17.3 s in four); memory stays flat at any size.
CHUNK_LINES = 1_000_000


class ReportError(ValueError):
    """The file is not an itemised balance report we can read."""


def _columns(header: bytes) -> list[str]:
    names = [h.strip().strip('"') for h in header.decode("utf-8-sig").strip().split(",")]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise ReportError(f"the report has no {', '.join(missing)} column")
    # Only names from KNOWN_COLUMNS or generated ones ever reach SQL.
    return [n if n in KNOWN_COLUMNS else f"extra_{i}" for i, n in enumerate(names)]


def report_header(report: IO[bytes]) -> list[str]:
    """Read the report's header line; the column names to load the rows under."""
    return _columns(report.readline())


def _records(report: IO[bytes]):
    """The report's records as bytes: a line, or several when a quoted field (a description) holds a newline,
    so a chunk never ends inside a record."""
    pending = b""
    for row in iter(report.readline, b""):
        pending += row
        if pending.count(b'"') % 2 == 0:
            yield pending
            pending = b""
    if pending:
        yield pending  # an unbalanced quote: COPY refuses it with the line it is on


def report_skip(records, lines: int) -> None:
    """Skip records already reconciled by an interrupted run (their chunks were committed)."""
    for _ in range(lines):
        if next(records, None) is None:
            return


def report_load(records, columns: list[str], *, lines: int | None = None) -> int:
    """COPY the next `lines` rows (all that are left when None) into this transaction's temporary table
    `recon_report` and return how many there were.

    The table is dropped at commit: nothing outlives the transaction on the server, so a pooler in
    transaction mode (PgBouncer, see docs/deployment.md) may hand each chunk a different connection. The
    rows are passed to COPY in blocks of about 1 MB, so memory stays flat however long the file is."""
    with connection.cursor() as cur:
        # Typed where we compare or add: COPY parses them once, and the planner's statistics then estimate
        # the period filter (on text cast per row it guessed 0.5% of the rows and chose index lookups).
        defs = ", ".join(f"{c} {_TYPES.get(c, 'text')}" for c in columns)
        cur.execute(f"CREATE TEMPORARY TABLE recon_report (line bigserial, {defs}) ON COMMIT DROP")
        if "payment_intent_id" not in columns:
            cur.execute("ALTER TABLE recon_report ADD COLUMN payment_intent_id text")
        names = ", ".join(columns)
        count = 0
        with cur.cursor.copy(f"COPY recon_report ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
            block: list[bytes] = []
            size = 0
            while lines is None or count < lines:
                row = next(records, None)
                if row is None:
                    break
                block.append(row)
                size += len(row)
                count += 1
                if size >= 1 << 20:
                    copy.write(b"".join(block))
                    block, size = [], 0
            if block:
                copy.write(b"".join(block))
        # Statistics for the planner: without them it guesses a handful of rows and joins by index lookups.
        cur.execute("ANALYZE recon_report")
        return count


def _utc(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _run_open(*, period_start: dt.date, period_end: dt.date, actor) -> ReconciliationRun:
    try:
        with transaction.atomic():
            return ReconciliationRun.objects.create(
                period_start=period_start,
                period_end=period_end,
                started_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        # A run for this period was interrupted (its worker died): carry on from its cursor.
        return ReconciliationRun.objects.get(
            period_start=period_start, period_end=period_end, status=ReconciliationRun.Status.RUNNING
        )


def _cursor_line(run: ReconciliationRun) -> int:
    value = run.cursor or ""
    return int(value.removeprefix("line:")) if value.startswith("line:") else 0


# The chunk's rows in the period, with our payment (by the charge id we recorded) and its ledger credit.
_STEP = """
CREATE TEMPORARY TABLE recon_step ON COMMIT DROP AS
SELECT r.line, r.balance_transaction_id AS txn_id, r.reporting_category AS category,
       coalesce(r.source_id, '') AS charge_id, coalesce(r.payment_intent_id, '') AS intent_id,
       round(r.gross * 100)::bigint AS amount,
       p.id AS payment_id, p.reference AS reference, p.reconciled_txn_id AS reconciled_txn_id,
       e.id AS entry_id, -e.amount_pence AS credited
FROM recon_report r
LEFT JOIN payments_payment p ON r.reporting_category = 'charge' AND p.provider_charge_id = r.source_id
LEFT JOIN payments_ledgerentry e ON e.payment_id = p.id AND e.kind = 'card_payment'
WHERE r.created_utc >= %(lo)s::timestamp AND r.created_utc < %(hi)s::timestamp
"""
# A charge whose id we never heard (its answer was lost) is ours only if its intent is one we recorded.
_UNKNOWN = """
UPDATE recon_step s
SET payment_id = p.id, reference = p.reference, reconciled_txn_id = p.reconciled_txn_id, entry_id = e.id,
    credited = -e.amount_pence
FROM payments_payment p
LEFT JOIN payments_ledgerentry e ON e.payment_id = p.id AND e.kind = 'card_payment'
WHERE s.category = 'charge' AND s.payment_id IS NULL AND s.intent_id <> ''
  AND p.provider_payment_id = s.intent_id
"""
_RECORD_CHARGE = """
UPDATE payments_payment p SET provider_charge_id = s.charge_id
FROM recon_step s
WHERE s.payment_id = p.id AND p.provider_charge_id IS NULL AND s.charge_id <> ''
"""
# The first transaction (in report order) for a payment claims it; a later one is a duplicate. A claim made
# before (a resumed or repeated run) is left out by the anti-join, so the insert needs no ON CONFLICT (which
# checks every unique index per row before inserting: a third of the statement at a million rows). A claim
# committed meanwhile by another run breaks a unique index instead, and the chunk then claims again with
# ON CONFLICT DO NOTHING (`_CLAIM_RACED`).
_CLAIM = """
INSERT INTO payments_reconciliationmatch (run_id, txn_id, payment_id, ledger_entry_id, amount_pence)
SELECT DISTINCT ON (s.payment_id) %(run)s, s.txn_id, s.payment_id, s.entry_id, s.amount
FROM recon_step s
WHERE s.payment_id IS NOT NULL AND s.amount > 0 AND coalesce(s.reconciled_txn_id, s.txn_id) = s.txn_id
  AND NOT EXISTS (SELECT 1 FROM payments_reconciliationmatch m WHERE m.payment_id = s.payment_id)
ORDER BY s.payment_id, s.line
"""
_CLAIM_RACED = _CLAIM + "ON CONFLICT DO NOTHING"
# Each of the chunk's rows with a payment, beside the transaction that holds that payment's claim now
# (claimed in this chunk, an earlier one or an earlier run). One join, read once: the statements below then
# scan this table, where each of them joined the chunk to the claims again (1.3 s of 2.9 at a million rows).
_CLAIMS = """
CREATE TEMPORARY TABLE recon_claim ON COMMIT DROP AS
SELECT s.line, s.txn_id, s.payment_id, s.reference, s.reconciled_txn_id, s.entry_id, s.credited, s.amount,
       s.charge_id, m.txn_id AS claim_txn
FROM recon_step s
LEFT JOIN payments_reconciliationmatch m ON m.payment_id = s.payment_id
WHERE s.payment_id IS NOT NULL
"""
_NO_PAYMENT = """
INSERT INTO payments_discrepancy
  (kind, key, status, payment_id, ledger_entry_id, expected_pence, actual_pence, detail, run_id, created_at,
   resolution_note, resolution)
SELECT 'missing_credit', left(s.charge_id, 100), 'open', NULL, NULL, NULL, s.amount,
       'Money taken by card with no payment record here', %(run)s, now(), '', ''
FROM recon_step s WHERE s.category = 'charge' AND s.payment_id IS NULL
ON CONFLICT (kind, key) DO NOTHING
"""
_DUPLICATE = """
INSERT INTO payments_discrepancy
  (kind, key, status, payment_id, ledger_entry_id, expected_pence, actual_pence, detail, run_id, created_at,
   resolution_note, resolution)
SELECT 'duplicate', left(s.txn_id, 100), 'open', s.payment_id, NULL, NULL, s.amount,
       left('Second transaction for ' || s.reference, 300), %(run)s, now(), '', ''
FROM recon_claim s
WHERE coalesce(s.claim_txn, s.reconciled_txn_id) <> s.txn_id
ON CONFLICT (kind, key) DO NOTHING
"""
_MISMATCH = """
INSERT INTO payments_discrepancy
  (kind, key, status, payment_id, ledger_entry_id, expected_pence, actual_pence, detail, run_id, created_at,
   resolution_note, resolution)
SELECT 'amount_mismatch', 'entry:' || s.entry_id, 'open', s.payment_id, s.entry_id, s.credited, s.amount,
       'Ledger credit and card transaction differ', %(run)s, now(), '', ''
FROM recon_claim s
WHERE s.claim_txn = s.txn_id AND s.entry_id IS NOT NULL AND s.credited <> s.amount
ON CONFLICT (kind, key) DO NOTHING
"""
# Rows whose transaction holds its payment's claim, with a ledger credit for the same amount.
_MATCHED = """
SELECT count(*) FROM recon_claim s WHERE s.claim_txn = s.txn_id AND s.credited = s.amount
"""
_NO_CREDIT = """
SELECT s.payment_id, s.charge_id, s.amount
FROM recon_claim s
WHERE s.claim_txn = s.txn_id AND s.entry_id IS NULL
ORDER BY s.line
"""
_CREDITS_WITHOUT_PAYMENT = """
INSERT INTO payments_discrepancy
  (kind, key, status, payment_id, ledger_entry_id, expected_pence, actual_pence, detail, run_id, created_at,
   resolution_note, resolution)
SELECT 'credit_without_payment', 'entry:' || e.id, 'open', e.payment_id, e.id, -e.amount_pence, NULL,
       'Card credit on the ledger with no card transaction', %(run)s, now(), '', ''
FROM payments_ledgerentry e
JOIN payments_payment p ON p.id = e.payment_id
WHERE e.kind = 'card_payment' AND e.business_date >= %(start)s AND e.business_date <= %(end)s
  AND p.reconciled_txn_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM payments_reconciliationmatch m WHERE m.payment_id = e.payment_id)
ON CONFLICT (kind, key) DO NOTHING
"""


def _match_chunk(run: ReconciliationRun, *, lo: str, hi: str) -> dict:
    params = {"run": run.pk, "lo": lo, "hi": hi}
    found = 0
    with connection.cursor() as cur:
        cur.execute(_STEP, params)
        seen = cur.rowcount
        cur.execute("ANALYZE recon_step")
        cur.execute(_UNKNOWN, params)
        cur.execute(_RECORD_CHARGE, params)
        try:
            with transaction.atomic():
                cur.execute(_CLAIM, params)
        except IntegrityError:
            cur.execute(_CLAIM_RACED, params)
        cur.execute(_CLAIMS)
        cur.execute("ANALYZE recon_claim")
        for statement in (_NO_PAYMENT, _DUPLICATE, _MISMATCH):
            cur.execute(statement, params)
            found += cur.rowcount
        cur.execute(_MATCHED)
        (matched,) = cur.fetchone()
        cur.execute(_NO_CREDIT)
        no_credit = cur.fetchall()
    repaired = 0
    for payment_id, charge_id, amount in no_credit:
        new, fixed = _missing_credit(run, payment_id=payment_id, charge_id=charge_id, amount=amount)
        found += new
        repaired += new and fixed
    return {"seen": seen, "matched": matched, "found": found, "repaired": repaired}


def _missing_credit(
    run: ReconciliationRun, *, payment_id: int, charge_id: str, amount: int
) -> tuple[bool, bool]:
    """The provider has the money and our payment row, but the ledger has no credit: the one case repaired
    automatically (by reading the intent and applying it, as the list-based run does)."""
    from .services import payment_refresh

    refreshed = payment_refresh(payment_id=payment_id)
    entry = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CARD_PAYMENT, payment_id=payment_id).first()
    repaired = entry is not None and refreshed.status == Payment.Status.SUCCEEDED
    new = _note(
        run,
        K.MISSING_CREDIT,
        charge_id,
        payment=refreshed,
        expected_pence=amount,
        status=Discrepancy.Status.REPAIRED if repaired else Discrepancy.Status.OPEN,
        ledger_entry=entry,
        detail="Credit was missing; added automatically" if repaired else "Credit is missing",
    )
    if new and repaired:
        audit_log(
            actor=None,
            action="payments.reconciliation.repaired",
            obj=refreshed,
            data={"run": run.pk, "entry": entry.pk},
        )
    return new, repaired


def reconciliation_run_from_report(
    *,
    period_start: dt.date,
    period_end: dt.date,
    report: IO[bytes] | None = None,
    actor=None,
    chunk_lines: int = CHUNK_LINES,
    payouts=None,
    after_chunk: Callable[[ReconciliationRun], None] | None = None,
) -> ReconciliationRun:
    """Run (or resume) reconciliation for a period of business dates from the itemised balance report.

    `report` defaults to downloading it from the provider (`gateway.balance_report_open`); the benchmark
    passes a file. `after_chunk` is called after each committed chunk (the tests stop a run there).
    """
    run = _run_open(period_start=period_start, period_end=period_end, actor=actor)
    lo, hi = period_bounds(period_start, period_end)
    own = report is None
    if own:
        report = gateway.balance_report_open(created_gte=lo, created_lt=hi)
    try:
        columns = report_header(report)
        records = _records(report)
        line = _cursor_line(run)
        report_skip(records, line)
        while True:
            with transaction.atomic():
                locked = ReconciliationRun.objects.select_for_update().get(pk=run.pk)
                if _cursor_line(locked) != line:
                    # A second worker took up this period's run and is past this chunk: it finishes the run.
                    return locked
                with connection.cursor() as cur:
                    # Hashing a million payments within the default 4 MB spills to disk, and so does sorting a
                    # million claims within 64 MB (0.5 s of the claim); for this job only.
                    cur.execute("SET LOCAL work_mem = '256MB'")
                    # The temporary tables' statistics need their sizes and whether a column is unique, not
                    # fine histograms: ANALYZE samples 3,000 rows instead of 30,000.
                    cur.execute("SET LOCAL default_statistics_target = 10")
                    loaded = report_load(records, columns, lines=chunk_lines)
                    counts = _match_chunk(locked, lo=_utc(lo), hi=_utc(hi)) if loaded else None
                    # Dropped at commit too; explicitly for when this runs inside an outer transaction.
                    cur.execute("DROP TABLE IF EXISTS recon_claim, recon_step, recon_report")
                if not loaded:
                    break
                locked.cursor = f"line:{line + loaded}"
                locked.transactions_seen += counts["seen"]
                locked.matched += counts["matched"]
                locked.discrepancies_found += counts["found"]
                locked.repaired += counts["repaired"]
                locked.save(
                    update_fields=[
                        "cursor",
                        "transactions_seen",
                        "matched",
                        "discrepancies_found",
                        "repaired",
                    ]
                )
            run, line = locked, line + loaded
            if after_chunk is not None:
                after_chunk(run)
    finally:
        if own:
            report.close()
    with transaction.atomic():
        run = ReconciliationRun.objects.select_for_update().get(pk=run.pk)
        with connection.cursor() as cur:
            # As for each chunk: the anti-join hashes every match of the period.
            cur.execute("SET LOCAL work_mem = '64MB'")
            cur.execute(_CREDITS_WITHOUT_PAYMENT, {"run": run.pk, "start": period_start, "end": period_end})
            run.discrepancies_found += cur.rowcount
        if payouts is None and not gateway.is_localstripe():
            payouts = gateway.payouts_with_transactions(created_gte=lo, created_lt=hi)
        if payouts is None:
            run.notes = "Payout totals not checked: the development Stripe server has no GBP payouts."
        else:
            run.discrepancies_found += _check_payouts(run, payouts)
        run.status = ReconciliationRun.Status.COMPLETED
        run.finished_at = timezone.now()
        run.save()
        audit_log(
            actor=actor,
            action="payments.reconciliation.completed",
            obj=run,
            data={
                "seen": run.transactions_seen,
                "discrepancies": run.discrepancies_found,
                "source": "report",
            },
        )
    return run
