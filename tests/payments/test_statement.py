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


@pytest.mark.django_db
def test_the_balance_brought_forward_is_the_same_whether_the_period_has_entries_or_none(account):
    """The opening balance rides on the period's rows (one query); with no rows it is asked for alone."""
    from payments import selectors

    _post(account, 10_000, dt.date(2026, 1, 5), "Rent")
    _post(account, -2_500, dt.date(2026, 1, 20), "Payment")
    _post(account, 10_000, dt.date(2026, 3, 2), "Rent")
    with_rows = selectors.statement_for_period(
        account=account, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    empty = selectors.statement_for_period(
        account=account, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28)
    )
    nothing_before = selectors.statement_for_period(
        account=account, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
    )
    assert (with_rows["opening_pence"], with_rows["closing_pence"]) == (7_500, 17_500)
    assert (empty["opening_pence"], empty["closing_pence"], empty["rows"]) == (7_500, 7_500, [])
    assert (nothing_before["opening_pence"], nothing_before["rows"]) == (0, [])


@pytest.mark.django_db
def test_the_account_page_says_a_card_payment_is_still_processing_and_stops_once_it_is_paid(
    statement_client, account
):
    import uuid

    from payments.models import Payment

    url = reverse("payments:account", args=[account.pk])
    assert "still processing" not in statement_client.get(url).content.decode()
    payment = Payment.objects.create(
        account=account,
        reference="RP-PROCESSING",
        attempt_key=str(uuid.uuid4()),
        amount_pence=4_200,
        status="processing",
        provider_payment_id="pi_processing",
    )
    html = statement_client.get(url).content.decode()
    assert "A card payment of £42.00 (RP-PROCESSING) is still processing." in html
    Payment.objects.filter(pk=payment.pk).update(status="succeeded")
    assert "still processing" not in statement_client.get(url).content.decode()


@pytest.mark.django_db
def test_statement_rows_escape_what_was_typed_and_keep_each_cell_and_its_label(statement_client, account):
    """The rows are built in one pass (`rent.entry_rows`): every cell keeps its data-label (the table reflows
    at 320 px), a description staff typed is escaped, a weekly charge names its rent week."""
    services.ledger_post(
        account_id=account.pk,
        kind="write_off",
        amount_pence=-1_234,
        description='<script>alert("x")</script> & refund',
        on=business_date(),
    )
    services.ledger_post(
        account_id=account.pk, kind="rent", amount_pence=15_000, description="", on=business_date()
    )
    html = statement_client.get(reverse("payments:statement", args=[account.pk])).content.decode()
    body = html[html.index('<tbody class="govuk-table__body">') : html.index("</tbody>")]
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; refund" in body
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', body, re.S)
    assert len(rows) >= 2
    for row in rows:
        labels = re.findall(r'<td data-label="([^"]+)"', row)
        assert labels == ["Date", "Description", "Charges", "Payments", "Balance"]
    refund, rent = rows[-2:]  # today's two, after the fixture's own entries
    assert "£12.34" in refund
    assert "app-rent-week" not in refund
    assert "Rent week" in rent
    assert "£150.00" in rent


@pytest.mark.django_db
def test_the_resident_reads_of_an_account_with_its_page_match_the_separate_reads_and_refuse_anyone_else(
    resident, other_resident, account
):
    """The account, statement and amount pages each read the account, the link and what they show in one
    statement: the same figures as reading them apart, and a 404 for anyone who has not linked it."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404
    from django.test import RequestFactory

    from payments import selectors

    for i in range(7):
        _post(account, 10_000 if i % 2 == 0 else -2_500, dt.date(2026, 1, 5) + dt.timedelta(weeks=i), f"E{i}")
    account.refresh_from_db()
    services.account_link(user=resident, account=account, actor=resident)
    period = {"start": dt.date(2026, 1, 19), "end": dt.date(2026, 2, 9)}
    got_account, got = selectors.statement_for_viewer(user=resident, pk=account.pk, **period)
    expected = selectors.statement_for_period(account=account, **period)
    assert got_account == account
    assert got_account.balance_pence == account.balance_pence
    assert [(r["entry"].pk, r["balance_pence"]) for r in got["rows"]] == [
        (r["entry"].pk, r["balance_pence"]) for r in expected["rows"]
    ]
    assert (got["opening_pence"], got["closing_pence"]) == (
        expected["opening_pence"],
        expected["closing_pence"],
    )
    assert len(got["rows"]) == 4
    assert got["opening_pence"] == 7_500
    # A period with no entries still has its balance brought forward.
    _, empty = selectors.statement_for_viewer(
        user=resident, pk=account.pk, start=dt.date(2027, 1, 1), end=dt.date(2027, 1, 31)
    )
    assert (empty["rows"], empty["opening_pence"]) == ([], account.balance_pence)

    summary_account, summary = selectors.account_summary_for_viewer(user=resident, pk=account.pk)
    assert summary_account == account
    assert summary_account.has_processing is False
    assert [r["entry"].description for r in summary["recent"]] == ["E6", "E5", "E4", "E3", "E2"]

    for who in (other_resident, AnonymousUser()):
        for read in (
            lambda u: selectors.statement_for_viewer(user=u, pk=account.pk, **period),
            lambda u: selectors.account_summary_for_viewer(user=u, pk=account.pk),
        ):
            with pytest.raises(Http404):
                read(who)
    services.account_unlink(user=resident, account=account, actor=resident)
    with pytest.raises(Http404):
        selectors.statement_for_viewer(user=resident, pk=account.pk, **period)
    with pytest.raises(Http404):
        selectors.account_summary_for_viewer(user=resident, pk=account.pk + 1000)

    # Paying needs no link: the account is read with whether this viewer linked it, and refused to a
    # stranger who has not found it by number and postcode in this browser session.
    request = RequestFactory().get("/")
    request.user, request.session = other_resident, {}
    with pytest.raises(Http404):
        selectors.account_for_payment(request=request, pk=account.pk)
    request.session = {selectors.SESSION_FOUND: [account.pk]}
    assert selectors.account_for_payment(request=request, pk=account.pk).viewer_linked is False
    request.user = AnonymousUser()
    assert selectors.account_for_payment(request=request, pk=account.pk).viewer_linked is False
    services.account_link(user=resident, account=account, actor=resident)
    request.user, request.session = resident, {}
    assert selectors.account_for_payment(request=request, pk=account.pk).viewer_linked is True
