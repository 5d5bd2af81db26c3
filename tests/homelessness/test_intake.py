"""The intake as a resident goes through it in a browser without JavaScript (Django's test client)."""

import re

import pytest

from homelessness.demo import FORM_PAGES as PAGES
from homelessness.demo import FORM_REFERRAL
from homelessness.intake import STEPS, form_class, next_step
from homelessness.models import Case, HouseholdMember, IntakeDraft

pytestmark = pytest.mark.django_db


def _go(client, pages=PAGES):
    response = client.get("/housing-help/apply/")
    while (
        response.status_code == 302 and "/apply/" in response.url and "check-your-answers" not in response.url
    ):
        slug = response.url.rstrip("/").rsplit("/", 1)[-1]
        if slug == "emergency":
            response = client.get(response.url)
            assert response.status_code == 200
            nxt = re.search(
                r'href="(/housing-help/apply/[^"]+)"[^>]*class="govuk-button"', response.content.decode()
            )
            response = client.get(nxt.group(1))
            assert response.status_code == 302 or response.status_code == 200
            if response.status_code == 200:
                slug = nxt.group(1).rstrip("/").rsplit("/", 1)[-1]
                response = client.post(nxt.group(1), pages[slug])
            continue
        page = client.get(response.url)
        assert page.status_code == 200
        assert 'data-module="govuk-exit-this-page"' in page.content.decode()
        response = client.post(response.url, pages[slug])
        assert response.status_code == 302, (slug, response.content.decode()[:3000])
    return response


def test_the_whole_intake_then_check_answers_then_a_reference_and_an_email(client, mailbox, on_commit):
    response = _go(client)
    assert response.url.endswith("/apply/check-your-answers/")
    check = client.get(response.url).content.decode()
    assert "Sam Rivers" in check
    assert "Mental health problems, now or in the past" in check
    assert "Change" in check
    with on_commit(execute=True):
        sent = client.post(response.url)
    case = Case.objects.get()
    assert sent.url == f"/housing-help/apply/sent/{case.reference}/"
    done = client.get(sent.url).content.decode()
    assert case.reference in done
    assert case.stage == "received"
    assert not case.urgent
    assert case.support_needs == ["budgeting", "mental_health"]
    assert case.notice_type == "section_21"
    assert [m.relationship for m in HouseholdMember.objects.filter(case=case)] == ["applicant"]
    (email,) = [m for m in mailbox if case.reference in m.subject]
    assert email.to == ["sam@example.org"]
    assert "/housing-help/status/" in email.body
    # Sending twice (a double click or a refresh) makes no second case.
    client.post(response.url)
    assert Case.objects.count() == 1


def test_every_page_shows_the_govuk_error_pattern_on_empty_answers(client):
    for step in STEPS:
        if not any(f.required for f in form_class(step)().fields.values()):
            continue  # optional questions only (access needs, equality): an empty page is an answer
        response = client.post(f"/housing-help/apply/{step.slug}/", {})
        body = response.content.decode()
        assert response.status_code == 200, step.slug
        assert "govuk-error-summary" in body, step.slug
        assert "<title>Error:" in body, step.slug
        assert "govuk-error-message" in body, step.slug


def test_no_safe_place_tonight_shows_the_out_of_hours_number_at_once_and_marks_the_case_urgent(
    client, settings
):
    client.post("/housing-help/apply/who/", {"who": "self"})
    response = client.post("/housing-help/apply/safe-tonight/", {"safe_tonight": "no"})
    assert response.url == "/housing-help/apply/emergency/"
    page = client.get(response.url).content.decode()
    assert settings.COUNCIL["out_of_hours_phone"] in page
    # And on every page after it.
    assert (
        settings.COUNCIL["out_of_hours_phone"]
        in client.get("/housing-help/apply/rough-sleeping/").content.decode()
    )
    pages = {**PAGES, "safe-tonight": {"safe_tonight": "no"}, "rough-sleeping": {"rough_sleeping": "yes"}}
    response = _go(client, pages)
    client.post(response.url)
    case = Case.objects.get()
    assert case.urgent
    assert set(case.flags) >= {"unsafe_tonight", "rough_sleeping"}


def test_domestic_abuse_restricts_the_case_to_the_restricted_cases_team(client, manager, team_officer):
    response = _go(client, {**PAGES, "risk": {"risk": "domestic_abuse"}})
    client.post(response.url)
    case = Case.objects.get()
    assert case.urgent
    assert case.restriction == "domestic_abuse"
    assert case.restricted_team
    assert case.address_suppressed
    assert case.assigned_to == team_officer
    assert list(case.named_officers.all()) == [team_officer]


def test_household_members_are_added_and_removed(client):
    for slug in (
        "who",
        "safe-tonight",
        "risk",
        "contact-method",
        "contact-email",
        "contact-phone",
        "contact-times",
        "full-name",
        "date-of-birth",
        "sex",
        "ni-number",
        "language",
        "interpreter",
        "access-needs",
    ):
        client.post(f"/housing-help/apply/{slug}/", PAGES[slug])
    response = client.post("/housing-help/apply/household/", {"add_person": "yes"})
    assert response.url == "/housing-help/apply/household/add/"
    assert client.get(response.url).url == "/housing-help/apply/household/0/name/"
    bad = client.post("/housing-help/apply/household/0/name/", {"name": ""})
    assert "Enter their full name" in bad.content.decode()
    for index, (name, sex) in enumerate([("Kim Rivers", "female"), ("Lee Rivers", "male")]):
        # A question a page about each person; a man is not asked whether he is pregnant.
        pages = [
            ("name", {"name": name}),
            ("date-of-birth", {"date_of_birth_0": "1", "date_of_birth_1": "1", "date_of_birth_2": "2015"}),
            ("sex", {"sex": sex}),
            ("relationship", {"relationship": "child"}),
            *([("pregnant", {"pregnant": "False"})] if sex == "female" else []),
        ]
        for number, (page, data) in enumerate(pages):
            url = f"/housing-help/apply/household/{index}/{page}/"
            heading = re.search(r"<h1[^>]*>(.*?)</h1>", client.get(url).content.decode(), re.S).group(1)
            assert "their" in heading or "they" in heading, page
            response = client.post(url, data)
            following = pages[number + 1][0] if number + 1 < len(pages) else None
            want = (
                f"/housing-help/apply/household/{index}/{following}/"
                if following
                else "/housing-help/apply/household/"
            )
            assert response.url == want, (name, page)
            # Half added, they are not in the household yet.
            people = IntakeDraft.objects.get().answers.get("people", [])
            assert len(people) == index + (following is None)
    page = client.get("/housing-help/apply/household/").content.decode()
    assert "Kim Rivers" in page
    assert "Son or daughter" in page
    # Each person has a Change link: it asks their questions again, filled in, and changes them in place.
    assert 'href="/housing-help/apply/household/1/name/"' in page
    change = client.get("/housing-help/apply/household/1/name/").content.decode()
    assert 'value="Lee Rivers"' in change
    client.post("/housing-help/apply/household/1/name/", {"name": "Lee Rivers-Okoro"})
    client.post("/housing-help/apply/household/0/pregnant/", {"pregnant": "True"})
    people = IntakeDraft.objects.get().answers["people"]
    assert [p["name"] for p in people] == ["Kim Rivers", "Lee Rivers-Okoro"]
    assert people[0]["pregnant"] is True
    # Changed to male, the pregnancy answer goes with the question.
    client.post("/housing-help/apply/household/0/sex/", {"sex": "male"})
    assert "pregnant" not in IntakeDraft.objects.get().answers["people"][0]
    client.post("/housing-help/apply/household/0/sex/", {"sex": "female"})
    client.post("/housing-help/apply/household/0/pregnant/", {"pregnant": "False"})
    # Someone not in the list (nor the next to add) cannot be reached.
    assert client.get("/housing-help/apply/household/7/name/").url == "/housing-help/apply/household/"
    page = client.get("/housing-help/apply/household/").content.decode()
    assert "Kim Rivers" in page
    assert "Lee Rivers-Okoro" in page
    # GOV.UK "add to a list": removing someone is confirmed first.
    assert 'href="/housing-help/apply/household/remove/0/"' in page
    confirm = client.get("/housing-help/apply/household/remove/0/").content.decode()
    assert "Are you sure you want to remove Kim Rivers?" in confirm
    unanswered = client.post("/housing-help/apply/household/remove/0/")
    assert unanswered.status_code == 400
    assert "Select yes if you want to remove Kim Rivers" in unanswered.content.decode()
    client.post("/housing-help/apply/household/remove/0/", {"confirm": "no"})
    assert len(IntakeDraft.objects.get().answers["people"]) == 2
    client.post("/housing-help/apply/household/remove/0/", {"confirm": "yes"})
    draft = IntakeDraft.objects.get()
    assert [p["name"] for p in draft.answers["people"]] == ["Lee Rivers-Okoro"]
    assert next_step(draft.answers) == "household"
    client.post("/housing-help/apply/household/", {"add_person": "no"})
    assert next_step(IntakeDraft.objects.get().answers) == "accommodation"


def test_save_and_resume_by_emailed_link_on_another_device(client, mailbox, on_commit):
    from django.test import Client

    client.post("/housing-help/apply/who/", PAGES["who"])
    client.post("/housing-help/apply/safe-tonight/", PAGES["safe-tonight"])
    response = client.post("/housing-help/apply/risk/", {**PAGES["risk"], "save": "1"})
    assert response.url == "/housing-help/apply/saved/"
    with on_commit(execute=True):
        client.post(response.url, {"email": "sam@example.org"})
    (email,) = [m for m in mailbox if "Carry on" in m.subject]
    link = re.search(r"http\S+/housing-help/apply/resume/\S+/", email.body).group(0)
    other = Client()
    path = link.split("127.0.0.1:8000")[-1].split("testserver")[-1]
    # The link shows a button first (mail scanners open links); pressing it carries on.
    assert other.get(path).status_code == 200
    response = other.post(path)
    assert response.url == "/housing-help/apply/"
    assert other.get("/housing-help/apply/").url == "/housing-help/apply/contact-method/"
    assert Client().get("/housing-help/apply/resume/not-a-token/").status_code == 404


def test_a_signed_in_resident_resumes_on_any_device(client, resident):
    from django.test import Client

    client.force_login(resident)
    client.post("/housing-help/apply/who/", PAGES["who"])
    response = client.post("/housing-help/apply/safe-tonight/", {**PAGES["safe-tonight"], "save": "1"})
    assert "Sign in at any time" in client.get(response.url).content.decode()
    phone = Client()
    phone.force_login(resident)
    assert phone.get("/housing-help/apply/").url == "/housing-help/apply/risk/"


def test_changing_an_answer_from_check_your_answers_returns_there(client):
    response = _go(client)
    client.post("/housing-help/apply/language/?change=1", {"language": "Turkish", "interpreter": "yes"})
    check = client.get(response.url).content.decode()
    assert "Turkish" in check


def test_duty_to_refer_needs_both_consents_and_acknowledges_the_referrer(client, mailbox, on_commit):
    data = {k: v for k, v in FORM_REFERRAL.items() if k != "consent_to_share_contact"}
    response = client.post("/housing-help/refer/", data)
    assert response.status_code == 200
    assert "agrees to us having their contact details" in response.content.decode()
    assert not Case.objects.exists()
    with on_commit(execute=True):
        response = client.post(
            "/housing-help/refer/", {**data, "consent_to_share_contact": "on", "consent_to_outcome": "on"}
        )
    assert response.url == "/housing-help/refer/sent/"
    case = Case.objects.get()
    assert case.route == "duty_to_refer"
    assert case.referral.consent_to_outcome
    assert [m.to for m in mailbox if case.reference in m.subject] == [["pat@example.gov.uk"]]


def test_referrer_is_told_the_outcome_only_with_consent(client, mailbox, officer, on_commit):
    from homelessness import services
    from homelessness.rules import CloseReason, Stage

    base = {
        "body": "hospital",
        "organisation": "Homerton",
        "referrer_name": "Dr A",
        "referrer_email": "a@example.nhs.uk",
        "name": "P",
        "phone": "07700900123",
        "situation": "Discharge soon.",
        "consent_to_referral": "on",
        "consent_to_share_contact": "on",
    }
    for consent in (True, False):
        client.post("/housing-help/refer/", {**base, **({"consent_to_outcome": "on"} if consent else {})})
    for case in Case.objects.all():
        with on_commit(execute=True):
            services.case_assign(case=case, officer=officer, actor=officer)
            services.case_move(
                case=case, actor=officer, to_stage=Stage.CLOSED, end_reason=CloseReason.ADVICE_ONLY
            )
    outcomes = [m for m in mailbox if m.subject.startswith("Outcome of your referral")]
    assert len(outcomes) == 1
    assert Case.objects.get(referral__consent_to_outcome=True).reference in outcomes[0].subject


def test_a_17_year_old_days_before_their_18th_birthday_is_flagged_16_17():
    """Ages go by birthdays: days // 365 made a 17-year-old 18 up to five days early (leap days)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    from homelessness import intake

    answers = {"about": {"full_name": "Sam Doe", "date_of_birth": "2008-07-10"}}
    on = dt.datetime(2026, 7, 6, 10, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(on, tick=False):
        assert "aged_16_17" in intake.case_fields_from_answers(answers)["flags"]
    with time_machine.travel(on + dt.timedelta(days=4), tick=False):  # her 18th birthday
        assert "aged_16_17" not in intake.case_fields_from_answers(answers)["flags"]
