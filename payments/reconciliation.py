"""Reconciliation: every provider balance transaction matches one ledger entry, and every card credit on
the ledger matches a provider transaction.

The run streams the provider's list page by page. Each page is matched and committed together with the
run's cursor, so memory stays flat however long the list, and a run killed half-way is finished by the next
one from where it stopped. Matching state lives in the database (a payment's `reconciled_txn_id` is unique;
discrepancies are unique per kind and key), so a second run finds nothing new and records nothing twice.
Only the narrow safe case is repaired automatically: the provider has the money and our payment row, but
the ledger has no credit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator

from django.db import IntegrityError, transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log

from . import stripe_gateway as gateway
from .calendar import LONDON
from .models import Discrepancy, LedgerEntry, Payment, ReconciliationRun

log = logging.getLogger(__name__)
K = Discrepancy.Kind


def period_bounds(start: dt.date, end: dt.date) -> tuple[int, int]:
    """Unix seconds for London midnight at the start of `start` and after `end` (clock changes included)."""
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=LONDON)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON)
    return int(lo.timestamp()), int(hi.timestamp())


def _source_id(txn: dict) -> str:
    source = txn.get("source")
    return source.get("id", "") if isinstance(source, dict) else (source or "")


def _note(run: ReconciliationRun, kind: str, key: str, **fields) -> bool:
    """Record a discrepancy once; True if it is new."""
    try:
        with transaction.atomic():
            Discrepancy.objects.create(run=run, kind=kind, key=key[:100], **fields)
    except IntegrityError:
        return False
    return True


def _match_page(run: ReconciliationRun, txns: list[dict], *, resolve_unknown: bool) -> dict:
    counts = {"seen": 0, "matched": 0, "found": 0, "repaired": 0}
    charges = [t for t in txns if t.get("type") in ("charge", "payment")]
    counts["seen"] = len(txns)
    ids = [_source_id(t) for t in charges]
    payments = {p.provider_charge_id: p for p in Payment.objects.filter(provider_charge_id__in=ids)}
    credits = {
        e.payment_id: e
        for e in LedgerEntry.objects.filter(
            kind=LedgerEntry.Kind.CARD_PAYMENT, payment__provider_charge_id__in=ids
        )
    }
    to_claim: dict[int, str] = {}
    for txn in charges:
        charge_id = _source_id(txn)
        amount = int(txn["amount"])
        payment = payments.get(charge_id)
        if payment is None and resolve_unknown:
            # A charge whose id we never heard (its answer was lost) is ours only if its intent is one we
            # recorded; an intent with our reference copied into its metadata stays "money taken by card
            # with no payment record here" for finance to look into.
            intent_id = gateway.charge_payment_intent(charge_id)
            payment = Payment.objects.filter(provider_payment_id=intent_id).first() if intent_id else None
            if payment is not None and not payment.provider_charge_id:
                Payment.objects.filter(pk=payment.pk).update(provider_charge_id=charge_id)
                payment.provider_charge_id = charge_id
        if payment is None:
            counts["found"] += _note(
                run,
                K.MISSING_CREDIT,
                charge_id,
                actual_pence=amount,
                detail="Money taken by card with no payment record here",
            )
            continue
        claimed = payment.reconciled_txn_id or to_claim.get(payment.pk)
        if claimed and claimed != txn["id"]:
            counts["found"] += _note(
                run,
                K.DUPLICATE,
                txn["id"],
                payment=payment,
                actual_pence=amount,
                detail=f"Second transaction for {payment.reference}",
            )
            continue
        if not claimed:
            to_claim[payment.pk] = txn["id"]
        entry = credits.get(payment.pk)
        if entry is None:
            from .services import payment_refresh

            refreshed = payment_refresh(payment_id=payment.pk)
            entry = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CARD_PAYMENT, payment=payment).first()
            repaired = entry is not None and refreshed.status == Payment.Status.SUCCEEDED
            new = _note(
                run,
                K.MISSING_CREDIT,
                charge_id,
                payment=payment,
                expected_pence=amount,
                status=Discrepancy.Status.REPAIRED if repaired else Discrepancy.Status.OPEN,
                ledger_entry=entry,
                detail="Credit was missing; added automatically" if repaired else "Credit is missing",
            )
            counts["found"] += new
            counts["repaired"] += new and repaired
            if new and repaired:
                audit_log(
                    actor=None,
                    action="payments.reconciliation.repaired",
                    obj=payment,
                    data={"run": run.pk, "entry": entry.pk},
                )
        elif -entry.amount_pence != amount:
            counts["found"] += _note(
                run,
                K.AMOUNT_MISMATCH,
                f"entry:{entry.pk}",
                payment=payment,
                ledger_entry=entry,
                expected_pence=-entry.amount_pence,
                actual_pence=amount,
                detail="Ledger credit and card transaction differ",
            )
        else:
            counts["matched"] += 1
    _claim(to_claim)
    return counts


def _claim(pairs: dict[int, str]) -> None:
    """Mark payments as reconciled against their transaction: one statement per page, not one per row."""
    if not pairs:
        return
    from django.db import connection

    values = ", ".join(["(%s, %s)"] * len(pairs))
    params = [x for pair in pairs.items() for x in pair]
    # Only "%s" placeholders are formatted into the statement; the values travel as parameters.
    sql = (
        "UPDATE payments_payment AS p SET reconciled_txn_id = v.txn "  # noqa: S608  # nosec B608
        f"FROM (VALUES {values}) AS v(id, txn) "
        "WHERE p.id = v.id::bigint AND p.reconciled_txn_id IS NULL"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _credits_without_payment(run: ReconciliationRun) -> int:
    found = 0
    lo, hi = run.period_start, run.period_end
    unmatched = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.CARD_PAYMENT,
        business_date__gte=lo,
        business_date__lte=hi,
        payment__reconciled_txn_id__isnull=True,
    ).select_related("payment")
    for entry in unmatched.iterator(chunk_size=1000):
        found += _note(
            run,
            K.CREDIT_WITHOUT_PAYMENT,
            f"entry:{entry.pk}",
            payment=entry.payment,
            ledger_entry=entry,
            expected_pence=-entry.amount_pence,
            detail="Card credit on the ledger with no card transaction",
        )
    return found


def _check_payouts(run: ReconciliationRun, payouts) -> int:
    """Each payout must equal the net of the transactions it pays out."""
    found = 0
    for payout, txns in payouts:
        net = sum(int(t.get("net", t.get("amount", 0))) for t in txns)
        if net != int(payout["amount"]):
            found += _note(
                run,
                K.PAYOUT_MISMATCH,
                payout["id"],
                expected_pence=net,
                actual_pence=int(payout["amount"]),
                detail=f"Payout of {len(txns)} transactions differs from their total",
            )
    return found


def reconciliation_run(
    *,
    period_start: dt.date,
    period_end: dt.date,
    actor=None,
    pages: Iterable[list[dict]] | None = None,
    resolve_unknown: bool = True,
    page_size: int = 100,
    payouts=None,
) -> ReconciliationRun:
    """Run (or resume) reconciliation for a period of business dates.

    `pages` and `payouts` default to reading Stripe; tests and benchmarks pass the same data in Stripe's
    format from elsewhere.
    """
    try:
        with transaction.atomic():
            run = ReconciliationRun.objects.create(
                period_start=period_start,
                period_end=period_end,
                started_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        # A run for this period was interrupted (its worker died): carry on from its cursor.
        run = ReconciliationRun.objects.get(
            period_start=period_start, period_end=period_end, status=ReconciliationRun.Status.RUNNING
        )
    lo, hi = period_bounds(period_start, period_end)
    if pages is None:
        pages = gateway.balance_transaction_pages(
            created_gte=lo, created_lt=hi, starting_after=run.cursor, limit=page_size
        )
    else:
        pages = _skip_to_cursor(pages, run.cursor)
    for page in pages:
        if not page:
            continue
        with transaction.atomic():
            locked = ReconciliationRun.objects.select_for_update().get(pk=run.pk)
            counts = _match_page(locked, page, resolve_unknown=resolve_unknown)
            locked.cursor = page[-1]["id"]
            locked.transactions_seen += counts["seen"]
            locked.matched += counts["matched"]
            locked.discrepancies_found += counts["found"]
            locked.repaired += counts["repaired"]
            locked.save(
                update_fields=["cursor", "transactions_seen", "matched", "discrepancies_found", "repaired"]
            )
        run = locked
    with transaction.atomic():
        run = ReconciliationRun.objects.select_for_update().get(pk=run.pk)
        run.discrepancies_found += _credits_without_payment(run)
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
            data={"seen": run.transactions_seen, "discrepancies": run.discrepancies_found},
        )
    return run


def _skip_to_cursor(pages: Iterable[list[dict]], cursor: str) -> Iterator[list[dict]]:
    """For a supplied stream (a file), skip what a killed run already committed."""
    if not cursor:
        yield from pages
        return
    seen = False
    for page in pages:
        if seen:
            yield page
            continue
        ids = [t["id"] for t in page]
        if cursor in ids:
            seen = True
            rest = page[ids.index(cursor) + 1 :]
            if rest:
                yield rest
