"""Statements: the period chosen is the period shown and downloaded, with a balance brought forward, rows in
date order and credit in words."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from payments import services
from payments.calendar import business_date, months_back


def test_last_n_months_are_calendar_months():
    assert months_back(dt.date(2026, 12, 4), 12) == dt.date(2025, 12, 5)
    assert months_back(dt.date(2026, 12, 4), 1) == dt.date(2026, 11, 5)
    assert months_back(dt.date(2026, 3, 31), 1) == dt.date(
        2026, 3, 1
    )  # back to 28 February, then the day after
    assert months_back(dt.date(2028, 3, 31), 1) == dt.date(2028, 3, 1)  # 29 February in a leap year
    assert months_back(dt.date(2027, 1, 15), 3) == dt.date(2026, 10, 16)  # across the year end
    assert months_back(dt.date(2028, 2, 29), 12) == dt.date(2027, 3, 1)


@pytest.fixture
def statement_client(client, resident, account):
    services.account_link(user=resident, account=account, actor=resident)
    client.force_login(resident)
    return client


def _post(account, amount, on, description):
    services.ledger_post(
        account_id=account.pk,
        kind="direct_debit" if amount < 0 else "rent",
        amount_pence=amount,
        description=description,
        on=on,
    )


@pytest.mark.django_db
def test_downloads_cover_the_period_chosen(statement_client, account):
    today = business_date()
    _post(account, -2_500, today - dt.timedelta(days=200), "Old payment")
    url = reverse("payments:statement", args=[account.pk])
    page = statement_client.get(url, {"months": "12"})
    html = page.content.decode()
    assert "Old payment" in html
    links = re.findall(r'href="\?([^"]+)"', html)
    assert links
    assert all("months=12" in link for link in links)
    for link in links:
        body = statement_client.get(url + "?" + link.replace("&amp;", "&"))
        if link.endswith("csv"):
            assert "Old payment" in body.content.decode()
        else:
            assert body.content.startswith(b"%PDF")
    # And a date range is downloaded as that range.
    start = today - dt.timedelta(days=210)
    end = today - dt.timedelta(days=190)
    html = statement_client.get(
        url,
        {
            "start_0": start.day,
            "start_1": start.month,
            "start_2": start.year,
            "end_0": end.day,
            "end_1": end.month,
            "end_2": end.year,
        },
    ).content.decode()
    link = re.search(r'href="\?([^"]+format=csv)"', html).group(1).replace("&amp;", "&")
    rows = list(csv.reader(io.StringIO(statement_client.get(url + "?" + link).content.decode())))
    assert [r[3] for r in rows[1:]] == ["Balance brought forward", "Old payment"]
    assert f"{start:%Y%m%d}-{end:%Y%m%d}" in statement_client.get(url + "?" + link)["Content-Disposition"]


@pytest.mark.django_db
def test_period_control_shows_the_period_on_screen(statement_client, account):
    url = reverse("payments:statement", args=[account.pk])
    html = statement_client.get(url).content.decode()
    assert re.search(r'<option value="3" selected>Last 3 months</option>', html)
    today = business_date()
    assert f"{months_back(today, 3).day} {months_back(today, 3):%B %Y} to" in html
    html = statement_client.get(
        url,
        {
            "start_0": today.day,
            "start_1": today.month,
            "start_2": today.year,
            "end_0": today.day,
            "end_1": today.month,
            "end_2": today.year,
        },
    ).content.decode()
    assert re.search(r'<option value="dates" selected>Between the dates below</option>', html)
    # Choosing a number of months again wins over dates left in the boxes.
    html = statement_client.get(
        url,
        {
            "months": "6",
            "start_0": today.day,
            "start_1": today.month,
            "start_2": today.year,
            "end_0": "",
            "end_1": "",
            "end_2": "",
        },
    ).content.decode()
    assert "There is a problem" not in html
    assert re.search(r'<option value="6" selected>Last 6 months</option>', html)


@pytest.mark.django_db
def test_balance_brought_forward_rows_in_date_order_and_credit_in_words(statement_client, account):
    today = business_date()
    # The fixture's £160.00 of charges are today; a payment of £200 is recorded late but dated earlier.
    _post(account, -20_000, today - dt.timedelta(days=2), "Payment recorded late")
    _post(account, -5_000, today - dt.timedelta(days=400), "Long ago")
    url = reverse("payments:statement", args=[account.pk])
    response = statement_client.get(url, {"months": "1"})
    statement = response.context["statement"]
    assert statement["opening_pence"] == -5_000
    descriptions = [r["entry"].description for r in statement["rows"]]
    assert descriptions == ["Payment recorded late", "Rent", "Service"]
    assert [r["balance_pence"] for r in statement["rows"]] == [-25_000, -10_000, -9_000]
    html = response.content.decode()
    table = html[html.index("<table") : html.index("</table>")]
    assert (
        table.index("Balance brought forward") < table.index("Payment recorded late") < table.index(">Rent<")
    )
    assert "£50.00 in credit" in table
    assert "£90.00 in credit" in table
    assert "-£" not in html
    rows = list(
        csv.reader(io.StringIO(statement_client.get(url, {"months": "1", "format": "csv"}).content.decode()))
    )
    assert rows[1][3:] == ["Balance brought forward", "", "", "50.00", "in credit"]
    assert rows[2][3:] == ["Payment recorded late", "", "200.00", "250.00", "in credit"]
    assert not any(cell.startswith("-") for row in rows for cell in row)


@pytest.mark.django_db
def test_pdf_has_who_when_pages_repeated_header_contact_and_tags(statement_client, account, settings):
    from pypdf import PdfReader

    today = business_date()
    for i in range(80):
        _post(account, 100 + i, today - dt.timedelta(days=i % 28), f"Charge {i}")
    url = reverse("payments:statement", args=[account.pk])
    pdf = statement_client.get(url, {"months": "1", "format": "pdf"}).content
    reader = PdfReader(io.BytesIO(pdf))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 2
    first = pages[0]
    assert "Jane Smith" in first
    assert "4 Mare Street" in first
    assert f"Issued {today.day} {today:%B %Y}" in first.replace("\n", " ")
    assert "Balance brought forward" in first
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in text
        assert settings.COUNCIL["contact_phone"] in text
        # The table header is repeated at the top of every page the table runs onto.
        assert re.search(r"Date\s*Description\s*Charges\s*Payments\s*Balance", text)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == "Rent statement for rent account 1234567890"


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (dt.date(2026, 4, 6), "Rent week 1: 6 to 12 April 2026"),  # the first Monday of April
        (dt.date(2026, 4, 5), "Rent week 52: 30 March to 5 April 2026"),  # a Sunday: still last year's week
        (dt.date(2026, 1, 1), "Rent week 39: 29 December 2025 to 4 January 2026"),
        (
            dt.date(2026, 12, 9),
            "Rent week 36: 7 to 13 December 2026",
        ),  # a Wednesday: its Monday-to-Sunday week
    ],
)
def test_a_weekly_charge_names_its_monday_to_sunday_rent_week(day, words):
    from payments.calendar import rent_week
    from payments.models import LedgerEntry
    from payments.templatetags.rent import rent_week_span

    entry = LedgerEntry(kind="rent", business_date=day, rent_week=rent_week(day))
    assert rent_week_span(entry) == words


@pytest.mark.django_db
def test_pdf_keeps_the_tenants_name_and_address_in_any_european_alphabet(statement_client, account):
    """The PDF's built-in Helvetica is Latin-1 only: "Łukasz" came out as "?ukasz" on the statement."""
    from pypdf import PdfReader

    type(account).objects.filter(pk=account.pk).update(
        tenant_name="Łukasz Wiśniewski", address="Flat 2, Ünye Court, Вулиця 5"
    )
    url = reverse("payments:statement", args=[account.pk])
    pdf = statement_client.get(url, {"months": "1", "format": "pdf"}).content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Łukasz Wiśniewski" in text
    assert "Flat 2, Ünye Court, Вулиця 5" in text
