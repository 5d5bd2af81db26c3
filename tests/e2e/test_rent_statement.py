"""Issue 16 items 2, 5 and 6 in Chromium, at 1280 and 320 px with axe: the account page says what is due, the
statement shows and downloads exactly the period chosen, and rent weeks run Monday to Sunday."""

import csv
import datetime as dt
import io
import re

import pytest

from payments.calendar import business_date, months_back, next_monday
from payments.models import RentAccount
from tests.conftest import make_user
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_payments import _context_page, _no_sideways_scroll

D = dt.date

# Rent year 2025-26 began on Monday 7 April 2025 and 2026-27 on Monday 6 April 2026 (the first Mondays of
# April), so Monday 30 March 2026 is in week 52 of the old year and Wednesday 1 April 2026 still is too.
HISTORY = [
    (D(2026, 3, 30), "rent", 15_000, "Rent"),
    (D(2026, 4, 1), "direct_debit", -20_000, "Direct Debit"),
    (D(2026, 4, 6), "rent", 15_000, "Rent"),
    (D(2026, 4, 13), "rent", 15_000, "Rent"),
    (D(2026, 4, 20), "rent", 15_000, "Rent"),
    (D(2026, 4, 27), "rent", 15_000, "Rent"),
    (D(2026, 5, 4), "rent", 15_000, "Rent"),
]


@pytest.fixture
def linked_tenant(transactional_db, live_server):
    from payments import services

    account = RentAccount.objects.create(
        reference="1234567890",
        postcode="E8 1EA",
        tenant_name="Jane Smith",
        address="4 Mare Street",
        weekly_rent_pence=15_000,
        contact_email="jane.smith@example.org",
    )
    for on, kind, amount, description in HISTORY:
        services.ledger_post(
            account_id=account.pk, kind=kind, amount_pence=amount, description=description, on=on
        )
    user = make_user("tenant@example.org", password="tenant-pass-phrase-1")
    services.account_link(user=user, account=account, actor=None)
    account.refresh_from_db()
    return account


def _sign_in(page, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=login]", "tenant@example.org")
    page.fill("input[name=password]", "tenant-pass-phrase-1")
    page.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
    page.wait_for_url(f"**{next_url}")


def _download(page, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(f"^{name}")).click()
    with open(info.value.path(), "rb") as f:
        return f.read()


@pytest.mark.parametrize("width", [1280, 320])
def test_account_page_says_what_is_due_by_when_and_the_weekly_charge(
    browser, live_server, linked_tenant, width
):
    due = next_monday(business_date())
    owed = linked_tenant.balance_pence
    assert owed == 70_000  # 6 weeks of £150 less a £200 Direct Debit
    context, page = _context_page(browser, live_server, width=width)
    try:
        _sign_in(page, f"/pay-rent/accounts/{linked_tenant.pk}/")
        text = page.locator("#what-is-due").inner_text()
        assert f"Pay £700.00 by {due:%A} {due.day} {due:%B} {due.year}" in text
        assert "Your rent is £150.00 a week, due every Monday" in text
        weekly = page.get_by_role("heading", name="What you pay each week").locator(
            "xpath=following-sibling::dl[1]"
        )
        assert "£150.00 a week" in weekly.inner_text()
        assert_accessible(page)
        _no_sideways_scroll(page)
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_statement_shows_and_downloads_the_period_chosen_with_rent_weeks(
    browser, live_server, linked_tenant, width
):
    from pypdf import PdfReader

    context, page = _context_page(browser, live_server, width=width)
    try:
        _sign_in(page, f"/pay-rent/accounts/{linked_tenant.pk}/statement/")
        page.get_by_label("Show transactions from").select_option("dates")
        for name, day in (("start", D(2026, 4, 1)), ("end", D(2026, 4, 30))):
            page.fill(f"#id_{name}_0", str(day.day))
            page.fill(f"#id_{name}_1", str(day.month))
            page.fill(f"#id_{name}_2", str(day.year))
        page.get_by_role("button", name="Show transactions").click()
        page.wait_for_url(re.compile(r".*start_0=1.*"))

        # The control shows the period on screen, and the page says it in words.
        assert page.get_by_label("Show transactions from").input_value() == "dates"
        said = page.locator("#statement-period").inner_text()
        assert "Wednesday 1 April 2026 to Thursday 30 April 2026" in said
        rows = page.locator("tbody tr")
        texts = [rows.nth(i).inner_text() for i in range(rows.count())]
        # Brought forward first (the £150 owed at the end of 31 March), then each entry in date order; nothing
        # from outside the period, and a credit in words, never a minus sign.
        assert "Balance brought forward" in texts[0]
        assert "£150.00" in texts[0]
        assert len(texts) == 1 + 5
        assert "Direct Debit" in texts[1]
        assert "£50.00 in credit" in texts[1]
        assert "Rent week 52: 30 March to 5 April 2026" not in texts[1]  # a payment is not for a rent week
        assert "Rent week 1: 6 to 12 April 2026" in texts[2]
        assert "£100.00" in texts[2]
        assert "Rent week 4: 27 April to 3 May 2026" in texts[5]
        assert "£550.00" in texts[5]
        assert "-£" not in page.locator("main").inner_text()
        assert_accessible(page)
        _no_sideways_scroll(page)

        table = list(csv.reader(io.StringIO(_download(page, "CSV").decode("utf-8"))))
        assert table[0][:3] == ["Date", "Rent year", "Rent week"]
        assert table[1][0] == "2026-04-01"
        assert table[1][3] == "Balance brought forward"
        assert table[1][6] == "150.00"
        body = table[2:]
        assert [r[0] for r in body] == ["2026-04-01", "2026-04-06", "2026-04-13", "2026-04-20", "2026-04-27"]
        assert [(r[1], r[2]) for r in body] == [
            ("2025-26", "52"),
            ("2026-27", "1"),
            ("2026-27", "2"),
            ("2026-27", "3"),
            ("2026-27", "4"),
        ]
        assert body[0][6:] == ["50.00", "in credit"]
        assert body[-1][6:] == ["550.00", "owed"]

        pdf = PdfReader(io.BytesIO(_download(page, "PDF")))
        text = "\n".join(p.extract_text() for p in pdf.pages)
        assert "1 April 2026 to 30 April 2026" in text
        assert "Jane Smith" in text
        assert "4 Mare Street" in text
        assert "Rent (rent week 1)" in text
        assert "Rent (rent week 4)" in text
        assert "04/05/2026" not in text
        assert "30/03/2026" not in text
        assert "£50.00 in credit" in text
        assert "Page 1 of" in text

        # "Last 12 months" is 12 calendar months to today, and the downloads follow that choice too.
        page.get_by_label("Show transactions from").select_option("12")
        page.get_by_role("button", name="Show transactions").click()
        page.wait_for_url(re.compile(r".*months=12.*"))
        today = business_date()
        start = months_back(today, 12)
        assert page.get_by_label("Show transactions from").input_value() == "12"
        said = page.locator("#statement-period").inner_text()
        assert f"{start.day} {start:%B %Y} to {today:%A} {today.day} {today:%B %Y}" in said
        assert_accessible(page)  # before a download link is clicked: GOV.UK's focus style drops the underline
        _no_sideways_scroll(page)
        table = list(csv.reader(io.StringIO(_download(page, "CSV").decode("utf-8"))))
        assert table[1][0] == start.isoformat()
        assert all(start <= D.fromisoformat(r[0]) <= today for r in table[2:])
        assert len(table[2:]) == sum(start <= on <= today for on, *_ in HISTORY)
    finally:
        context.close()
