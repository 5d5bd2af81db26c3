"""Queries per page (issue 18): each resident page and each anonymous page costs a fixed number of queries,
the same with one row of data as with many. A new number is a change in what every request costs: look at the
new query before changing it. The officers' queue is counted in tests/homelessness/test_queue_speed.py."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments import services as payments
from tests.conftest import make_user
from tests.factories import OpportunityFactory, RentAccountFactory

pytestmark = pytest.mark.django_db

# Signed in as a resident the session comes from the cache, so the first query is the user; each page then
# reads the account the resident is linked to (one query with the link), and what it shows.
RESIDENT_PAGES = {
    # The account (saying whether a card payment is processing), the last entries.
    "/pay-rent/accounts/{account}/": 3,
    # The account, the period's entries (each carrying the balance brought forward).
    "/pay-rent/accounts/{account}/statement/": 3,
    # The account and what is due.
    "/pay-rent/accounts/{account}/pay/": 3,
    # "Your home" (the floor): linked accounts, payments, cases, applications, saved listings and searches,
    # and a savepoint pair around the session's touch.
    "/": 9,
}
# Nobody signed in: no session row, no user. The listing is one query; the forms read nothing.
ANONYMOUS_PAGES = {
    "/": 0,
    "/jobs/{listing}/": 1,
    "/housing-help/apply/who/": 0,
    "/housing-help/refer/": 0,
    # A search: the moderators' synonyms, one statement for the matches, every filter's count and the page's
    # ids, then the page's listings with their highlighting.
    "/jobs/?q=kitchen+porter": 3,
    # No words: no synonyms to read.
    "/jobs/": 2,
}


def _count(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), [q["sql"][:200] for q in ctx.captured_queries]


def _resident_with_account(entries: int):
    resident = make_user("resident@example.org", name="Rita Resident")
    account = RentAccountFactory(reference="1234567890", charges=[("rent", 15_000, "Rent")] * entries)
    payments.account_link(user=resident, account=account, actor=resident)
    return resident, account


@pytest.mark.parametrize("path", list(RESIDENT_PAGES))
def test_each_resident_page_costs_a_fixed_number_of_queries(client, path):
    resident, account = _resident_with_account(1)
    client.force_login(resident)
    url = path.format(account=account.pk)
    client.get(url)  # the first request of a process fills per-process caches
    few, _ = _count(client, url)
    for day in range(30):
        payments.ledger_post(
            account_id=account.pk,
            kind="rent",
            amount_pence=15_000,
            description="Rent",
            on=dt.date(2026, 11, 1) + dt.timedelta(days=day),
        )
    many, sql = _count(client, url)
    assert few == many == RESIDENT_PAGES[path], "\n".join(sql)


@pytest.mark.parametrize("path", list(ANONYMOUS_PAGES))
def test_each_anonymous_page_costs_a_fixed_number_of_queries(client, path):
    listing = OpportunityFactory()
    url = path.format(listing=listing.pk)
    client.get(url)
    few, _ = _count(client, url)
    for _ in range(5):
        OpportunityFactory()
    many, sql = _count(client, url)
    assert few == many == ANONYMOUS_PAGES[path], "\n".join(sql)
