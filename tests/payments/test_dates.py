"""Dates as a resident reads them: written out in a sentence, short and even in a table (issue 20 item 6)."""

import re

import pytest
from django.urls import reverse

from payments import services
from payments.calendar import business_date, months_back


@pytest.fixture
def statement_client(client, resident, account):
    services.account_link(user=resident, account=account, actor=resident)
    client.force_login(resident)
    return client


@pytest.mark.django_db
def test_statement_writes_the_period_out_and_keeps_table_dates_short(statement_client, account):
    html = statement_client.get(reverse("payments:statement", args=[account.pk])).content.decode()
    start, end = months_back(business_date(), 3), business_date()
    for day in (start, end):
        assert f"Balance on {day:%A} {day.day} {day:%B %Y}" in html
    assert f"{start:%A} {start.day} {start:%B %Y} to {end:%A} {end.day} {end:%B %Y}" in html
    # The ledger table: "7 Dec 2026" in every row.
    cells = re.findall(r'<td data-label="Date" class="govuk-table__cell">([^<]*)</td>', html)
    assert cells
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", cell) for cell in cells), cells
