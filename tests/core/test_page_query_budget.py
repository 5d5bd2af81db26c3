"""Every page of the portal has a written query count (issue 18), the same with a little data as with more.

`PAGES` is each page outside the Django admin: who opens it, what it names, the status it answers with and how
many SQL statements it runs. The walk over the URL configuration fails for a page that is in no table, so a
new page gets its count written down here (or a reason in `NOT_COUNTED`). A count that changes is a change
in what every request of that page costs: read the new statement before changing the number. The admin's
pages are in tests/core/test_admin_query_budget.py; the intake's and the payment's steps, and the resident
pages with one row against many, in tests/core/test_page_queries.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from hackney_portal.users import roles
from homelessness.household import PERSON_PAGES
from tests.conftest import make_user, staff_login
from tests.employment.conftest import pdf_bytes
from tests.employment.test_search import listing
from tests.homelessness.conftest import make_case  # noqa: F401 - shared fixture
from tests.payments.conftest import account, start_payment  # noqa: F401 - shared fixture
from tests.security.test_access import _named_patterns

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Page:
    who: str  # anonymous, applicant (a browser with an intake draft), resident, employer or staff
    args: str | None  # which of the world's ids the URL takes
    status: int
    queries: int
    query: str = ""
    warm: bool = True  # opened once before it is counted (not a page that changes what the next one sees)


# Signed in, the session comes from the cache and the first statement is the user (the session's user id
# checked against the database, as Django does for every signed-in request).
PAGES: dict[str, Page] = {
    # Nobody signed in: no session row and no user; the start pages and forms read nothing.
    "core:home": Page("anonymous", None, 200, 0),
    "core:accessibility": Page("anonymous", None, 200, 0),
    "core:privacy": Page("anonymous", None, 200, 0),
    "core:cookies": Page("anonymous", None, 200, 0),
    "core:sitemap": Page("anonymous", None, 200, 0),
    "core:brand_css": Page("anonymous", None, 200, 0),
    "core:favicon": Page("anonymous", None, 200, 0),
    "account_login": Page("anonymous", None, 200, 0),
    "account_signup": Page("anonymous", None, 200, 0),
    "account_inactive": Page("anonymous", None, 200, 0),
    "account_email_verification_sent": Page("anonymous", None, 200, 0),
    "account_reset_password": Page("anonymous", None, 200, 0),
    "account_reset_password_done": Page("anonymous", None, 200, 0),
    "account_reset_password_from_key": Page("anonymous", "reset_key", 200, 0),
    "account_reset_password_from_key_done": Page("anonymous", None, 200, 0),
    "account_confirm_email": Page("anonymous", "alert", 200, 0),
    "account_logout": Page("resident", None, 200, 1),
    # allauth asks, twice over, which kinds of second factor the person has (three EXISTS each time).
    "account_reauthenticate": Page("resident", None, 200, 7),
    "account_email": Page("resident", None, 200, 3),
    "account_change_password": Page("resident", None, 200, 1),
    # A staff member with an authenticator app: the pages that change it first ask for the password again
    # (a redirect), after the same checks.
    "mfa_index": Page("staff", None, 200, 3),
    "mfa_authenticate": Page("anonymous", None, 302, 0),
    "mfa_reauthenticate": Page("staff", None, 200, 7),
    "mfa_activate_totp": Page("staff", None, 302, 8),
    "mfa_deactivate_totp": Page("staff", None, 302, 9),
    "mfa_view_recovery_codes": Page("staff", None, 302, 8),
    "mfa_generate_recovery_codes": Page("staff", None, 302, 7),
    "mfa_download_recovery_codes": Page("staff", None, 302, 8),
    # The user, their second factors, linked accounts, saved searches and email addresses.
    "users:settings": Page("resident", None, 200, 5),
    "users:name": Page("resident", None, 200, 1),
    "users:close": Page("resident", None, 200, 1),
    "users:sign_out_everywhere": Page("resident", None, 200, 1),
    "payments:start": Page("resident", None, 200, 2),
    # The account found in this browser, whether this resident linked it, and what is due.
    "payments:found": Page("resident", "account", 200, 3),
    "payments:account": Page("resident", "account", 200, 2),
    "payments:statement": Page("resident", "account", 200, 2),
    "payments:pay": Page("resident", "account", 200, 2),
    "payments:history": Page("resident", None, 200, 2),
    "payments:reminders": Page("resident", None, 200, 1),
    "payments:card": Page("resident", "payment", 200, 2),
    "payments:status": Page("resident", "payment", 200, 2),
    # The synonyms, one statement for the matches, the counts and the page's ids, then those listings.
    "employment:search": Page("anonymous", None, 200, 3, "?q=chef"),
    "employment:feed_rss": Page("anonymous", None, 200, 2),
    "employment:feed_json": Page("anonymous", None, 200, 2),
    "employment:detail": Page("anonymous", "job", 200, 1),
    "employment:apply": Page("resident", "job", 200, 2),
    "employment:applied": Page("resident", "job", 200, 2),
    "employment:saved": Page("resident", None, 200, 2),
    "employment:my_applications": Page("resident", None, 200, 2),
    "employment:alert_create": Page("anonymous", None, 200, 0),
    # The saved search, confirmed in a transaction (a savepoint pair in the test's own transaction).
    "employment:alert_confirm": Page("anonymous", "alert", 200, 3),
    "employment:alert_unsubscribe": Page("anonymous", "unsubscribe", 200, 1),
    # An employer: the user, their groups, then their own listings or applications; opening a CV is audited.
    "employment:employer_listings": Page("employer", None, 200, 3),
    "employment:employer_new": Page("employer", None, 200, 2),
    "employment:employer_edit": Page("employer", "mine", 200, 3),
    "employment:employer_applications": Page("employer", "mine", 200, 4),
    "employment:employer_application": Page("employer", "application", 200, 3),
    "employment:employer_application_cv": Page("employer", "application", 200, 4),
    "homelessness:start": Page("anonymous", None, 200, 0),
    # Exit this page: the draft read, deleted and audited in a transaction, then the session ended.
    "homelessness:exit": Page("applicant", None, 302, 6, warm=False),
    # A browser with a draft: the draft, by the id in its session.
    "homelessness:apply": Page("applicant", None, 302, 1),
    "homelessness:emergency": Page("applicant", None, 200, 0),
    "homelessness:saved": Page("applicant", None, 200, 1),
    "homelessness:resume": Page("anonymous", "resume", 200, 1),
    "homelessness:person": Page("applicant", None, 302, 1),
    "homelessness:person_page": Page("applicant", "household", 200, 1),
    "homelessness:person_remove": Page("applicant", "household_index", 302, 1),
    "homelessness:refer": Page("anonymous", None, 200, 0),
    "homelessness:status_link": Page("anonymous", "status", 302, 1),
    "homelessness:my_cases": Page("resident", None, 200, 2),
    # The case (checked to be theirs), the read audited, then its plan (their steps and the council's),
    # document requests, letters and whether a review is open.
    "homelessness:case": Page("resident", "case", 200, 8),
    "homelessness:letter": Page("resident", "letter", 200, 4),
    "homelessness:letter_pdf": Page("resident", "letter", 200, 4),
}

# What is not a page of its own, or is counted elsewhere, and why.
NOT_COUNTED = {
    "core:healthz": "liveness probe: touches nothing (tests/core/test_healthz.py)",
    "core:readyz": "readiness probe: checks the database, migrations and Redis by design (test_healthz.py)",
    "core:metrics": "Prometheus scrape behind a token, no database (tests/core/test_metrics.py)",
    "core:session_extend": "POST only: the session timeout warning's 'stay signed in'",
    "core:staff_only": "the 403 page shown to a non-staff user who opens a back-office address",
    "stripe_webhook": "POST only: counted by tests/payments/test_webhook_batches.py (one INSERT per event)",
    "payments:link": "POST only",
    "payments:unlink": "POST only",
    "employment:save": "POST only",
    "homelessness:plan_step": "POST only",
    "homelessness:step": "the intake's question pages: INTAKE_STEPS in tests/core/test_page_queries.py",
    "homelessness:check": "check your answers: INTAKE_STEPS in tests/core/test_page_queries.py",
    "homelessness:done": "the confirmation after sending: INTAKE_STEPS in tests/core/test_page_queries.py",
    "homelessness:refer_done": "the referral's confirmation: tests/core/test_page_queries.py",
    "account_confirm_login_code": "sign-in by emailed code is off: it redirects to sign in",
    "account_set_password": "every account has a password: it redirects to change password",
}


def test_every_page_is_counted_or_has_a_reason():
    names = {name for name, _ in _named_patterns(get_resolver()) if not name.startswith("admin:")}
    assert names, "the URL walk found nothing: the check itself is broken"
    missing = names - PAGES.keys() - NOT_COUNTED.keys()
    assert not missing, f"write down these pages' query counts in PAGES: {sorted(missing)}"
    stale = (PAGES.keys() | NOT_COUNTED.keys()) - names
    assert not stale, f"no longer in the URL configuration: {sorted(stale)}"


def _world(resident, account, make_case) -> dict:  # noqa: F811 - the shared fixture, passed in
    from django.core.files.uploadedfile import SimpleUploadedFile

    from employment import services as jobs
    from employment.models import SavedSearch
    from homelessness import services as housing
    from payments import services as rent

    officer = make_user("officer@example.org", staff=True, groups=[roles.HOUSING_OFFICERS])
    rent.account_link(user=resident, account=account, actor=resident)
    payment = start_payment(account, user=resident)
    case = make_case(actor=resident)
    step = housing.plan_step_add(
        case=case, actor=officer, owner="applicant", text="Bring your tenancy", due_on=case.created_at.date()
    )
    letter = housing.letter_issue(
        case=case, actor=officer, kind="s184", decision="not_homeless", reasons="Reasons."
    )
    job = listing("Chef")
    boss = make_user("boss@example.org", groups=[roles.EMPLOYERS], name="Kitchen Ltd")
    mine = listing("Line cook")
    mine.employer = boss
    mine.save(update_fields=["employer"])
    applications = [
        jobs.application_submit(
            opp_id=opp.pk,
            name=name,
            email=email,
            phone="",
            cv=SimpleUploadedFile("cv.pdf", pdf_bytes(), content_type="application/pdf"),
            statement="I cook",
            lives_in_borough=True,
            actor=actor,
        )
        for opp, name, email, actor in [
            (job, "Rita Resident", resident.email, resident),
            (mine, "Sam", "sam@example.org", None),
        ]
    ]
    jobs.listing_save(user=resident, opp_id=job.pk, saved=True)
    jobs.saved_search_create(query="q=chef", email="al@example.org", frequency="daily", actor=None)
    search = SavedSearch.objects.get()
    return {
        "applied": applications[0].pk,
        "resident": resident,
        "employer": boss,
        "officer": officer,
        "ids": {
            "account": [account.pk],
            "payment": [payment.reference],
            "case": [case.reference],
            "step": [case.reference, step.pk],
            "letter": [case.reference, letter.pk],
            "job": [job.pk],
            "mine": [mine.pk],
            "application": [applications[1].pk],
            "alert": [search.token],
            "unsubscribe": [jobs.unsubscribe_token(search)],
            "status": [housing.case_status_token(case)],
            "household": [0, PERSON_PAGES[0].slug],
            "household_index": [0],
            "resume": [_resume_token()],
            # A key that is not a valid one: the page that says the link has expired.
            "reset_key": ["1", "set-password"],
        },
    }


def _resume_token() -> str:
    """A live link to carry on with an intake, as the email gives it."""
    import re

    from hackney_portal.core.models import Notification
    from homelessness import services as housing
    from homelessness.demo import FORM_PAGES
    from homelessness.models import IntakeDraft

    client = Client()
    first = client.get(reverse("homelessness:apply"))["Location"]
    assert client.post(first, FORM_PAGES["who"]).status_code == 302
    housing.intake_draft_send_resume_link(
        draft=IntakeDraft.objects.latest("id"), email="jo@example.org", actor=None
    )
    body = Notification.objects.filter(template="homelessness/email/resume").latest("id").body
    return re.search(r"/resume/([^/\s]+)/", body).group(1)


def _more(world: dict, account, make_case) -> None:  # noqa: F811 - the shared fixture, passed in
    """Five more of everything the pages list or read, made the same way."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from employment import services as jobs
    from homelessness import services as housing
    from homelessness.models import Case

    resident, officer = world["resident"], world["officer"]
    case = Case.objects.get(reference=world["ids"]["case"][0])
    for n in range(5):
        start_payment(account, amount_pence=100 + n, user=resident)
        make_case(actor=resident)
        housing.plan_step_add(
            case=case, actor=officer, owner="applicant", text=f"Step {n}", due_on=case.created_at.date()
        )
        job = listing(f"Porter {n}")
        jobs.listing_save(user=resident, opp_id=job.pk, saved=True)
        jobs.application_submit(
            opp_id=world["ids"]["mine"][0],
            name=f"Applicant {n}",
            email=f"applicant{n}@example.org",
            phone="",
            cv=SimpleUploadedFile("cv.pdf", pdf_bytes(), content_type="application/pdf"),
            statement="Keen",
            lives_in_borough=True,
            actor=None,
        )


def _client(who: str, world: dict) -> Client:
    """A browser for `who`: the same one for every page of a signed-in person (a staff sign-in waits for a
    fresh two-factor code), and a new one with a new draft for each page of the intake."""
    from homelessness.demo import FORM_PAGES

    if who in world["clients"]:
        return world["clients"][who]
    client = Client()
    if who in ("resident", "employer"):
        client.force_login(world[who])
        if who == "resident":
            # As the application form leaves it, for the page that confirms it.
            session = client.session
            session["employment_application"] = world["applied"]
            session.save()
    elif who == "staff":
        staff_login(client, world["staff"])
    if who != "applicant":
        world["clients"][who] = client
    else:
        first = client.get(reverse("homelessness:apply"))["Location"]
        assert client.post(first, FORM_PAGES["who"]).status_code == 302
    return client


def _count(name: str, page: Page, world: dict) -> tuple[int, int, list[str]]:
    url = reverse(name, args=world["ids"][page.args] if page.args else []) + page.query
    client = _client(page.who, world)
    if page.warm:
        client.get(url)  # the first request of a process fills caches every later one shares
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx.captured_queries), [q["sql"][:160] for q in ctx.captured_queries]


def test_each_page_runs_its_written_number_of_queries_with_little_data_and_with_more(
    resident,
    account,  # noqa: F811
    make_case,  # noqa: F811
    make_staff,
):
    world = _world(resident, account, make_case)
    world["staff"] = make_staff("staff@example.org", roles.HOUSING_OFFICERS)
    world["clients"] = {}
    wrong = []
    for label, add in (("a little data", None), ("more data", _more)):
        if add:
            add(world, account, make_case)
        for name, page in PAGES.items():
            status, n, sql = _count(name, page, world)
            if (status, n) != (page.status, page.queries):
                wrong.append(
                    f"{name} ({page.who}, {label}): {status} with {n} queries, "
                    f"written {page.status} with {page.queries}:\n    " + "\n    ".join(sql)
                )
    assert not wrong, "\n".join(wrong)
