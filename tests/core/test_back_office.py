"""The back office shows money in pounds, never raw pence, on list and record pages (issue 20 item 5)."""

import re

import pytest
from django.urls import reverse

from hackney_portal.users import roles
from payments import services
from payments.models import LedgerEntry, Payment, RentAccount
from tests.conftest import staff_login


def _cells(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def account(db) -> RentAccount:
    acc = RentAccount.objects.create(
        reference="1234567890",
        postcode="E8 1EA",
        tenant_name="Jane Smith",
        address="4 Mare Street",
        weekly_rent_pence=15_000,
    )
    services.ledger_post(account_id=acc.pk, kind="rent", amount_pence=15_000, description="Rent")
    services.ledger_post(account_id=acc.pk, kind="service_charge", amount_pence=1_000, description="Service")
    return acc


@pytest.fixture
def finance(client, make_staff):
    staff_login(client, make_staff("finance@example.org", roles.FINANCE_OFFICERS))
    return client


@pytest.mark.django_db
def test_rent_account_list_and_page_show_pounds(finance, account):
    # The fixture account owes £150.00 rent and £10.00 service charge.
    listing = _cells(finance.get(reverse("admin:payments_rentaccount_changelist")))
    assert "£160.00" in listing
    assert not re.search(r"\b16,?000\b", listing)
    assert "Balance" in listing

    page = _cells(finance.get(reverse("admin:payments_rentaccount_change", args=[account.pk])))
    # The account's own amounts and every ledger row in the inline.
    assert "£150.00" in page
    assert "£10.00" in page
    assert "£160.00" in page
    assert not re.search(r"\b(15,?000|1,?000|16,?000)\b", page)


@pytest.mark.django_db
def test_ledger_and_payment_lists_sort_by_amount_and_show_pounds(finance, account):
    services.ledger_post(account_id=account.pk, kind="adjustment", amount_pence=-2_550, description="Credit")
    entries = _cells(finance.get(reverse("admin:payments_ledgerentry_changelist")))
    assert "-£25.50" in entries
    assert "£134.50" in entries
    assert not re.search(r"\b2,?550\b", entries)
    entry = LedgerEntry.objects.get(amount_pence=-2_550)
    record = _cells(finance.get(reverse("admin:payments_ledgerentry_change", args=[entry.pk])))
    assert "-£25.50" in record
    assert "£134.50" in record
    # The pounds column still sorts by the stored amount.
    html = finance.get(reverse("admin:payments_ledgerentry_changelist")).content.decode()
    assert re.search(r'<th scope="col" class="sortable[^"]*column-amount_in_pounds', html)

    Payment.objects.create(account=account, reference="PAY-ADMIN-1", amount_pence=12_345, status="succeeded")
    payments = _cells(finance.get(reverse("admin:payments_payment_changelist")))
    assert "£123.45" in payments
    assert not re.search(r"\b12,?345\b", payments)


@pytest.mark.parametrize(
    ("typed", "pence"),
    [("12.50", 1250), ("£1,234.5", 123450), ("12", 1200), (" 0.07 ", 7), ("", 0)],
)
def test_an_editable_amount_is_typed_in_pounds_and_stored_in_pence(typed, pence):
    from hackney_portal.core.admin import PoundsField

    assert PoundsField(required=False, empty_value=0).clean(typed) == pence


@pytest.mark.parametrize("typed", ["12.345", "-3", "twelve", "1e5", "12.5.0"])
def test_an_amount_that_is_not_pounds_says_what_to_type(typed):
    from django.core.exceptions import ValidationError

    from hackney_portal.core.admin import PoundsField

    with pytest.raises(ValidationError, match=r"Enter an amount in pounds, like 12\.50"):
        PoundsField(required=False, empty_value=0).clean(typed)


@pytest.mark.django_db
def test_job_pay_is_edited_in_pounds_in_the_back_office(client, make_staff):
    from tests.employment.test_search import listing

    job = listing("Kitchen porter")
    staff_login(client, make_staff("admin@example.org", superuser=True))
    page = client.get(reverse("admin:employment_opportunity_change", args=[job.pk])).content.decode()
    field = re.search(r'<input[^>]*name="pay_min_pence"[^>]*>', page).group(0)
    assert f'value="{job.pay_min_pence / 100:.2f}"' in field
    label = re.search(r"<label[^>]*for=\"id_pay_min_pence\"[^>]*>(.*?)</label>", page, re.S).group(1)
    assert label.strip().rstrip(":") == "Pay min (£)", label
