"""Reconciliation against a real Stripe history in localstripe, with every kind of discrepancy."""

import datetime as dt

import pytest

from payments import services
from payments import stripe_gateway as gateway
from payments.calendar import business_date
from payments.models import Discrepancy, LedgerEntry, Payment, ReconciliationRun
from payments.reconciliation import reconciliation_run
from tests.payments.conftest import CARD_OK, card_token, start_payment

K = Discrepancy.Kind


def _stripe_payment(payment, amount=None):
    """Take the money at Stripe for our attempt (optionally a different amount) without crediting it here."""
    intent = gateway.intent_create(
        payment_id=payment.pk,
        reference=payment.reference,
        account_reference=payment.account.reference,
        amount_pence=amount or payment.amount_pence,
        card_token=card_token(CARD_OK),
        idempotency_key=f"r-{payment.pk}",
    )
    return gateway.intent_confirm(intent.id, idempotency_key=f"r-{payment.pk}-c")


def _all_pages():
    lo, hi = 0, 2**31
    return [t for page in gateway.balance_transaction_pages(created_gte=lo, created_lt=hi) for t in page]


@pytest.fixture
def history(account, settings):
    """One payment of each situation the run must tell apart, on an empty localstripe."""
    import urllib.request

    # Other tests' charges share this localstripe; reconciliation reads everything, so start clean.
    req = urllib.request.Request(f"{settings.STRIPE_API_BASE}/_config/data", method="DELETE")
    urllib.request.urlopen(req, timeout=10).read()
    today = business_date()
    ok = services.payment_pay_by_card(
        payment_id=start_payment(account, 1000).pk, card_token=card_token(CARD_OK)
    )

    lost = start_payment(account, 2000)  # Stripe has the money; the webhook and the browser never came back
    intent = _stripe_payment(lost)
    Payment.objects.filter(pk=lost.pk).update(
        provider_payment_id=intent.id, provider_charge_id=intent.charge_id
    )

    mismatch = start_payment(account, 3000)  # Stripe took 3500 for a 3000 attempt (a bug somewhere)
    intent = _stripe_payment(mismatch, amount=3500)
    Payment.objects.filter(pk=mismatch.pk).update(
        status="succeeded", provider_payment_id=intent.id, provider_charge_id=intent.charge_id
    )
    services.ledger_post(
        account_id=account.pk,
        kind="card_payment",
        amount_pence=-3000,
        description="card",
        payment=Payment.objects.get(pk=mismatch.pk),
    )

    phantom = start_payment(account, 4000)  # a credit here with no money taken
    Payment.objects.filter(pk=phantom.pk).update(
        status="succeeded", provider_payment_id="pi_phantom", provider_charge_id="ch_phantom"
    )
    services.ledger_post(
        account_id=account.pk,
        kind="card_payment",
        amount_pence=-4000,
        description="card",
        payment=Payment.objects.get(pk=phantom.pk),
    )

    # Money taken at Stripe for nothing we know about.
    stranger = gateway._client().v1.payment_intents.create(
        params={
            "amount": 777,
            "currency": "gbp",
            "confirm": True,
            "payment_method": gateway._client().v1.tokens.retrieve(card_token(CARD_OK))["card"]["id"],
        }
    )
    return {
        "ok": ok,
        "lost": lost,
        "mismatch": mismatch,
        "phantom": phantom,
        "stranger": stranger,
        "today": today,
    }


@pytest.mark.django_db
def test_run_finds_each_kind_once_repairs_only_the_safe_case_and_a_rerun_changes_nothing(history, account):
    today = history["today"]
    txns = _all_pages()
    # Stripe listing the same charge twice must show as a duplicate.
    ok_txn = next(
        t for t in txns if t["source"] == Payment.objects.get(pk=history["ok"].pk).provider_charge_id
    )
    pages = [txns[:2], txns[2:], [{**ok_txn, "id": "txn_duplicate"}]]

    # Stripe's payouts in its own format (localstripe has none in GBP): one right, one short by a penny.
    payouts = [
        ({"id": "po_ok", "amount": 1000}, [{"id": "t1", "net": 600}, {"id": "t2", "net": 400}]),
        ({"id": "po_short", "amount": 999}, [{"id": "t3", "net": 1000}]),
    ]
    run = reconciliation_run(period_start=today, period_end=today, pages=pages, payouts=payouts)
    kinds = sorted(Discrepancy.objects.values_list("kind", "status"))
    assert kinds == sorted(
        [
            (K.MISSING_CREDIT, "repaired"),  # the lost webhook: credited now
            (K.MISSING_CREDIT, "open"),  # the stranger charge: for finance to look at
            (K.AMOUNT_MISMATCH, "open"),
            (K.CREDIT_WITHOUT_PAYMENT, "open"),
            (K.DUPLICATE, "open"),
            (K.PAYOUT_MISMATCH, "open"),
        ]
    )
    assert Discrepancy.objects.get(kind=K.PAYOUT_MISMATCH).key == "po_short"
    assert run.status == "completed"
    assert (run.discrepancies_found, run.repaired, run.matched) == (6, 1, 1)
    lost = Payment.objects.get(pk=history["lost"].pk)
    assert lost.status == "succeeded"
    assert LedgerEntry.objects.filter(payment=lost).count() == 1

    balance = account.__class__.objects.get(pk=account.pk).balance_pence
    entries = LedgerEntry.objects.count()
    again = reconciliation_run(period_start=today, period_end=today, pages=pages, payouts=payouts)
    assert again.discrepancies_found == 0
    assert again.repaired == 0
    assert Discrepancy.objects.count() == 6
    assert LedgerEntry.objects.count() == entries
    assert account.__class__.objects.get(pk=account.pk).balance_pence == balance


@pytest.mark.django_db
def test_run_reads_stripe_itself_by_default(history):
    run = reconciliation_run(period_start=history["today"], period_end=history["today"], page_size=2)
    assert run.transactions_seen == 4  # ok, lost, mismatch and the stranger; the phantom has none
    assert Discrepancy.objects.filter(kind=K.MISSING_CREDIT, status="repaired").count() == 1


@pytest.mark.django_db
def test_an_interrupted_run_is_finished_by_the_next_with_no_double_counting(history):
    today = history["today"]
    txns = _all_pages()
    pages = [txns[i : i + 1] for i in range(len(txns))]

    def dies_after_two():
        yield pages[0]
        yield pages[1]
        raise SystemExit("worker killed")

    with pytest.raises(SystemExit):
        reconciliation_run(period_start=today, period_end=today, pages=dies_after_two())
    half = ReconciliationRun.objects.get()
    assert half.status == "running"
    assert half.cursor == pages[1][0]["id"]
    resumed = reconciliation_run(period_start=today, period_end=today, pages=pages)
    assert resumed.pk == half.pk
    assert resumed.status == "completed"
    assert resumed.transactions_seen == len(txns)
    assert Discrepancy.objects.count() == 4  # as an uninterrupted run over this history (no duplicate here)
    assert LedgerEntry.objects.filter(payment=history["lost"]).count() == 1


@pytest.mark.django_db
def test_resolving_needs_a_note_and_records_who(history, make_staff):
    from hackney_portal.core.exceptions import ApplicationError
    from hackney_portal.users import roles

    reconciliation_run(period_start=history["today"], period_end=history["today"])
    officer = make_staff("fin@example.org", roles.FINANCE_OFFICERS)
    d = Discrepancy.objects.filter(status="open").first()
    with pytest.raises(ApplicationError):
        services.discrepancy_resolve(discrepancy_id=d.pk, note=" ", actor=officer)
    services.discrepancy_resolve(discrepancy_id=d.pk, note="Refunded by phone", actor=officer)
    d.refresh_from_db()
    assert (d.status, d.resolved_by) == ("resolved", officer)


def test_period_bounds_are_london_midnights_across_the_october_change():
    from payments.reconciliation import period_bounds

    lo, hi = period_bounds(dt.date(2026, 10, 25), dt.date(2026, 10, 25))
    assert hi - lo == 25 * 3600  # the day the clocks go back is 25 hours long


@pytest.mark.django_db
def test_finance_runs_reconciliation_and_resolves_from_the_admin(
    client, history, make_staff, django_capture_on_commit_callbacks, monkeypatch
):
    from django.urls import reverse

    from hackney_portal.users import roles
    from tests.conftest import staff_login

    staff_login(client, make_staff("fin@example.org", roles.FINANCE_OFFICERS))
    # Only a day that has ended can be reconciled: move the clock on a day, so today has ended.
    monkeypatch.setattr(
        "payments.admin_finance.business_date", lambda: history["today"] + dt.timedelta(days=1)
    )
    day = history["today"].isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:payments_reconciliationrun_run"), {"period_start": day, "period_end": day}
        )
    assert response.status_code == 302
    assert ReconciliationRun.objects.get().status == "completed"
    assert client.get(reverse("admin:payments_discrepancy_changelist")).status_code == 200
    d = Discrepancy.objects.filter(status="open").first()
    client.post(reverse("admin:payments_discrepancy_resolve", args=[d.pk]), {"note": "Checked with the bank"})
    d.refresh_from_db()
    assert d.status == "resolved"
