"""Housing help in Chromium: a resident's intake on a phone with save and resume, an officer's triage, and the
applicant seeing the new stage. Every public page is checked with axe-core."""

import re

import pytest

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
    p.wait_for_url("**/housing-help/apply/contact/")
    p.get_by_label("Email address").fill("sam.rivers@example.org")
    p.get_by_role("radio", name="Email").check()
    _continue(p)
    p.get_by_label("Full name").fill("Sam Rivers")
    p.get_by_label("Day").fill("3")
    p.get_by_label("Month").fill("4")
    p.get_by_label("Year").fill("1992")
    _radio(p, "Sex", "Female")
    _continue(p)
    _radio(p, "Do you need an interpreter?", "No")
    _continue(p)
    p.get_by_label("No", exact=True).check()
    _continue(p)
    p.get_by_label("Private rented sector").check()
    _continue(p)
    p.get_by_label("Section 21 notice (assured shorthold tenancy)").check()
    _continue(p)
    p.get_by_label("Why did you lose").select_option("private_ast_end")
    _continue(p)
    _radio(p, "What is your nationality?", "British or Irish")
    _radio(p, "Do you have recourse to public funds?", "Yes")
    _continue(p)
    _radio(p, "How long have you lived in the borough?", "3 of the last 5 years or more")
    _radio(p, "Do you work in the borough?", "No")
    _radio(p, "Do you have close family who have lived in the borough for 5 years or more?", "No")
    _continue(p)
    p.get_by_label("Budgeting difficulties").check()
    _continue(p)
    p.get_by_label("Wages").check()
    _radio(p, "Are you working?", "Yes, part time")
    _continue(p)
    p.get_by_label("What is your ethnic group?").select_option("prefer_not")
    _radio(p, "Which of these best describes your sexual orientation?", "Prefer not to say")
    p.get_by_label("What is your religion?").select_option("prefer_not")
    _radio(p, "Do you consider yourself to have a disability?", "Prefer not to say")
    _continue(p)
    p.get_by_label(re.compile("I have read the privacy notice")).check()
    _continue(p)
    assert "Check your answers" in p.content()
    assert "Sam Rivers" in p.content()
    assert_accessible(p)
    p.get_by_role("button", name="Accept and send").click()
    p.wait_for_url("**/apply/sent/**")
    assert_accessible(p)
    case = Case.objects.get()
    assert case.reference in p.content()
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
    assert "Case assigned" in page.content()
    page.get_by_label("Yes", exact=True).first.check()
    page.get_by_label("Initial assessment outcome").select_option("threatened_notice")
    page.get_by_role("button", name="Record assessment").click()
    assert "Assessment recorded" in page.content()
    page.get_by_label("Move to").select_option("prevention")
    page.get_by_role("button", name="Move", exact=True).click()
    assert "Case moved" in page.content()
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
    assert page.title().startswith("Error:")
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
