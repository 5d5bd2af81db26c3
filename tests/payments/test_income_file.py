import datetime as dt

import pytest
from django.urls import reverse

from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.models import AuditEvent
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
def test_income_file_takes_exactly_the_london_day_on_clock_change_weekends(account, late, next_day, day):
    inside = _credit_at(account, late, 1111)
    outside = _credit_at(account, next_day, 2222)
    income = services.income_file_generate(day=day)
    assert inside.reference in income.content
    assert outside.reference not in income.content
    assert income.row_count == 1


@pytest.mark.django_db
def test_income_file_layout_rerun_is_byte_identical_and_formulas_are_neutralised(account):
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
        lines[1] == f"D,1234567890,12.34,2026-06-01,PAYMENT,{first.reference},{first.provider_payment_id},"
        f"{income.batch_id}"
    )
    assert "'=HYPERLINK(1)" in lines[2]
    assert lines[3].startswith("D,1234567890,-2.00,2026-06-01,REFUND,")
    assert lines[4] == f"T,3,15.34,{income.batch_id}"
    stored = income.file.name
    again = services.income_file_generate(day=day)
    assert again.pk == income.pk
    assert again.file.name == stored
    assert again.content == income.content
    assert IncomeFile.objects.count() == 1
    # A changed ledger for a closed day is refused rather than silently exported twice.
    _credit_at(account, noon, 999)
    with pytest.raises(ApplicationError):
        services.income_file_generate(day=day)


@pytest.mark.django_db
def test_finance_downloads_the_income_file_from_the_admin(client, account, make_staff):
    _credit_at(account, dt.datetime(2026, 6, 2, 9, 0, tzinfo=UTC), 700)
    income = services.income_file_generate(day=dt.date(2026, 6, 2))
    staff_login(client, make_staff("fin@example.org", roles.FINANCE_OFFICERS))
    response = client.get(reverse("admin:payments_incomefile_download", args=[income.pk]))
    assert response.status_code == 200
    assert response.content.decode() == income.content


@pytest.mark.django_db
def test_income_file_is_kept_in_object_storage_encrypted_and_downloaded_only_by_finance(
    client, account, make_staff, s3_bucket
):
    s3, bucket = s3_bucket
    _credit_at(account, dt.datetime(2026, 6, 3, 9, 0, tzinfo=UTC), 4321)
    income = services.income_file_generate(day=dt.date(2026, 6, 3))
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == [f"private/{income.file.name}"]
    raw = s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read()
    assert income.batch_id.encode() not in raw  # ciphertext at rest
    staff_login(client, make_staff("clerk@example.org"))
    assert client.get(reverse("admin:payments_incomefile_download", args=[income.pk])).status_code in (
        302,
        403,
    )
    client.logout()
    staff_login(client, make_staff("fin@example.org", roles.FINANCE_OFFICERS))
    response = client.get(reverse("admin:payments_incomefile_download", args=[income.pk]))
    assert response.status_code == 200
    assert f"T,1,43.21,{income.batch_id}" in response.content.decode()
    assert AuditEvent.objects.filter(
        action="payments.income_file.downloaded", object_id=str(income.pk)
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_existing_income_files_move_from_the_database_to_storage():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("payments", "0011_reconciliation_match")])
    old = executor.loader.project_state([("payments", "0011_reconciliation_match")]).apps
    old.get_model("payments", "IncomeFile").objects.create(
        business_date=dt.date(2026, 5, 1),
        batch_id="HP20260501",
        row_count=0,
        total_pence=0,
        sha256="x",
        content="H,HP20260501\r\nT,0,0.00,HP20260501\r\n",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    moved = IncomeFile.objects.get(batch_id="HP20260501")
    # Its own name, or that name with a suffix if the storage already holds one (never overwritten).
    assert moved.file.name.startswith("payments/income/HP20260501")
    assert moved.file.name.endswith(".csv")
    assert moved.content == "H,HP20260501\r\nT,0,0.00,HP20260501\r\n"


@pytest.mark.django_db
def test_a_day_filed_in_the_old_layout_is_checked_in_that_layout_not_called_changed(account):
    from django.core.files.base import ContentFile

    from payments.income_file import batch_id_for, digest, income_file_build

    day = dt.date(2026, 6, 3)
    _credit_at(account, dt.datetime(2026, 6, 3, 9, 0, tzinfo=UTC), 4321)
    # As the housing system received it before the transaction-type column existed.
    old, count, total = income_file_build(day, layout=1)
    assert "PAYMENT" not in old
    assert old.count(",") < income_file_build(day)[0].count(",")
    income = IncomeFile(
        business_date=day,
        batch_id=batch_id_for(day),
        row_count=count,
        total_pence=total,
        sha256=digest(old),
        layout=1,
    )
    income.file.save("old.csv", ContentFile(old.encode()), save=False)
    income.save()
    assert services.income_file_generate(day=day).pk == income.pk  # the same file, no false alarm
    # A real change to that closed day is still refused, in either layout.
    _credit_at(account, dt.datetime(2026, 6, 3, 10, 0, tzinfo=UTC), 100)
    with pytest.raises(ApplicationError, match="no longer matches the ledger"):
        services.income_file_generate(day=day)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "day",
    [
        "0001-01-01",
        "9999-12-31",
        "2999-01-01",
        "2026-02-30",
        "2026-13-01",
        "99999-01-01",
        "1e9",
        "",
        "2026-06-02\x00x",
        "２０２６-０６-０２x",
        "-1",
        "9" * 5000,
    ],
)
def test_income_file_make_page_gives_a_govuk_error_for_any_bad_day(client, make_staff, day):
    staff_login(client, make_staff("fin@example.org", roles.FINANCE_OFFICERS))
    response = client.post(reverse("admin:payments_incomefile_make"), {"day": day})
    assert response.status_code == 200, day
    # The back office is the Django admin: its error list, beside the field, not a 500.
    assert 'class="errorlist' in response.content.decode(), day
    assert not IncomeFile.objects.exists()
