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
# reads, in one statement, the account, that the resident linked it, and what the page shows of it.
RESIDENT_PAGES = {
    # The account, whether a card payment is processing, the last entries.
    "/pay-rent/accounts/{account}/": 2,
    # The account, the balance brought forward and the period's entries.
    "/pay-rent/accounts/{account}/statement/": 2,
    # The account and whether this resident linked it (what is due is worked out from the account).
    "/pay-rent/accounts/{account}/pay/": 2,
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


# The journeys' other steps, as the mixed load (bench/bench_mixed.py) makes them. Run in a test's transaction,
# so each transaction of a request shows as a SAVEPOINT pair.
INTAKE_STEPS = {
    # The draft.
    "question page": 1,
    # The draft, and the newest version of its code list (one statement).
    "question page with a code list": 2,
    # The draft, then its update. The session is not written again for the same draft.
    "answer sent": 4,
    "answer sent with a code list": 5,
    # The draft and the four code lists its answers are shown from.
    "check answers": 5,
    # The draft, locked; the case, its household, the draft marked sent, the audit row, the email (held or
    # not by the applicant's safe-contact answers) and its task; the session remembering the case.
    "submitted": 20,
}
CODE_LIST_PAGES = {"accommodation", "notice", "reason-loss", "support"}


def _intake_journey(client) -> dict[str, set[int]]:
    from homelessness.demo import FORM_PAGES

    seen: dict[str, set[int]] = {}

    def count(step, method, url, data=None):
        with CaptureQueriesContext(connection) as ctx:
            response = getattr(client, method)(url, data or {})
        seen.setdefault(step, set()).add(len(ctx.captured_queries))
        return response

    url = client.get("/housing-help/apply/")["Location"]
    first = True
    while "check-your-answers" not in url:
        slug = url.rstrip("/").rsplit("/", 1)[-1]
        coded = " with a code list" if slug in CODE_LIST_PAGES else ""
        if first:
            # The first answer makes the draft and puts it in the session: not a step repeated 40 times.
            client.get(url)
            url = client.post(url, FORM_PAGES[slug])["Location"]
            first = False
            continue
        assert count(f"question page{coded}", "get", url).status_code == 200
        response = count(f"answer sent{coded}", "post", url, FORM_PAGES[slug])
        assert response.status_code == 302, (slug, response.status_code)
        url = response["Location"]
    assert count("check answers", "get", url).status_code == 200
    assert count("submitted", "post", url).status_code == 302
    return seen


def test_each_step_of_an_intake_costs_a_fixed_number_of_queries(client):
    # A second applicant, after the first, costs the same: nothing grows with the cases already sent.
    for browser in (client, type(client)()):
        seen = _intake_journey(browser)
        assert seen == {step: {n} for step, n in INTAKE_STEPS.items()}, seen


def test_answering_does_not_write_the_session_each_time_but_keeps_it_alive(client):
    from homelessness.demo import FORM_PAGES
    from homelessness.views.intake import DRAFT_TOUCH_SECONDS, DRAFT_TOUCHED_KEY

    url = client.get("/housing-help/apply/")["Location"]
    url = client.post(url, FORM_PAGES["who"])["Location"]
    slug = url.rstrip("/").rsplit("/", 1)[-1]
    with CaptureQueriesContext(connection) as ctx:
        client.post(url, FORM_PAGES[slug])
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"]]
    # Ten minutes on, the next answer saves the session again, moving its expiry on.
    session = client.session
    session[DRAFT_TOUCHED_KEY] -= DRAFT_TOUCH_SECONDS + 1
    session.save()
    with CaptureQueriesContext(connection) as ctx:
        client.post(url, FORM_PAGES[slug])
    assert [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "django_session"')]


def test_a_referral_and_the_payment_steps_cost_a_fixed_number_of_queries(client):
    import re

    from homelessness.demo import FORM_REFERRAL

    with CaptureQueriesContext(connection) as ctx:
        assert client.post("/housing-help/refer/", FORM_REFERRAL).status_code == 302
    # The case, its household, the referral, the audit row, the referrer's email and its task; a new session
    # (its key checked unused, then inserted) remembering the case for the confirmation page.
    assert len(ctx.captured_queries) == 15, "\n".join(q["sql"][:200] for q in ctx.captured_queries)

    resident, account = _resident_with_account(1)
    client.force_login(resident)
    url = f"/pay-rent/accounts/{account.pk}/pay/"
    client.get(url)
    key = re.search(r'name="attempt_key" value="([^"]+)"', client.get(url).content.decode()).group(1)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, {"choice": "other", "amount": "5.00", "attempt_key": key})
    assert response.status_code == 302
    # The user, the account with its link (one statement); the attempt looked up by its key, then made and
    # audited; the session remembering the payment.
    assert len(ctx.captured_queries) == 12, "\n".join(q["sql"][:200] for q in ctx.captured_queries)
    card = response["Location"]
    for page in (card, card.replace("card/", "")):
        # The user, and the payment with its account (the viewer's own, or one this browser started).
        few, sql = _count(client, page)
        assert few == 2, "\n".join(sql)


# Pages that list things: the same number of queries with one item as with six (no query per item), and that
# number written down.
LIST_PAGES: dict[str, int] = {
    # Anonymous: the newest live listings as the search gives them (the matches and the page's ids, then
    # those listings' rows).
    "/jobs/feed.rss": 2,
    "/jobs/feed.json": 2,
    # The public start pages only: nothing read.
    "/sitemap.xml": 0,
    # Signed in: the user, then the resident's own payments, saved listings, applications or cases.
    "/pay-rent/payments/": 2,
    "/jobs/saved/": 2,
    "/jobs/applications/": 2,
    "/housing-help/cases/": 2,
}


def _add_item(path: str, resident, account) -> None:
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile

    from employment import services as employment
    from tests.employment.conftest import pdf_bytes
    from tests.factories import CaseFactory

    if path == "/pay-rent/payments/":
        payments.payment_start(
            account=account, amount_pence=1234, attempt_key=str(uuid.uuid4()), user=resident, email=""
        )
    elif path == "/jobs/saved/":
        employment.listing_save(user=resident, opp_id=OpportunityFactory().pk, saved=True)
    elif path == "/jobs/applications/":
        employment.application_submit(
            opp_id=OpportunityFactory().pk,
            name="Rita Resident",
            email=resident.email,
            phone="",
            cv=SimpleUploadedFile("cv.pdf", pdf_bytes(), content_type="application/pdf"),
            statement="Keen",
            lives_in_borough=True,
            actor=resident,
        )
    elif path == "/housing-help/cases/":
        CaseFactory(actor=resident, answers={"name": "Rita Resident", "email": resident.email})
    else:
        OpportunityFactory()


@pytest.mark.parametrize("path", list(LIST_PAGES))
def test_each_page_that_lists_things_costs_the_same_queries_for_one_item_as_for_six(client, path):
    resident, account = _resident_with_account(1)
    if not path.endswith((".rss", ".json", ".xml")):
        client.force_login(resident)
    _add_item(path, resident, account)
    client.get(path)
    one, _ = _count(client, path)
    for _ in range(5):
        _add_item(path, resident, account)
    six, sql = _count(client, path)
    assert one == six == LIST_PAGES[path], "\n".join(sql)
