"""Reconciliation from the provider's itemised balance report (payments/reconciliation_report.py)."""

from __future__ import annotations

import io

import pytest
from django.db import DatabaseError, transaction

from payments import stripe_gateway as gateway
from payments.models import Discrepancy, LedgerEntry, ReconciliationMatch, ReconciliationRun
from payments.reconciliation import period_bounds, reconciliation_run
from payments.reconciliation_report import ReportError, reconciliation_run_from_report
from tests.payments.stripe_reports import ReportsDouble, report_csv
from tests.payments.test_reconciliation import history  # noqa: F401 - the same history, as a fixture

K = Discrepancy.Kind


def _localstripe_report(lo: int, hi: int) -> bytes:
    txns = [t for page in gateway.balance_transaction_pages(created_gte=lo, created_lt=hi) for t in page]
    return report_csv(txns)


@pytest.fixture
def reports(settings):
    with ReportsDouble(_localstripe_report) as double:
        settings.STRIPE_REPORTS_API_BASE = double.url
        yield double


def _outcome(run: ReconciliationRun) -> tuple:
    found = sorted(
        (
            d.kind,
            d.key,
            d.status,
            d.payment_id,
            # By what it is, not its id: the undone list run used up ids from the sequence.
            (d.ledger_entry.payment_id, d.ledger_entry.kind, d.ledger_entry.amount_pence)
            if d.ledger_entry
            else None,
            d.expected_pence,
            d.actual_pence,
            d.detail,
        )
        for d in Discrepancy.objects.filter(run=run).select_related("ledger_entry")
    )
    return run.status, run.transactions_seen, run.matched, run.discrepancies_found, run.repaired, found


class _Undo(Exception):
    pass


@pytest.mark.django_db
def test_the_report_run_finds_exactly_what_the_list_run_finds(history, reports):  # noqa: F811
    today = history["today"]
    try:
        with transaction.atomic():
            old = _outcome(reconciliation_run(period_start=today, period_end=today))
            raise _Undo
    except _Undo:
        pass
    assert not Discrepancy.objects.exists()
    new_run = reconciliation_run_from_report(period_start=today, period_end=today)
    assert _outcome(new_run) == old
    assert old[1] == 4  # four transactions seen
    assert old[4] == 1  # the lost webhook repaired
    # It asked Stripe's reports API for the day (with the secret key), waited, and downloaded the file.
    lo, _hi = period_bounds(today, today)
    assert [r[0] for r in reports.requests] == ["GET", "POST", "GET", "GET"]
    assert all(r[2].startswith("Basic ") for r in reports.requests)
    assert next(iter(reports.runs.values()))["_interval"][0] == lo
    # The claims are in the insert-only table: the lost, ok and mismatched payments and the stranger is not.
    assert ReconciliationMatch.objects.filter(run_id=new_run.pk).count() == 3
    with pytest.raises(DatabaseError), transaction.atomic():
        ReconciliationMatch.objects.filter(run_id=new_run.pk).update(amount_pence=1)


@pytest.mark.django_db
def test_a_second_report_run_records_nothing_again(history, reports):  # noqa: F811
    today = history["today"]
    first = reconciliation_run_from_report(period_start=today, period_end=today)
    entries, found = LedgerEntry.objects.count(), Discrepancy.objects.count()
    again = reconciliation_run_from_report(period_start=today, period_end=today)
    assert again.pk != first.pk
    assert (again.discrepancies_found, again.repaired) == (0, 0)
    assert again.matched == first.matched + first.repaired  # the repaired payment matches now
    assert (LedgerEntry.objects.count(), Discrepancy.objects.count()) == (entries, found)


def _big_report(n: int, *, duplicate_of: int | None = None) -> bytes:
    rows = ["balance_transaction_id,created_utc,currency,gross,reporting_category,source_id,description"]
    for i in range(1, n + 1):
        rows.append(f'txn_k{i},2026-06-01 10:00:00,gbp,{(100 + i) / 100:.2f},charge,ch_k{i},"Rent, card"')
    if duplicate_of:
        rows.append(
            f"txn_k_dup,2026-06-01 11:00:00,gbp,{(100 + duplicate_of) / 100:.2f},charge,ch_k{duplicate_of},"
        )
    rows.append("txn_fee,2026-06-01 12:00:00,gbp,-1.00,fee,,Stripe fee")
    return ("\n".join(rows) + "\n").encode()


def _payments_with_credits(account, n: int):
    import datetime as dt

    from payments import services
    from payments.models import Payment

    for i in range(1, n + 1):
        payment = Payment.objects.create(
            reference=f"RP-K{i}",
            attempt_key=f"k-{i}",
            account=account,
            amount_pence=100 + i,
            status="succeeded",
            provider_payment_id=f"pi_k{i}",
            provider_charge_id=f"ch_k{i}",
        )
        services.ledger_post(
            account_id=account.pk,
            kind="card_payment",
            amount_pence=-payment.amount_pence,
            description="card",
            payment=payment,
            on=dt.date(2026, 6, 1),
        )


@pytest.mark.django_db
def test_a_killed_report_run_is_finished_by_the_next_from_its_last_chunk(account):
    import datetime as dt

    _payments_with_credits(account, 25)
    day = dt.date(2026, 6, 1)
    report = _big_report(25, duplicate_of=7)
    chunks = []

    def killed_after_two(run):
        chunks.append(run.cursor)
        if len(chunks) == 2:
            raise SystemExit("worker killed")

    with pytest.raises(SystemExit):
        reconciliation_run_from_report(
            period_start=day,
            period_end=day,
            report=io.BytesIO(report),
            chunk_lines=10,
            after_chunk=killed_after_two,
        )
    half = ReconciliationRun.objects.get()
    assert (half.status, half.cursor, half.transactions_seen) == ("running", "line:20", 20)
    resumed = reconciliation_run_from_report(
        period_start=day, period_end=day, report=io.BytesIO(report), chunk_lines=10
    )
    assert resumed.pk == half.pk
    assert resumed.status == "completed"
    # 25 charges, the provider's second transaction for one of them, and a fee: each counted once.
    assert (resumed.transactions_seen, resumed.matched) == (27, 25)
    assert list(Discrepancy.objects.values_list("kind", "key")) == [(K.DUPLICATE, "txn_k_dup")]
    assert ReconciliationMatch.objects.count() == 25


@pytest.mark.django_db
def test_a_file_that_is_not_the_report_is_refused_and_nothing_is_recorded(account):
    import datetime as dt

    with pytest.raises(ReportError, match="gross"):
        reconciliation_run_from_report(
            period_start=dt.date(2026, 6, 1),
            period_end=dt.date(2026, 6, 1),
            report=io.BytesIO(b"balance_transaction_id,created_utc,currency,reporting_category,source_id\n"),
        )
    assert not Discrepancy.objects.exists()
    assert not ReconciliationMatch.objects.exists()


@pytest.mark.django_db
def test_finance_reconciliation_uses_the_report_where_the_provider_has_one(history, reports, settings):  # noqa: F811
    from payments import services

    today = history["today"]
    run = services.reconciliation_start(period_start=today, period_end=today)
    assert run.status == "completed"
    assert ReconciliationMatch.objects.filter(run_id=run.pk).exists()
    assert [r[0] for r in reports.requests] == ["GET", "POST", "GET", "GET"]
    # Without a reports API (plain localstripe), the paged list is used, as before.
    settings.STRIPE_REPORTS_API_BASE = ""
    again = services.reconciliation_start(period_start=today, period_end=today)
    assert not ReconciliationMatch.objects.filter(run_id=again.pk).exists()
    assert len(reports.requests) == 4


@pytest.mark.django_db
def test_a_chunk_never_ends_inside_a_quoted_field_that_holds_a_newline(account):
    import datetime as dt

    _payments_with_credits(account, 6)
    day = dt.date(2026, 6, 1)
    # The fee's description spans two lines, right where a chunk of 3 records would end by lines.
    report = (
        b"balance_transaction_id,created_utc,currency,gross,reporting_category,source_id,description\n"
        b'txn_k1,2026-06-01 10:00:00,gbp,1.01,charge,ch_k1,"Rent"\n'
        b'txn_k2,2026-06-01 10:00:00,gbp,1.02,charge,ch_k2,"Rent"\n'
        b'txn_fee,2026-06-01 12:00:00,gbp,-1.00,fee,,"Stripe fee\nfor June"\n'
        b'txn_k3,2026-06-01 10:00:00,gbp,1.03,charge,ch_k3,"Rent"\n'
        b'txn_k4,2026-06-01 10:00:00,gbp,1.04,charge,ch_k4,"Rent, card"\n'
        b'txn_k5,2026-06-01 10:00:00,gbp,1.05,charge,ch_k5,""\n'
        b"txn_k6,2026-06-01 10:00:00,gbp,1.06,charge,ch_k6,\n"
    )
    cursors = []
    run = reconciliation_run_from_report(
        period_start=day,
        period_end=day,
        report=io.BytesIO(report),
        chunk_lines=3,
        after_chunk=lambda r: cursors.append(r.cursor),
    )
    assert cursors == ["line:3", "line:6", "line:7"]
    assert (run.status, run.transactions_seen, run.matched, run.discrepancies_found) == ("completed", 7, 6, 0)
    assert ReconciliationMatch.objects.count() == 6


@pytest.mark.django_db
def test_two_workers_on_the_same_period_count_each_chunk_once(account):
    import datetime as dt

    from hackney_portal.core.models import AuditEvent

    _payments_with_credits(account, 25)
    day = dt.date(2026, 6, 1)
    report = _big_report(25, duplicate_of=7)
    second = []

    def second_worker_starts(run):
        # After the first worker's first chunk, a second (a retried task) takes up the same running run.
        if not second:
            second.append(
                reconciliation_run_from_report(
                    period_start=day, period_end=day, report=io.BytesIO(report), chunk_lines=10
                )
            )

    first = reconciliation_run_from_report(
        period_start=day,
        period_end=day,
        report=io.BytesIO(report),
        chunk_lines=10,
        after_chunk=second_worker_starts,
    )
    assert first.pk == second[0].pk
    run = ReconciliationRun.objects.get()
    assert (run.status, run.transactions_seen, run.matched, run.discrepancies_found) == (
        "completed",
        27,
        25,
        1,
    )
    assert AuditEvent.objects.filter(action="payments.reconciliation.completed").count() == 1


@pytest.mark.django_db
def test_a_claim_that_breaks_a_unique_index_falls_back_and_records_nothing_twice(account):
    import datetime as dt

    from payments.models import Payment

    _payments_with_credits(account, 3)
    day = dt.date(2026, 6, 1)
    # Already recorded (another run): transaction txn_k2 for payment 2. A report that gives the same
    # transaction id to payment 3's charge passes the claim's anti-join (payment 3 has no claim) and then
    # breaks the unique transaction index: the chunk claims again, skipping what is taken, and carries on.
    second = Payment.objects.get(reference="RP-K2")
    ReconciliationMatch.objects.create(run_id=0, txn_id="txn_k2", payment_id=second.pk, amount_pence=102)
    report = (
        b"balance_transaction_id,created_utc,currency,gross,reporting_category,source_id\n"
        b"txn_k1,2026-06-01 10:00:00,gbp,1.01,charge,ch_k1\n"
        b"txn_k2,2026-06-01 10:00:00,gbp,1.03,charge,ch_k3\n"
    )
    run = reconciliation_run_from_report(period_start=day, period_end=day, report=io.BytesIO(report))
    assert run.status == "completed"
    claims = dict(ReconciliationMatch.objects.values_list("payment_id", "txn_id"))
    third = Payment.objects.get(reference="RP-K3")
    assert claims[second.pk] == "txn_k2"
    assert third.pk not in claims  # never a second claim by the same transaction
    assert claims[Payment.objects.get(reference="RP-K1").pk] == "txn_k1"


@pytest.mark.django_db
def test_a_report_the_provider_has_not_finished_is_asked_for_again_later_and_the_run_resumes(
    history,  # noqa: F811
    reports,
    settings,
):
    from hackney_portal.celery import app
    from payments import tasks

    # As the worker does it: the retries are run, not raised into the test (the fixture resets this).
    app.conf.task_eager_propagates = False
    today = history["today"]
    _lo, hi = period_bounds(today, today)
    day = today.isoformat()
    settings.PAYMENTS_RECONCILIATION_RETRY_SECONDS = 0
    # Stripe has finished the day's data only up to a second before its end: no report run is asked for
    # (Stripe would refuse it), and the task tries again, up to its limit.
    reports.available_end = hi - 1
    result = tasks.reconciliation_run.apply(args=[day, day])
    assert result.failed()
    assert isinstance(result.result, gateway.GatewayError)
    assert not reports.runs
    asked = [r for r in reports.requests if r[1].startswith("/v1/reporting/report_types/")]
    assert len(asked) == tasks.reconciliation_run.max_retries + 1
    waiting = ReconciliationRun.objects.get()
    assert waiting.status == ReconciliationRun.Status.RUNNING
    # Once the data is there, the next try finishes the same run.
    reports.available_end = None
    result = tasks.reconciliation_run.apply(args=[day, day])
    assert result.successful()
    assert result.result == waiting.pk
    assert ReconciliationRun.objects.get().status == ReconciliationRun.Status.COMPLETED
    assert len(reports.runs) == 1


def test_a_gateway_error_survives_pickling_as_task_results_store_it():
    import pickle

    error = pickle.loads(pickle.dumps(gateway.GatewayError("Not ready", retryable=True)))  # noqa: S301
    assert (type(error), str(error), error.retryable) == (gateway.GatewayError, "Not ready", True)
