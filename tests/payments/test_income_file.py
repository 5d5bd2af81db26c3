import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from hackney_portal.core.forms import ApplicationError
from hackney_portal.users import roles
from payments import services
from payments.calendar import business_date
from payments.models import IncomeFile, Payment, Refund
from tests.conftest import staff_login
from tests.payments.conftest import start_payment

UTC = dt.UTC


def _credit_at(account, instant: dt.datetime, amount: int, reference: str | None = None) -> Payment:
    payment = start_payment(account, amount_pence=amount)
    Payment.objects.filter(pk=payment.pk).update(
        status="succeeded",
        succeeded_at=instant,
        provider_payment_id=f"pi_{payment.pk:08d}",
        **({"reference": reference} if reference else {}),
    )
    payment.refresh_from_db()
    services.ledger_post(
        account_id=account.pk,
        kind="card_payment",
        amount_pence=-amount,
        description="card",
        payment=payment,
        on=business_date(instant),
    )
    return payment


def test_business_dates_follow_london_across_both_clock_changes():
    # Spring forward, 29 March 2026 01:00 UTC; fall back, 25 October 2026 01:00 UTC.
    assert business_date(dt.datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == dt.date(2026, 3, 28)
    assert business_date(dt.datetime(2026, 3, 29, 23, 30, tzinfo=UTC)) == dt.date(2026, 3, 30)  # 00:30 BST
    assert business_date(dt.datetime(2026, 10, 24, 23, 30, tzinfo=UTC)) == dt.date(2026, 10, 25)  # 00:30 BST
    assert business_date(dt.datetime(2026, 10, 25, 23, 30, tzinfo=UTC)) == dt.date(2026, 10, 25)  # 23:30 GMT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("late", "next_day", "day"),
    [
        (
            dt.datetime(2026, 3, 29, 22, 59, tzinfo=UTC),
            dt.datetime(2026, 3, 29, 23, 1, tzinfo=UTC),
            dt.date(2026, 3, 29),
        ),
        (
            dt.datetime(2026, 10, 24, 22, 59, tzinfo=UTC),
            dt.datetime(2026, 10, 24, 23, 1, tzinfo=UTC),
            dt.date(2026, 10, 24),
        ),
        (
            dt.datetime(2026, 10, 25, 23, 59, tzinfo=UTC),
            dt.datetime(2026, 10, 26, 0, 1, tzinfo=UTC),
            dt.date(2026, 10, 25),
        ),
    ],
)
def test_income_file_takes_exactly_the_london_day_on_clock_change_weekends(
    account, settings, tmp_path, late, next_day, day
):
    settings.PAYMENTS_INCOME_FILE_DIR = str(tmp_path)
    inside = _credit_at(account, late, 1111)
    outside = _credit_at(account, next_day, 2222)
    income = services.income_file_generate(day=day)
    assert inside.reference in income.content
    assert outside.reference not in income.content
    assert income.row_count == 1


@pytest.mark.django_db
def test_income_file_layout_rerun_is_byte_identical_and_formulas_are_neutralised(account, settings, tmp_path):
    settings.PAYMENTS_INCOME_FILE_DIR = str(tmp_path)
    day = dt.date(2026, 6, 1)
    noon = dt.datetime(2026, 6, 1, 11, 0, tzinfo=UTC)
    first = _credit_at(account, noon, 1234)
    _credit_at(account, noon, 500, reference="=HYPERLINK(1)")
    refund = Refund.objects.create(
        payment=first, provider_refund_id="re_1", amount_pence=200, status="succeeded"
    )
    services.ledger_post(
        account_id=account.pk, kind="refund", amount_pence=200, description="refund", refund=refund, on=day
    )
    income = services.income_file_generate(day=day)
    lines = income.content.split("\r\n")
    assert lines[0].startswith("H,")
    assert lines[0].endswith(income.batch_id)
    assert (
        lines[1]
        == f"D,1234567890,12.34,2026-06-01,{first.reference},{first.provider_payment_id},{income.batch_id}"
    )
    assert "'=HYPERLINK(1)" in lines[2]
    assert lines[3].startswith("D,1234567890,-2.00,2026-06-01,")
    assert lines[4] == f"T,3,15.34,{income.batch_id}"
    on_disk = (Path(tmp_path) / f"{income.batch_id}.csv").read_bytes()
    again = services.income_file_generate(day=day)
    assert again.pk == income.pk
    assert (Path(tmp_path) / f"{income.batch_id}.csv").read_bytes() == on_disk
    assert IncomeFile.objects.count() == 1
    # A changed ledger for a closed day is refused rather than silently exported twice.
    _credit_at(account, noon, 999)
    with pytest.raises(ApplicationError):
        services.income_file_generate(day=day)


@pytest.mark.django_db
def test_finance_downloads_the_income_file_from_the_admin(client, account, make_staff, settings, tmp_path):
    settings.PAYMENTS_INCOME_FILE_DIR = str(tmp_path)
    _credit_at(account, dt.datetime(2026, 6, 2, 9, 0, tzinfo=UTC), 700)
    income = services.income_file_generate(day=dt.date(2026, 6, 2))
    staff_login(client, make_staff("fin@example.org", roles.FINANCE_OFFICERS))
    response = client.get(reverse("admin:payments_incomefile_download", args=[income.pk]))
    assert response.status_code == 200
    assert response.content.decode() == income.content
