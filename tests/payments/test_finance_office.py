"""The finance officer's back office (issue 16 items 8, 10, 11): the landing page, money in pounds, working a
duplicate-charge discrepancy, and the income file for a chosen day."""

import datetime as dt
import re
import threading

import pytest
from django.db import IntegrityError, close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from hackney_portal.core.models import AuditEvent, Notification, OutboxTask
from hackney_portal.users import roles
from payments import services
from payments.calendar import business_date
from payments.models import Discrepancy, Dispute, IncomeFile, LedgerEntry, Payment, ReconciliationRun, Refund
from tests.conftest import staff_login
from tests.payments.conftest import CARD_OK, card_token, signed, start_payment

WEBHOOK = "/payments/stripe/webhook/"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def finance(client, make_staff):
    officer = make_staff("finance@example.org", roles.FINANCE_OFFICERS)
    staff_login(client, officer)
    client.officer = officer
    return client


def _paid(account, amount_pence: int) -> Payment:
    payment = start_payment(account, amount_pence=amount_pence)
    return services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_OK))


def _duplicate(payment: Payment, actual_pence: int) -> Discrepancy:
    run = ReconciliationRun.objects.create(period_start=dt.date(2026, 6, 1), period_end=dt.date(2026, 6, 1))
    return Discrepancy.objects.create(
        run=run,
        kind=Discrepancy.Kind.DUPLICATE,
        key=f"txn_dup_{payment.pk}",
        payment=payment,
        actual_pence=actual_pence,
        detail=f"Second transaction for {payment.reference}",
    )


# Item 8: where a finance officer lands, and pounds everywhere.


@pytest.mark.django_db
def test_finance_officer_lands_on_the_finance_page_not_the_admin_index(finance, account, make_staff):
    paid = _paid(account, 4321)
    response = finance.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url == reverse("admin:payments_dashboard")
    page = _text(finance.get(response.url))
    assert "Today's takings" in page
    assert "£43.21 taken by card in 1 payment" in page
    assert "Last reconciliation" in page
    assert "Open discrepancies" in page
    assert "Income files" in page
    assert "Open disputes" in page
    assert paid.reference  # the payment above is today's
    # Every list the finance officer works in is linked from there.
    html = finance.get(response.url).content.decode()
    for name in [
        "admin:payments_discrepancy_changelist",
        "admin:payments_refund_changelist",
        "admin:payments_dispute_changelist",
        "admin:payments_incomefile_changelist",
        "admin:payments_reconciliationrun_changelist",
        "admin:payments_payment_changelist",
    ]:
        assert reverse(name) in html, name
    # The stock index is still there when asked for; an administrator is not redirected.
    assert finance.get(reverse("admin:index") + "?all=1").status_code == 200
    staff_login(finance, make_staff("root@example.org", superuser=True))
    assert finance.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_every_payments_back_office_page_shows_pounds_never_pence(finance, account):
    payment = _paid(account, 86_421)
    refund = Refund.objects.create(payment=payment, amount_pence=2_468, status="pending", reason="x")
    dispute = Dispute.objects.create(
        payment=payment, provider_dispute_id="dp_pounds", amount_pence=86_421, status="needs_response"
    )
    discrepancy = _duplicate(payment, 86_421)
    yesterday = business_date() - dt.timedelta(days=1)
    income = services.income_file_generate(day=yesterday)
    pages = [
        reverse("admin:payments_dashboard"),
        reverse("admin:payments_rentaccount_changelist"),
        reverse("admin:payments_rentaccount_change", args=[account.pk]),
        reverse("admin:payments_ledgerentry_changelist"),
        reverse("admin:payments_payment_changelist"),
        reverse("admin:payments_payment_change", args=[payment.pk]),
        reverse("admin:payments_payment_refund", args=[payment.pk]),
        reverse("admin:payments_refund_changelist"),
        reverse("admin:payments_refund_change", args=[refund.pk]),
        reverse("admin:payments_dispute_changelist"),
        reverse("admin:payments_dispute_change", args=[dispute.pk]),
        reverse("admin:payments_discrepancy_changelist"),
        reverse("admin:payments_discrepancy_change", args=[discrepancy.pk]),
        reverse("admin:payments_discrepancy_refund", args=[discrepancy.pk]),
        reverse("admin:payments_incomefile_changelist"),
        reverse("admin:payments_incomefile_change", args=[income.pk]),
        reverse("admin:payments_incomefile_make"),
        reverse("admin:payments_reconciliationrun_changelist"),
    ]
    for url in pages:
        response = finance.get(url)
        assert response.status_code == 200, url
        page = _text(response)
        assert not re.search(r"\bpence\b", page, re.I), url
        assert "86421" not in page, url
        assert "2468" not in page, url
    assert "£864.21" in _text(finance.get(reverse("admin:payments_dispute_changelist")))
    assert "£24.68" in _text(finance.get(reverse("admin:payments_refund_changelist")))


# Item 10: a duplicate charge refunded from its discrepancy; who, when and how recorded.


@pytest.mark.django_db
def test_duplicate_charge_is_refunded_from_its_discrepancy_once_and_capped(
    finance, account, client, django_capture_on_commit_callbacks
):
    payment = _paid(account, 2_000)
    account.refresh_from_db()
    balance = account.balance_pence
    # Stripe's duplicate transaction says more than the payment: the refund is capped by what was charged.
    d = _duplicate(payment, 9_999)
    url = reverse("admin:payments_discrepancy_refund", args=[d.pk])
    confirm = _text(finance.get(url))
    assert "£20.00 goes back to the card" in confirm
    response = finance.post(url)
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == "resolved"
    assert d.resolution == "refunded"
    assert d.resolved_by == finance.officer
    assert d.resolved_at is not None
    assert d.refund.amount_pence == 2_000
    assert d.refund.provider_refund_id.startswith("re_")
    # A second click (or a second officer) refunds nothing more.
    assert finance.post(url).status_code == 302
    assert Refund.objects.filter(payment=payment).count() == 1
    # The money was never credited to the rent account, so its return never debits it, even when Stripe's
    # refund webhook arrives.
    event = {
        "id": "evt_dup_refund",
        "object": "event",
        "type": "charge.refunded",
        "created": int(timezone.now().timestamp()),
        "data": {
            "object": {
                "id": payment.provider_charge_id,
                "object": "charge",
                "payment_intent": payment.provider_payment_id,
                "refunds": {
                    "data": [
                        {
                            "id": d.refund.provider_refund_id,
                            "amount": 2_000,
                            "status": "succeeded",
                            "payment_intent": payment.provider_payment_id,
                            "metadata": {"discrepancy_id": str(d.pk)},
                        }
                    ]
                },
            }
        },
    }
    body, sig = signed(event)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sig).status_code
            == 200
        )
    account.refresh_from_db()
    assert account.balance_pence == balance
    assert not LedgerEntry.objects.filter(kind="refund", account=account).exists()
    payment.refresh_from_db()
    assert payment.refunded_pence == 0
    assert AuditEvent.objects.filter(
        action="payments.discrepancy.refund_requested", object_id=str(d.pk)
    ).exists()
    # Shown in the list: how, who and when.
    listing = _text(finance.get(reverse("admin:payments_discrepancy_changelist")))
    assert "Duplicate charge refunded to the card: finance@example.org" in listing
    # The payer is told once, whether the refund was done at once or the webhook said so (issue 16 item 4).
    told = Notification.objects.filter(template="payments/email/refund")
    assert [n.to for n in told] == [payment.email]
    assert "charged twice" in told.get().body
    assert "£20.00" in told.get().body


def _refund_event(payment, refund_id: str, amount: int, status: str, discrepancy_id: int, n: int) -> dict:
    return {
        "id": f"evt_dup_refund_{status}_{n}",
        "object": "event",
        "type": "charge.refund.updated",
        "created": int(timezone.now().timestamp()),
        "data": {
            "object": {
                "id": refund_id,
                "object": "refund",
                "amount": amount,
                "status": status,
                "payment_intent": payment.provider_payment_id,
                "metadata": {"discrepancy_id": str(discrepancy_id)},
            }
        },
    }


@pytest.mark.django_db
def test_a_duplicates_refund_the_provider_later_fails_opens_the_discrepancy_again(
    finance, account, client, django_capture_on_commit_callbacks
):
    payment = _paid(account, 2_500)
    account.refresh_from_db()
    balance = account.balance_pence
    d = _duplicate(payment, 2_500)
    assert finance.post(reverse("admin:payments_discrepancy_refund", args=[d.pk])).status_code == 302
    d.refresh_from_db()
    refund = d.refund
    for n, status in enumerate(["succeeded", "failed", "failed"]):  # done, then failed, then told again
        body, sig = signed(_refund_event(payment, refund.provider_refund_id, 2_500, status, d.pk, n))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sig)
        assert response.status_code == 200
    refund.refresh_from_db()
    d.refresh_from_db()
    assert refund.status == "failed"
    assert (d.status, d.resolution, d.refund, d.resolved_by) == ("open", "", None, None)
    failed = AuditEvent.objects.filter(action="payments.discrepancy.refund_failed", object_id=str(d.pk))
    assert failed.count() == 1  # once, however often the provider says so
    assert "failed" in failed.get().data["why"]
    # The rent account never saw the duplicate, so neither its refund nor the refund's failure touches it.
    account.refresh_from_db()
    assert account.balance_pence == balance
    # Open again, it can be worked again.
    assert "Resolve" in _text(finance.get(reverse("admin:payments_discrepancy_changelist")))


@pytest.mark.django_db(transaction=True)
def test_two_officers_refunding_one_duplicate_at_once_refund_it_once(account, make_staff):
    payment = _paid(account, 1_500)
    d = _duplicate(payment, 1_500)
    officers = [make_staff(f"fin{i}@example.org", roles.FINANCE_OFFICERS) for i in range(2)]
    barrier, errors = threading.Barrier(2), []

    def work(officer):
        try:
            barrier.wait()
            services.discrepancy_refund_duplicate(discrepancy_id=d.pk, actor=officer)
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Refund.objects.filter(payment=payment).count() == 1


@pytest.mark.django_db
def test_only_a_duplicate_can_be_refunded_and_a_note_resolution_records_how(finance, account):
    payment = _paid(account, 1_000)
    run = ReconciliationRun.objects.create(period_start=dt.date(2026, 6, 1), period_end=dt.date(2026, 6, 1))
    other = Discrepancy.objects.create(
        run=run, kind=Discrepancy.Kind.AMOUNT_MISMATCH, key="x1", payment=payment, actual_pence=500
    )
    response = finance.post(reverse("admin:payments_discrepancy_refund", args=[other.pk]))
    assert response.status_code == 400
    assert "Only a duplicate card charge can be refunded" in _text(response)
    assert not Refund.objects.exists()
    finance.post(reverse("admin:payments_discrepancy_resolve", args=[other.pk]), {"note": "Bank fee"})
    other.refresh_from_db()
    assert (other.status, other.resolution, other.resolved_by) == ("resolved", "explained", finance.officer)
    # Resolving again is refused, not overwritten.
    response = finance.post(reverse("admin:payments_discrepancy_resolve", args=[other.pk]), {"note": "Again"})
    assert response.status_code == 200
    assert "already been resolved" in _text(response)


@pytest.mark.django_db
def test_database_refuses_a_resolution_without_who_when_and_how(account):
    run = ReconciliationRun.objects.create(period_start=dt.date(2026, 6, 1), period_end=dt.date(2026, 6, 1))
    d = Discrepancy.objects.create(run=run, kind=Discrepancy.Kind.DUPLICATE, key="k")
    from django.db import transaction

    for changes in [
        {"status": "resolved"},
        {"status": "resolved", "resolution": "explained", "resolved_at": timezone.now()},
        {"status": "open", "resolution": "explained"},
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Discrepancy.objects.filter(pk=d.pk).update(**changes)


# Item 11: the income file for a chosen day, made and made again from the back office.


def _dispute_event(event_type: str, payment: Payment, status: str) -> dict:
    return {
        "id": f"evt_{event_type}_{status}",
        "object": "event",
        "type": event_type,
        "created": int(timezone.now().timestamp()),
        "data": {
            "object": {
                "id": "dp_income",
                "object": "dispute",
                "payment_intent": payment.provider_payment_id,
                "charge": payment.provider_charge_id,
                "amount": payment.amount_pence,
                "currency": "gbp",
                "status": status,
                "reason": "fraudulent",
            }
        },
    }


@pytest.mark.django_db
def test_income_file_for_a_chosen_day_is_made_again_byte_identical_with_types_and_chargebacks(
    finance, account, client, django_capture_on_commit_callbacks, monkeypatch
):
    payment = _paid(account, 2_500)
    for event_type, status in [
        ("charge.dispute.created", "needs_response"),
        ("charge.dispute.closed", "won"),
    ]:
        body, sig = signed(_dispute_event(event_type, payment, status))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sig)
    # Only a day that has ended can be chosen: the clock moves on to tomorrow, so today's entries are done.
    yesterday = business_date()
    monkeypatch.setattr("payments.admin_finance.business_date", lambda: yesterday + dt.timedelta(days=1))
    make = reverse("admin:payments_incomefile_make")
    response = finance.post(make, {"day": yesterday.isoformat()})
    assert response.status_code == 302
    income = IncomeFile.objects.get(business_date=yesterday)
    first = finance.get(reverse("admin:payments_incomefile_download", args=[income.pk])).content
    lines = first.decode().split("\r\n")
    assert [line.split(",")[4] for line in lines[1:4]] == ["PAYMENT", "CHARGEBACK", "CHARGEBACK REVERSED"]
    assert lines[2].split(",")[2] == "-25.00"
    assert lines[3].split(",")[2] == "25.00"
    assert "dp_income" in lines[2]
    assert lines[4] == f"T,3,25.00,{income.batch_id}"
    # Made again: the same file, byte for byte.
    assert finance.post(make, {"day": yesterday.isoformat()}).status_code == 302
    again = finance.get(reverse("admin:payments_incomefile_download", args=[income.pk])).content
    assert again == first
    assert IncomeFile.objects.count() == 1
    assert AuditEvent.objects.filter(action="payments.income_file.made").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["", "tomorrow", "2026-13-40", "=1+1", "1999-12-31", "TODAY", "12/01/2026", "01/12/26"]
)
def test_income_file_day_bad_input_gets_an_error_not_a_500(finance, typed):
    if typed == "TODAY":
        typed = business_date().isoformat()
    response = finance.post(reverse("admin:payments_incomefile_make"), {"day": typed})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not IncomeFile.objects.exists()


@pytest.mark.django_db
def test_someone_outside_finance_cannot_make_or_refund(client, account, make_staff):
    payment = _paid(account, 1_000)
    d = _duplicate(payment, 1_000)
    staff_login(client, make_staff("clerk@example.org", roles.HOUSING_OFFICERS))
    assert client.post(reverse("admin:payments_incomefile_make"), {"day": "2026-06-01"}).status_code == 403
    assert client.post(reverse("admin:payments_discrepancy_refund", args=[d.pk])).status_code == 403
    assert not Refund.objects.exists()


# Dates the finance officer reads and types (date review findings 6 and 8).


def _dispute_row(page_html: str, dispute_id: str) -> str:
    row = next(tr.split("</tr>")[0] for tr in page_html.split("<tr>") if dispute_id in tr)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()


@pytest.mark.django_db
def test_dashboard_gives_the_dispute_evidence_deadline_as_a_london_date_and_time(finance, account):
    payment = start_payment(account, amount_pence=5000)
    for dispute_id, due_by in [
        # Stripe's due_by is the end of a UTC day: in summer that is 00:59:59 the next day in London.
        ("dp_summer", dt.datetime(2026, 7, 2, 23, 59, 59, tzinfo=dt.UTC)),
        ("dp_winter", dt.datetime(2026, 12, 10, 23, 59, 59, tzinfo=dt.UTC)),
        ("dp_no_deadline", None),
    ]:
        Dispute.objects.create(
            payment=payment,
            provider_dispute_id=dispute_id,
            amount_pence=5000,
            status="needs_response",
            evidence_due_by=due_by,
        )
    html = finance.get(reverse("admin:payments_dashboard")).content.decode()
    assert "Evidence due by" in html
    assert _dispute_row(html, "dp_summer").endswith("needs_response 3 Jul 2026, 12:59am")
    assert _dispute_row(html, "dp_winter").endswith("needs_response 10 Dec 2026, 11:59pm")
    assert _dispute_row(html, "dp_no_deadline").endswith("needs_response -")


RECONCILE = "admin:payments_reconciliationrun_run"


def _day(offset: int) -> str:
    return (business_date() + dt.timedelta(days=offset)).isoformat()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "errors"),
    [
        # A day that has not ended: its payments are still coming in.
        (0, 0, {"period_end": ["Choose a last day before today: today's payments are still coming in"]}),
        (-3, 0, {"period_end": ["Choose a last day before today: today's payments are still coming in"]}),
        (1, 2, {"period_end": ["Choose a last day before today: today's payments are still coming in"]}),
        (-1, -2, {"period_end": ["The last day must be the same as or after the first day"]}),
        (
            "",
            "",
            {"period_start": ["Enter the first day to check"], "period_end": ["Enter the last day to check"]},
        ),
        (
            "2026-13-40",
            "yesterday",
            {
                "period_start": ["Enter the first day as YYYY-MM-DD, like 2026-12-01"],
                "period_end": ["Enter the last day as YYYY-MM-DD, like 2026-12-03"],
            },
        ),
    ],
    ids=["today", "up-to-today", "future", "end-before-start", "blank", "not-dates"],
)
def test_reconciliation_refuses_a_day_not_ended_or_a_backwards_period_with_the_error_on_its_field(
    finance, start, end, errors
):
    start = _day(start) if isinstance(start, int) else start
    end = _day(end) if isinstance(end, int) else end
    response = finance.post(reverse(RECONCILE), {"period_start": start, "period_end": end})
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    page = response.content.decode()
    for field_errors in errors.values():
        assert field_errors[0].replace("'", "&#x27;") in page
    assert not OutboxTask.objects.filter(task_name="payments.tasks.reconciliation_run").exists()
    assert not AuditEvent.objects.filter(action="payments.reconciliation.requested").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), [(-1, -1), (-7, -1)], ids=["yesterday", "last-week"])
def test_reconciliation_runs_for_days_that_have_ended(finance, start, end):
    response = finance.post(reverse(RECONCILE), {"period_start": _day(start), "period_end": _day(end)})
    assert response.status_code == 302
    task = OutboxTask.objects.get(task_name="payments.tasks.reconciliation_run")
    assert task.args == [_day(start), _day(end)]
