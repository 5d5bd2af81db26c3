"""What is due, shown where the resident looks: the quick view after finding the account, and the account."""

import datetime as dt

import pytest
from django.urls import reverse

from payments import selectors, services
from payments.calendar import business_date, next_monday


def _written_out(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def test_next_due_date_is_the_monday_on_or_after_today():
    assert next_monday(dt.date(2026, 12, 4)) == dt.date(2026, 12, 7)  # Friday
    assert next_monday(dt.date(2026, 12, 7)) == dt.date(2026, 12, 7)  # Monday: today
    assert next_monday(dt.date(2026, 12, 28)) == dt.date(2026, 12, 28)
    assert next_monday(dt.date(2026, 12, 29)) == dt.date(2027, 1, 4)  # over the new year


@pytest.mark.django_db
def test_quick_view_and_account_page_say_what_to_pay_by_when_and_the_weekly_rent(client, resident, account):
    due = _written_out(next_monday(business_date()))
    client.post(reverse("payments:start"), {"reference": account.reference, "postcode": account.postcode})
    quick = client.get(reverse("payments:found", args=[account.pk])).content.decode()
    assert f"Pay £160.00 by {due}" in quick
    assert "Your rent is £110.00 a week, due every Monday" in quick
    # The breakdown (rent, service charges, benefit) stays for the linked tenant only.
    assert "Housing Benefit" not in quick
    services.account_link(user=resident, account=account, actor=resident)
    client.force_login(resident)
    page = client.get(reverse("payments:account", args=[account.pk])).content.decode()
    assert f"Pay £160.00 by {due}" in page
    assert "Your rent is £110.00 a week, due every Monday" in page


@pytest.mark.django_db
def test_nothing_to_pay_when_in_credit(client, account):
    services.ledger_post(account_id=account.pk, kind="direct_debit", amount_pence=-20_000, description="DD")
    client.post(reverse("payments:start"), {"reference": account.reference, "postcode": account.postcode})
    quick = client.get(reverse("payments:found", args=[account.pk])).content.decode()
    assert "You have nothing to pay now" in quick
    assert "Pay £" not in quick
    assert "£40.00 in credit" in quick
    assert "-£" not in quick


@pytest.mark.django_db
def test_summary_amount_due_never_below_zero(account):
    summary = selectors.account_summary(account=account, today=dt.date(2026, 12, 4))
    assert (summary["amount_due_pence"], summary["next_due_date"]) == (16_000, dt.date(2026, 12, 7))
