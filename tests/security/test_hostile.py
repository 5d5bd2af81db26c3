"""Hostile input (issue 13, item 14): control characters, NUL bytes, non-finite numbers, huge years and runs
of search operators never give a 500 and never break an output (XML, RSS, CSV, PDF, email), whatever is
already stored; one bad saved search never stops the other job alerts."""

from __future__ import annotations

import csv
import datetime as dt
import email
import io
import logging
import re
import xml.etree.ElementTree as ET  # nosec B405 - parsing our own output

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.employment.conftest import pdf_bytes
from tests.employment.test_search import listing

pytestmark = pytest.mark.django_db

# What XML 1.0 refuses, and what no one types into a form: C0 controls but tab, newline and carriage
# return, DEL, and the C1 block.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
HOSTILE = "Jo\x00\x01\x07\x1b[31m\x7f\x85 Bloggs\x0b\x0c"


def _govuk_error(response) -> bool:
    body = response.content.decode()
    return (
        response.status_code in (200, 400) and "govuk-error-summary" in body and "There is a problem" in body
    )


# -- On the way in: control characters are stripped before any form, view or database sees them ----------


def test_control_characters_are_stripped_from_every_value_a_request_carries():
    from django.test import RequestFactory

    from hackney_portal.core.hostile import ControlCharactersMiddleware

    seen = {}

    def view(request):
        seen.update(get=request.GET.getlist("q"), post=dict(request.POST.lists()))
        return None

    request = RequestFactory().post(
        "/x/?q=a%00b%01c&q=ok%09tab", {"name\x01": "Jo\x00 Bl\x1boggs", "text": "one\r\ntwo\rthree\x7f"}
    )
    middleware = ControlCharactersMiddleware(lambda r: None)
    kwargs = {"token": "abc\x00def"}
    middleware.process_view(request, view, (), kwargs)
    view(request)
    assert seen["get"] == ["abc", "ok\ttab"]
    assert seen["post"] == {"name": ["Jo Bloggs"], "text": ["one\ntwo\nthree"]}
    assert kwargs == {"token": "abcdef"}


def test_the_cleaner_is_installed_for_every_request():
    """Installed once, for every view: it cannot be forgotten by a new form."""
    assert "hackney_portal.core.hostile.ControlCharactersMiddleware" in settings.MIDDLEWARE


def test_strip_control_characters_also_drops_lone_surrogates_and_noncharacters():
    from hackney_portal.core.hostile import strip_control

    assert strip_control("a\ud800b\udfffc\ufffe\uffffd\x00\x1f\x7f\x9fe\tf\ng\r\nh") == "abcde\tf\ng\nh"
    assert strip_control("Zoë 💥 日本") == "Zoë 💥 日本"


@pytest.fixture
def opp(db):
    return listing("Chef", "Cooking")


NUL_REQUESTS = [
    ("get", "/jobs/", {"q": "chef\x00"}),
    ("get", "/jobs/", {"postcode": "E8\x001EA"}),
    ("get", "/jobs/alerts/new/", {"q": "chef\x00"}),
    ("post", "/jobs/alerts/new/", {"email": "a@example.org", "frequency": "daily", "query": "q=chef\x00"}),
    ("get", "/jobs/alerts/confirm/abc\x00def/", {}),
    ("get", "/jobs/alerts/unsubscribe/abc\x00def/", {}),
    ("get", "/housing-help/status/abc\x00def/", {}),
    ("get", "/housing-help/apply/resume/abc\x00def/", {}),
    ("get", "/housing-help/cases/HX-\x00/", {}),
    ("get", "/pay-rent/payments/PAY\x00/", {}),
    ("post", "/pay-rent/", {"reference": "1234\x00567890", "postcode": "E8 1EA"}),
    ("post", "/accounts/login/", {"login": "a\x00@example.org", "password": "x\x00"}),
    ("post", "/accounts/password/reset/", {"email": "a\x00@example.org"}),
    ("post", "/accounts/signup/", {"email": "a\x00@example.org", "password1": "x", "password2": "x"}),
    (
        "post",
        "/housing-help/refer/",
        {
            "body": "probation\x00",
            "organisation": "Probation\x00",
            "referrer_name": "Ref\x00",
            "referrer_email": "ref@example.org",
            "name": "Jo\x00 Bloggs",
            "situation": "Sleeping\x00 rough",
        },
    ),
]


@pytest.mark.parametrize(
    ("method", "url", "data"), NUL_REQUESTS, ids=[f"{m} {u}" for m, u, _ in NUL_REQUESTS]
)
def test_nul_bytes_never_reach_postgresql(client, opp, method, url, data):
    """PostgreSQL refuses NUL in text: before the fix each of these was a 500."""
    response = getattr(client, method)(url, data)
    assert response.status_code < 500


def _routes(patterns, prefix=""):
    from django.urls import URLPattern, URLResolver

    for entry in patterns:
        route = getattr(entry.pattern, "_route", None)
        if route is None:
            continue  # a regular expression (the admin's catch-all): nothing to fill in
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def test_every_url_with_a_text_argument_survives_nul_and_control_characters(client, opp):
    """A guard for URLs added later: every route taking text (tokens, references) is requested with a NUL
    and other control characters in it; none may answer 500."""
    from django.urls import get_resolver

    fill = {"int": "1", "slug": "who", "str": "ab\x00\x01cd", "path": "ab\x00cd/x", "uuid": None}
    tried = 0
    for route in _routes(get_resolver().url_patterns):
        if "<" not in route or not re.search(r"<(str|path|slug):|<(?!\w+:)", route):
            continue
        url = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: fill.get(m.group(1) or "str") or "x", route)
        response = client.get(url)
        assert response.status_code < 500, url
        tried += 1
    assert tried >= 10  # the tokens and references of every service were reached


def test_an_application_is_stored_without_its_control_characters(client, opp):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from employment.models import Application

    pdf_cv = SimpleUploadedFile("cv.pdf", pdf_bytes(), content_type="application/pdf")

    response = client.post(
        reverse("employment:apply", args=[opp.pk]),
        {
            "name": HOSTILE,
            "email": "jo@example.org",
            "phone": "0207\x00 123 4567",
            "statement": "I cook.\r\nWell.\x0b",
            "cv": pdf_cv,
        },
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.name == "Jo[31m Bloggs"
    assert application.phone == "0207 123 4567"
    assert application.statement == "I cook.\nWell."


def test_a_saved_search_is_stored_without_control_characters(client, opp):
    from employment.models import SavedSearch

    response = client.post(
        "/jobs/alerts/new/", {"email": "a@example.org", "frequency": "daily", "query": "q=chef\x01\x00"}
    )
    assert response.status_code == 200
    assert SavedSearch.objects.get().query == "q=chef"


# -- Non-finite numbers, huge years, search operators ---------------------------------------------------


@pytest.mark.parametrize(
    "amount", ["Infinity", "-Infinity", "inf", "NaN", "sNaN", "-sNaN", "1e999999", "1E+30", "-0", "0e-999999"]
)
def test_pay_amount_refuses_non_finite_and_absurd_numbers_with_a_govuk_error(
    client, resident, account, amount
):
    from payments import services

    services.account_link(user=resident, account=account, actor=resident)
    client.force_login(resident)
    url = reverse("payments:pay", args=[account.pk])
    response = client.post(url, {"choice": "other", "amount": amount, "attempt_key": "k" * 20})
    assert _govuk_error(response), (amount, response.status_code)


@pytest.mark.parametrize("pay", ["NaN", "Infinity", "-inf", "1e20", "99999999999", "1e-999999"])
def test_listing_pay_refuses_non_finite_and_absurd_numbers_with_a_govuk_error(client, make_staff, pay):
    from hackney_portal.users import roles
    from tests.conftest import make_user

    employer = make_user("employer@example.org", groups=[roles.EMPLOYERS])
    client.force_login(employer)
    closing = business_day(30)
    response = client.post(
        "/jobs/employers/new/",
        {
            "kind": "job",
            "title": "Chef",
            "summary": "Cook",
            "description": "Cook",
            "sector": "Hospitality",
            "contract": "permanent",
            "hours": "full_time",
            "pay_period": "year",
            "pay_min": pay,
            "pay_max": pay,
            "age_band": "21+",
            "postcode": "E8 1EA",
            "closing_date_0": closing.day,
            "closing_date_1": closing.month,
            "closing_date_2": closing.year,
        },
    )
    assert _govuk_error(response), (pay, response.status_code)


def business_day(days: int) -> dt.date:
    from payments.calendar import business_date

    return business_date() + dt.timedelta(days=days)


HUGE_YEARS = ["99999", "999999999999", "0", "-1", "10000", "9" * 5000, "2026.5", "1e4", "²⁰²⁶"]


@pytest.mark.parametrize("year", HUGE_YEARS)
def test_huge_years_in_a_query_string_get_a_govuk_error(client, resident, account, year):
    from payments import services

    services.account_link(user=resident, account=account, actor=resident)
    client.force_login(resident)
    url = reverse("payments:statement", args=[account.pk])
    response = client.get(url, {"start_0": "1", "start_1": "1", "start_2": year, "end_0": "2", "end_1": "1"})
    assert response.status_code < 500
    assert "govuk-error-summary" in response.content.decode()


OPERATOR_RUNS = [
    "-" * 200,
    '"' * 200,
    "OR " * 66,
    "!" * 200,
    "&" * 200,
    "|" * 200,
    ":*" * 100,
    "(" * 200,
    "<->" * 66,
    "\\" * 200,
    "'" * 200,
    '"-" OR -"" -OR- ',
    "chef -chef OR OR -",
    "a & b | !c <-> d:* (e)",
    "-chef -cook -baker",
    "*" * 200,
    "%" * 200,
    "OR",
    "-",
    '"',
]


@pytest.mark.parametrize("q", OPERATOR_RUNS)
def test_runs_of_search_operators_never_fail(client, opp, q):
    response = client.get("/jobs/", {"q": q, "sort": "relevance"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "value"), [("distance", "inf"), ("distance", "nan"), ("min_pay", "NaN"), ("min_pay", "1e999")]
)
def test_non_finite_distance_and_salary_in_search_never_fail(client, opp, name, value):
    response = client.get("/jobs/", {"q": "chef", "postcode": "E8 1EA", name: value})
    assert response.status_code == 200


# -- One bad saved search never stops the others -------------------------------------------------------


def _saved(email_address: str, query: str):
    from employment.models import SavedSearch

    search = SavedSearch.objects.create(
        email=email_address, frequency="daily", query="q=chef", token=email_address, user=None
    )
    earlier = timezone.now() - dt.timedelta(days=2)
    SavedSearch.objects.filter(pk=search.pk).update(confirmed_at=earlier, last_sent_at=earlier)
    # Stored behind the service's back, as an old row or a bad migration leaves it.
    with connection.cursor() as cur:
        cur.execute("UPDATE employment_savedsearch SET query = %s WHERE id = %s", [query, search.pk])
    return search


BAD_SAVED_QUERIES = [
    "&" * 1000,  # more fields than a QueryDict will parse (the column holds 1,000 characters)
    "q=chef%00",  # decodes to a NUL byte
    "q=" + "-" * 990,
    "q=" + "%22" * 330,
    "q=OR%20OR%20OR&distance=inf&postcode=E8%201EA",
    "min_pay=NaN&posted_within=99999999999999999999",
    "q=%ED%A0%80",  # a lone surrogate, UTF-8 encoded
]


@pytest.mark.parametrize("bad_query", BAD_SAVED_QUERIES)
def test_one_bad_saved_search_never_stops_the_other_alerts(
    opp, mailbox, django_capture_on_commit_callbacks, caplog, bad_query
):
    from employment import tasks
    from hackney_portal.core.models import Notification

    bad = _saved("bad@example.org", bad_query)
    good = _saved("good@example.org", "q=chef")
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        tasks.alerts_send.apply(throw=True)
    assert Notification.objects.filter(to=good.email, template="employment/email/alert").exists()
    assert any(m.to == [good.email] for m in mailbox)
    good.refresh_from_db()
    assert good.last_sent_at > timezone.now() - dt.timedelta(minutes=5)
    # The bad one either ran (its hostile parts dropped) or failed alone, and said so in the log.
    bad.refresh_from_db()
    sent_bad = bad.last_sent_at > timezone.now() - dt.timedelta(minutes=5)
    assert sent_bad or any(
        "saved search" in r.getMessage() and str(bad.pk) in r.getMessage() for r in caplog.records
    )


def test_a_failing_alert_is_logged_and_the_next_one_still_goes(opp, mailbox, caplog):
    """Isolation itself: a search that cannot be parsed fails alone, logged with its id."""
    from employment import services

    bad = _saved("bad@example.org", "&" * 1000)
    good = _saved("good@example.org", "q=chef")
    with caplog.at_level(logging.ERROR):
        assert services.alerts_send() == 1
    good.refresh_from_db()
    assert good.last_sent_at > timezone.now() - dt.timedelta(minutes=5)
    assert [r for r in caplog.records if "saved search" in r.getMessage() and str(bad.pk) in r.getMessage()]


# -- On the way out: every output is well-formed whatever is stored ------------------------------------

# What PostgreSQL will store in text (it refuses only NUL) and XML 1.0 refuses.
STORED = "Chef\x01\x02\x08\x0b\x0c\x1b\x1f\x7f\x85\ufffe\uffff & <b>co</b> ]]>"


def _sql_update(table: str, pk: int, **values) -> None:
    sets = ", ".join(f"{name} = %s" for name in values)  # names are ours, values are parameters
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*values.values(), pk])  # noqa: S608  # nosec B608


def test_rss_feed_is_well_formed_whatever_a_listing_holds(client, opp):
    _sql_update("employment_opportunity", opp.pk, title=STORED, summary=STORED, employer_name=STORED)
    response = client.get("/jobs/feed.rss")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    item = root.find("channel/item")
    assert item.find("title").text.startswith("Chef")
    assert "& <b>co</b> ]]>" in item.find("description").text
    assert not CONTROL.search(item.find("title").text)


def test_json_feed_and_search_page_answer_whatever_a_listing_holds(client, opp):
    _sql_update("employment_opportunity", opp.pk, title=STORED, summary=STORED)
    assert client.get("/jobs/feed.json").status_code == 200
    assert client.get("/jobs/", {"q": "chef"}).status_code == 200
    assert client.get(reverse("employment:detail", args=[opp.pk])).status_code == 200


def test_hclic_xml_is_well_formed_whatever_a_case_holds(make_case, officer):
    from homelessness import hclic, services
    from homelessness.models import Case, HouseholdMember
    from homelessness.rules import AssessmentOutcome

    case = make_case(name="Jo Bloggs")
    services.case_assign(case=case, officer=officer, actor=officer)
    case = services.case_record_assessment(
        case=case,
        actor=officer,
        eligible=True,
        outcome=AssessmentOutcome.THREATENED_BY_NOTICE,
        household_type="single_female",
        reason_loss="private_ast_end",
        accommodation_at_application="private_rented",
        support_needs=["mental_health"],
    )
    Case.objects.filter(pk=case.pk).update(assessed_on=dt.date(2026, 11, 2))
    member = HouseholdMember.objects.filter(case=case).first()
    _sql_update("homelessness_householdmember", member.pk, name=STORED, relationship="applicant\x01")
    details = {**case.details, "about": {"ni_number": "QQ\x01123456C\x1f"}}
    Case.objects.filter(pk=case.pk).update(details=details)

    built = hclic.build(2026, 3)
    for name in ("case_xml", "personal_xml"):
        ET.fromstring(built[name].split("\n", 1)[1])  # noqa: S314 - our own output
    personal = ET.fromstring(built["personal_xml"].split("\n", 1)[1])  # noqa: S314
    person = personal.find("Person")
    assert person.get("Name").startswith("Chef")
    assert not CONTROL.search(person.get("Name"))
    assert person.get("NINO") == "QQ123456C"


@pytest.fixture
def officer(make_staff):
    from hackney_portal.users import roles

    return make_staff("officer@example.org", roles.HOUSING_OFFICERS)


def test_statement_csv_and_pdf_are_well_formed_whatever_the_ledger_holds(client, resident, account):
    from pypdf import PdfReader

    from payments import services

    services.account_link(user=resident, account=account, actor=resident)
    description = '\x01=HYPERLINK("http://x")\r\n\x1b 日本 💥 \ufffe\u2028end'
    # The ledger is append-only: a hostile description arrives as a new entry (from a feed or a script).
    services.ledger_post(account_id=account.pk, kind="rent", amount_pence=100, description=description)
    _sql_update("payments_rentaccount", account.pk, address="4 Mare St\x01\x0b 💥 日本\n")
    client.force_login(resident)
    url = reverse("payments:statement", args=[account.pk])

    text = client.get(url, {"months": "1", "format": "csv"}).content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows for cell in row]
    assert not any(CONTROL.search(cell) for cell in cells)
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert any("HYPERLINK" in cell for cell in cells)

    response = client.get(url, {"months": "1", "format": "pdf"})
    assert response.status_code == 200
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "4 Mare St" in pdf_text
    assert "HYPERLINK" in pdf_text


def test_email_subjects_are_one_clean_line_whatever_a_listing_holds(
    mailbox, django_capture_on_commit_callbacks, resident
):
    from employment import services

    opp = listing("Chef", publish=False)
    services.opportunity_submit(opp_id=opp.pk, actor=None)
    _sql_update("employment_opportunity", opp.pk, title="Chef\r\nBcc: victim@example.org\x01\x0b\u2028x")
    from employment.models import Opportunity

    Opportunity.objects.filter(pk=opp.pk).update(employer=resident)
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_reject(opp_id=opp.pk, reason="Not a real job", actor=None)
    assert len(mailbox) == 1
    parsed = email.message_from_bytes(mailbox[0].message().as_bytes())
    subject = str(email.header.make_header(email.header.decode_header(parsed["Subject"])))
    assert "\n" not in subject
    assert "\r" not in subject
    assert not CONTROL.search(subject)
    assert parsed["Bcc"] is None
    assert "Chef" in subject


def test_csv_safe_strips_control_characters_before_looking_for_a_formula():
    from hackney_portal.core.csvsafe import csv_safe

    assert csv_safe("\x01=1+1") == "'=1+1"
    assert csv_safe("\x00\x1b@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("plain") == "plain"
    assert csv_safe("-12.34") == "'-12.34"


@pytest.mark.django_db(transaction=True)
def test_two_alert_runs_at_once_send_each_alert_once():
    """Each alert is locked while it is sent: a second run at the same moment skips it, it does not
    send it again (the two runs' clocks differ by a minute, so the outbox key would not catch it)."""
    import threading

    from django.db import connections

    from employment import services
    from hackney_portal.core.models import Notification

    listing("Chef", "Cooking")
    searches = [_saved(f"person{i}@example.org", "q=chef") for i in range(5)]
    now = timezone.now()
    results, barrier = [], threading.Barrier(2)

    def run(offset):
        try:
            barrier.wait()
            results.append(services.alerts_send(now=now + dt.timedelta(minutes=offset)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == len(searches)
    for search in searches:
        assert Notification.objects.filter(to=search.email, template="employment/email/alert").count() == 1


HUGE_IDS = [str(2**63), "9" * 40, "0"]


@pytest.mark.parametrize("pk", HUGE_IDS)
def test_ids_beyond_any_row_are_not_found_on_the_pages_read_by_written_out_sql(client, resident, account, pk):
    """The account, statement and listing pages read their rows with plain SQL: an id past PostgreSQL's
    bigint is a 404 like any unknown id, never a 500."""
    from payments import services

    services.account_link(user=resident, account=account, actor=resident)
    client.force_login(resident)
    for url in (f"/pay-rent/accounts/{pk}/", f"/pay-rent/accounts/{pk}/statement/", f"/jobs/{pk}/"):
        assert client.get(url).status_code == 404, url
