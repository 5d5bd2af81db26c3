"""Housing help in Chromium: a resident's intake on a phone with save and resume, an officer's triage, and the
applicant seeing the new stage. Every public page is checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from hackney_portal.core.models import Notification
from hackney_portal.users import roles
from homelessness.models import Case
from tests.conftest import TOTP_SECRET, make_user
from tests.e2e.conftest import assert_accessible, sign_in_with_two_factor

pytestmark = pytest.mark.e2e


def _continue(page):
    assert_accessible(page)
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_load_state()
    assert "There is a problem" not in page.content(), page.url


def _radio(page, group: str, label: str):
    page.get_by_role("group", name=group).get_by_label(label, exact=True).check()


def _mobile(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _link_in(template: str, pattern: str) -> str:
    body = Notification.objects.filter(template=template).latest("created_at").body
    return re.search(pattern, body).group(0)


def test_intake_on_a_phone_with_save_and_resume_then_officer_triage(mobile_page, browser, live_server, page):
    m = mobile_page
    make_user("manager@example.org", staff=True, groups=[roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS])
    m.goto("/housing-help/")
    assert_accessible(m)
    assert m.get_by_role("button", name=re.compile("Exit this page")).is_visible()
    m.get_by_role("button", name="Start now").click()

    m.get_by_label("Me", exact=True).check()
    _continue(m)
    m.get_by_label("Yes", exact=True).check()
    _continue(m)
    m.get_by_label("No", exact=True).check()
    # Stop part-way: the answers are saved and a link comes by email.
    m.get_by_role("button", name="Save and come back later").click()
    assert_accessible(m)
    m.get_by_label("Email address").fill("sam.rivers@example.org")
    m.get_by_role("button", name="Send me a link").click()
    assert "Your answers have been saved" in m.content()
    assert_accessible(m)

    # Later, on another phone: the link carries on from the next question.
    link = _link_in("homelessness/email/resume", r"http\S+/housing-help/apply/resume/\S+/")
    context2, p = _mobile(browser, live_server)
    p.goto("/housing-help/" + link.split("/housing-help/", 1)[1])
    p.get_by_role("button", name="Continue").click()
    p.wait_for_url("**/housing-help/apply/contact-method/")
    no = _check("No")
    # Each page asks one thing; optional pages are left as they are.
    _answer_intake(
        p,
        {
            "contact-method": _check("Email"),
            "contact-email": lambda p: p.get_by_label("What is your email address?").fill(
                "sam.rivers@example.org"
            ),
            "full-name": lambda p: p.get_by_label("What is your full name?").fill("Sam Rivers"),
            "date-of-birth": _date_of_birth("3", "4", "1992"),
            "sex": _check("Female"),
            "interpreter": no,
            "household": no,
            "accommodation": _check("Renting from a private landlord or letting agent"),
            "current-address": lambda p: p.get_by_label("Postcode (optional)").fill("e8 1ea"),
            "notice": _check("A notice from the landlord to leave, without giving a reason"),
            "reason-loss": _check("A tenancy with a private landlord or letting agent ended"),
            "nationality": _check("British or Irish"),
            "public-funds": _check("Yes"),
            "lived-here": _check("3 of the last 5 years or more"),
            "work-here": no,
            "family-here": no,
            "support": lambda p: (
                p.get_by_label("Needs help managing money").check(),
                p.get_by_label("Mental health problems, now or in the past").check(),
            ),
            "income": lambda p: (p.get_by_label("Wages").check(), p.get_by_label("Universal Credit").check()),
            "employment": _check("Yes, part time"),
            "privacy": _check(re.compile("I have read the privacy notice")),
        },
    )
    assert "Check your answers" in p.content()
    assert "Sam Rivers" in p.content()
    assert_accessible(p)
    p.get_by_role("button", name="Accept and send").click()
    p.wait_for_url("**/apply/sent/**")
    assert_accessible(p)
    case = Case.objects.get()
    assert case.reference in p.content()
    # Every box ticked was kept (they were once drawn as radios, keeping one).
    assert case.support_needs == ["budgeting", "mental_health"]
    assert case.details["income"]["income"] == ["wages", "universal_credit"]
    assert Notification.objects.filter(
        template="homelessness/email/received", to="sam.rivers@example.org"
    ).exists()
    context2.close()

    # An officer, with two-factor, picks it up from "new and unassigned".
    make_user(
        "officer@example.org",
        password="officer-pass-phrase",
        staff=True,
        groups=[roles.HOUSING_OFFICERS],
        totp_secret=TOTP_SECRET,
        name="Hari Patel",
    )
    page.goto("/admin/homelessness/case/")
    sign_in_with_two_factor(page, "officer@example.org", "officer-pass-phrase")
    page.wait_for_url("**/admin/homelessness/case/")
    page.get_by_role("link", name="New and unassigned").click()
    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("body")).to_contain_text("Case assigned")
    page.get_by_label("Yes", exact=True).first.check()
    page.get_by_label("Initial assessment outcome").select_option("threatened_notice")
    page.get_by_role("button", name="Record assessment").click()
    expect(page.locator("body")).to_contain_text("Assessment recorded")
    # Prevention is opened by accepting the duty (s.195), which sends the letter with the plan.
    accept = page.locator("form[action$='/accept_prevention/']")
    accept.locator("textarea[name=reasons]").fill("A section 21 notice ends the tenancy in 6 weeks.")
    accept.get_by_role("button", name="Accept prevention duty and send the letter").click()
    expect(page.locator("body")).to_contain_text("Prevention duty accepted")
    case.refresh_from_db()
    assert case.stage == "prevention"
    deadline = page.get_by_test_id("deadline").inner_text()
    assert f"{case.duty_deadline:%-d %b %Y}" in deadline
    assert "56 days left" in deadline

    # The applicant opens the link from the confirmation email and sees the new stage.
    context3, s = _mobile(browser, live_server)
    status = _link_in("homelessness/email/received", r"http\S+/housing-help/status/\S+/")
    s.goto("/housing-help/" + status.split("/housing-help/", 1)[1])
    s.wait_for_url(f"**/housing-help/cases/{case.reference}/")
    assert s.get_by_test_id("stage").inner_text() == "Prevention duty"
    assert "Hari Patel" in s.content()
    assert_accessible(s)
    context3.close()


def test_duty_to_refer_form_errors_and_emergency_page_are_accessible(page):
    page.goto("/housing-help/refer/")
    assert_accessible(page)
    page.get_by_role("button", name="Send referral").click()
    expect(page).to_have_title(re.compile("^Error:"))
    assert_accessible(page)
    page.goto("/housing-help/apply/who/")
    page.get_by_label("Me", exact=True).check()
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url("**/apply/emergency/")
    assert "020 8356 2300" in page.content()
    assert_accessible(page)
    assert page.console_errors == []


def _answer_intake(p, answers: dict, *, until: str = "check-your-answers") -> None:
    """Answer the intake page by page, whichever page comes next: `answers` maps a page's slug to what to do
    on it (pages not named are left as they are, for optional questions). Stops on the page `until`."""
    while True:
        p.wait_for_load_state()
        slug = p.url.rstrip("/").rsplit("/", 1)[-1]
        if slug == until:
            return
        if slug == "emergency":
            p.get_by_role("button", name="Continue with the form").click()
            p.wait_for_url(lambda url: "/emergency/" not in url)
            continue
        answers.get(slug, lambda page: None)(p)
        if slug == "equality":
            assert_accessible(p)
            p.get_by_role("button", name="Skip these questions").click()
        else:
            _continue(p)
        # The next page, not this one still unloading (a page with an error stays, and times out here).
        p.wait_for_url(lambda url, here=f"/{slug}/": not url.endswith(here))


def _check(label: str, *, exact: bool = True):
    return lambda p: p.get_by_label(label, exact=exact).check()


def _date_of_birth(day: str, month: str, year: str):
    def fill(p):
        p.get_by_label("Day").fill(day)
        p.get_by_label("Month").fill(month)
        p.get_by_label("Year").fill(year)

    return fill


def _mail_to(mail_dir, address: str, before: set) -> list[str]:
    """Every message written to the mail folder since `before` (by the worker or the web process) that
    names `address` anywhere: to, cc, bcc or body."""
    new = set(mail_dir.glob("*.log")) - before if mail_dir.exists() else set()
    return [f.read_text() for f in new if address in f.read_text()]


@pytest.mark.integration
def test_a_domestic_abuse_applicant_who_said_phone_only_is_never_emailed_and_the_team_sees_it_urgent(
    page, browser, live_server, settings, celery_worker
):
    """Issue 15's browser test: the applicant is at risk from a partner and said only a phone call is safe.
    A real Celery worker delivers the mail. No step of the journey emails them (the intake, the resume link,
    the confirmation, the officer's assessment, the relief duty letter, a document request); the restricted
    cases team's officer is alerted and sees the case as urgent within a minute of it being sent, and nobody
    else is told anything about it."""
    import time
    from pathlib import Path

    from homelessness.models import CaseMessage, DecisionLetter
    from tests.conftest import wait_until

    mail_dir = Path(celery_worker.env["PORTAL_EMAIL_FILE_PATH"])
    before = set(mail_dir.glob("*.log")) if mail_dir.exists() else set()
    make_user(
        "team.officer@example.org",
        password="team-pass-phrase",
        staff=True,
        groups=[roles.HOUSING_OFFICERS, settings.HOMELESSNESS_RESTRICTED_TEAM],
        totp_secret=TOTP_SECRET,
        name="Tia Team",
    )
    make_user("manager@example.org", staff=True, groups=[roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS])
    applicant_email = "dana.hidden@example.org"

    context, p = _mobile(browser, live_server)
    p.goto("/housing-help/apply/who/")
    p.get_by_label("Me", exact=True).check()
    _continue(p)
    p.get_by_label("Yes", exact=True).check()
    _continue(p)
    p.get_by_label("Yes, from a partner, ex-partner or family member (domestic abuse)").check()
    p.get_by_role("button", name="Continue", exact=True).click()
    # The 24-hour number at once, and no claim that anything has been sent or marked.
    p.wait_for_url("**/apply/emergency/")
    assert p.locator('a[href^="tel:"]', has_text=settings.COUNCIL["out_of_hours_phone"]).count() >= 1
    assert "has not been sent yet" in p.content()
    assert "marked your application as urgent" not in p.content()
    assert_accessible(p)
    p.get_by_role("button", name="Continue with the form").click()
    p.wait_for_url("**/apply/contact-method/")
    no = _check("No")
    _answer_intake(
        p,
        {
            # Only a phone call is safe: no email address is asked for, and nothing is to be sent in writing.
            "contact-method": _check("Phone call"),
            "contact-phone": lambda p: p.get_by_label("What number should we call?").fill("07700 900 982"),
            "no-messages": _check("No, only phone me"),
            "full-name": lambda p: p.get_by_label("What is your full name?").fill("Dana Hidden"),
            "date-of-birth": _date_of_birth("12", "6", "1990"),
            "sex": _check("Female"),
            "interpreter": no,
            "household": no,
            "accommodation": _check("In a refuge"),
            "notice": _check("No, not been told to leave"),
            "reason-loss": _check("Abuse from a partner, ex-partner or family member"),
            "nationality": _check("British or Irish"),
            "public-funds": _check("Yes"),
            "lived-here": _check("6 of the last 12 months or more"),
            "work-here": no,
            "family-here": no,
            "support": _check("Domestic abuse, now or in the past"),
        },
        until="income",
    )
    # Stopping here: the link to come back is not emailed to someone who said email is not safe.
    p.get_by_role("button", name="Save and come back later").click()
    p.get_by_label("Email address").fill(applicant_email)
    p.get_by_role("button", name="Send me a link").click()
    assert "You told us email is not a safe way to contact you" in p.content()
    p.goto("/housing-help/apply/")
    p.wait_for_url("**/apply/income/")
    _answer_intake(
        p,
        {
            "income": _check("Universal Credit"),
            "employment": no,
            "privacy": _check(re.compile("I have read the privacy notice")),
        },
    )
    assert "Check your answers" in p.content()
    p.get_by_role("button", name="Accept and send").click()
    sent_at = time.monotonic()
    p.wait_for_url("**/apply/sent/**")
    assert "We have marked your application as urgent" in p.content()
    assert "confirmation email" not in p.content()
    assert applicant_email not in p.content()
    assert_accessible(p)
    context.close()
    case = Case.objects.get()
    assert case.urgent
    assert case.restricted_team

    # The worker delivers the team's alert; the team's officer signs in and finds the case in the urgent
    # queue, within a minute of it being sent.
    wait_until(
        lambda: _mail_to(mail_dir, "team.officer@example.org", before), timeout=60, message="the team alert"
    )
    page.goto("/admin/homelessness/case/?queue=urgent")
    sign_in_with_two_factor(page, "team.officer@example.org", "team-pass-phrase")
    page.wait_for_url("**/admin/homelessness/case/**")
    if "queue=urgent" not in page.url:
        page.goto("/admin/homelessness/case/?queue=urgent")
    row = page.locator("tr", has_text=case.reference)
    assert "URGENT" in row.inner_text()
    assert "Dana Hidden" in row.inner_text()
    # And the queue itself says a case is waiting for the team, and that it is hers.
    assert (
        "The restricted cases team has 1 urgent case not yet assessed (1 assigned to you)" in page.content()
    )
    assert_accessible(page)
    assert time.monotonic() - sent_at < 60
    page.get_by_role("link", name=case.reference).click()
    assert "Tia Team" in page.get_by_test_id("assigned").inner_text()

    # Assigned on arrival, so triage has started: nobody had to press Assign (issue 15 item 6).
    assert page.get_by_test_id("stage").inner_text() == "Triage"
    # The officer's actions that write to the applicant: the assessment, the relief duty with its letter
    # (s.189B(2)), a request for a document. (Each form on the workspace is its own action.)
    assessment = page.locator("form[action$='/act/assessment/']")
    assessment.get_by_label("Yes", exact=True).check()
    assessment.get_by_label("Initial assessment outcome").select_option("homeless")
    assessment.get_by_label("Priority need").select_option("domestic_abuse")
    assessment.get_by_role("button", name="Record assessment").click()
    page.get_by_text("Assessment recorded").wait_for()
    relief = page.locator("form[action$='/accept_relief/']")
    relief.locator("textarea[name=reasons]").fill("You had to leave your home because of abuse.")
    relief.get_by_role("button", name="Accept relief duty and send the letter").click()
    page.get_by_text("Relief duty accepted").wait_for()
    request_form = page.locator("form[action$='/act/docreq/']")
    request_form.locator("input[name=description]").fill("A letter from your support worker")
    request_form.locator("input[name=due_on]").fill("2027-01-15")
    request_form.get_by_role("button", name="Request document").click()
    page.get_by_text("Document requested.").wait_for()
    assert DecisionLetter.objects.filter(case=case, kind="relief_accepted").exists()

    # Once the worker has nothing left to send, no step has emailed the applicant: each message to them
    # was held for the officer to pass on by phone, and the mail folder holds nothing for their address.
    wait_until(
        lambda: not Notification.objects.filter(status="pending").exists(), timeout=60, message="delivery"
    )
    assert _mail_to(mail_dir, applicant_email, before) == []
    held = CaseMessage.objects.filter(case=case)
    assert {m.template.rsplit("/", 1)[-1] for m in held} >= {
        "received",
        "letter",
        "stage",
        "document_request",
    }
    assert all(m.held_reason for m in held)
    assert {m.notification.status for m in held} == {"held"}
    # She gave no email address (a phone call was her safe way), and the one typed to save was refused.
    assert case.contact_email == ""
    assert not Notification.objects.filter(to=applicant_email).exists()
    # The team was alerted, with nothing about the case; the manager outside the team was told nothing.
    alerts = Notification.objects.filter(template="homelessness/email/restricted_alert")
    assert [(a.to, a.status) for a in alerts] == [("team.officer@example.org", "sent")]
    assert "Dana" not in alerts[0].body
    assert case.reference not in alerts[0].body
    assert not Notification.objects.filter(to="manager@example.org").exists()
    assert not _mail_to(mail_dir, "manager@example.org", before)


def test_contact_household_and_equality_pages_ask_one_thing_each_and_pass_axe_at_1280_and_320(page):
    """Issue 15 item 9 in a browser, applying for someone else: the contact questions a page each (phone
    call chosen: no email page, a number needed, "nothing in writing" asked), the household loop (a question
    a page, Change, Remove with confirmation) and the equality questions (optional, skipped with one
    button)."""
    page.goto("/housing-help/apply/who/")
    page.get_by_label(re.compile("^Someone else")).check()
    _continue(page)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/housing-help/apply/contact-method/")
        assert page.locator("h1").inner_text() == "How is it safe for us to contact them?"
        _radio(page, "How is it safe for us to contact them?", "Phone call")
        _continue(page)
        page.goto("/housing-help/apply/contact-phone/")
        assert page.locator("h1").inner_text() == "What number should we call them on?"
        page.get_by_label("What number should we call them on?").fill("")  # (kept from the 1280 px round)
        page.get_by_role("button", name="Continue", exact=True).click()
        page.wait_for_load_state()
        # The safe way chosen decides what is needed: a phone call needs a number.
        assert "Enter the phone number we should call" in page.locator(".govuk-error-summary").inner_text()
        assert_accessible(page)
        page.get_by_label("What number should we call them on?").fill("07700 900 982")
        _continue(page)
        page.goto("/housing-help/apply/no-messages/")
        _radio(
            page, "Is it safe for us to send them a letter or message if we need to?", "No, only phone them"
        )
        _continue(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        for slug in ("equality", "sexual-orientation", "religion", "disability"):
            page.goto(f"/housing-help/apply/{slug}/")
            assert "(optional)" in page.locator("h1").inner_text()
            assert "does not change the help they get" in page.content()
            assert_accessible(page)
        page.get_by_role("button", name="Skip these questions").click()
        page.wait_for_load_state()
        assert "/disability/" not in page.url

        page.goto("/housing-help/apply/household/")
        _radio(page, "Does anyone else live with them, or need to live with them?", "Yes")
        _continue(page)
        page.get_by_label("What is their full name?").fill("Kim Rivers")
        _continue(page)
        page.get_by_label("Day").fill("2")
        page.get_by_label("Month").fill("5")
        page.get_by_label("Year").fill("2016")
        _continue(page)
        _radio(page, "What is their sex?", "Female")
        _continue(page)
        _radio(page, "What is their relationship to the person you are applying for?", "Son or daughter")
        _continue(page)
        _radio(page, "Are they pregnant?", "No")
        _continue(page)
        page.wait_for_url("**/apply/household/")
        assert_accessible(page)
        row = page.locator(".govuk-summary-list__row", has_text="Kim Rivers")
        row.get_by_role("link", name="Change Kim Rivers").click()
        assert page.get_by_label("What is their full name?").input_value() == "Kim Rivers"
        assert_accessible(page)
        page.goto("/housing-help/apply/household/")
        page.locator(".govuk-summary-list__row", has_text="Kim Rivers").get_by_role(
            "link", name="Remove Kim Rivers"
        ).click()
        expect(page.locator("h1")).to_contain_text("Are you sure you want to remove Kim Rivers?")
        assert_accessible(page)
        page.get_by_label("Yes", exact=True).check()
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/apply/household/")
        assert "Kim Rivers has been removed" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.console_errors == []
