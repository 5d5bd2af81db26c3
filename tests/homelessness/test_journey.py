"""The intake for the people most at risk: answers kept, urgent cases reaching someone, true words."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from hackney_portal.core.exceptions import ApplicationError
from homelessness import hclic, services
from homelessness.demo import FORM_PAGES as PAGES
from homelessness.intake import STEPS
from homelessness.models import Case, IntakeDraft
from homelessness.rules import AssessmentOutcome, Stage

from .test_intake import _go

pytestmark = pytest.mark.django_db


def test_support_needs_are_checkboxes_and_every_one_ticked_reaches_hclic(client, officer):
    page = client.get("/housing-help/apply/support/").content.decode()
    assert 'type="radio"' not in page
    assert page.count('name="support_needs" type="checkbox"') >= 20
    assert 'data-behaviour="exclusive"' in page
    # In everyday words, the department's name as each box's hint, for every need on its code list.
    from homelessness.forms import EVERYDAY_SUPPORT
    from homelessness.selectors import code_choices

    assert {code for code, _ in code_choices("support_need")} == set(EVERYDAY_SUPPORT)
    assert "Needs help managing money" in page
    assert re.search(r'govuk-checkboxes__hint">Budgeting difficulties<', page)
    assert re.search(r'govuk-checkboxes__hint">Offending history<', page)

    ticked = ["mental_health", "drugs", "budgeting"]
    response = _go(client, {**PAGES, "support": {"support_needs": ticked}})
    assert IntakeDraft.objects.get().answers["support"]["support_needs"] == ticked
    # Shown again as they left it: every box still ticked.
    again = client.get("/housing-help/apply/support/").content.decode()
    assert sorted(re.findall(r'value="([a-z_]+)" checked', again)) == sorted(ticked)
    client.post(response.url)
    case = Case.objects.get()
    assert case.support_needs == ["budgeting", "drugs", "mental_health"]

    services.case_assign(case=case, officer=officer, actor=officer)
    case = services.case_record_assessment(
        case=case, actor=officer, eligible=True, outcome=AssessmentOutcome.THREATENED_BY_NOTICE
    )
    case = services.case_move(
        case=case, actor=officer, to_stage=Stage.PREVENTION, reasons="The duty is owed."
    )
    Case.objects.filter(pk=case.pk).update(
        assessed_on=dt.date(2026, 11, 2), prevention_start=dt.date(2026, 11, 2)
    )
    built = hclic.build(2026, 3)
    root = ET.fromstring(built["case_xml"].split("\n", 1)[1])  # noqa: S314 - our own output
    assert sorted(n.get("Code") for n in root.find("SupportNeeds")) == ["12", "22", "8"]


def test_none_of_these_is_an_answer_but_not_a_support_need(client):
    response = client.post("/housing-help/apply/support/", {"support_needs": ["none", "drugs"]})
    assert response.status_code == 200
    assert "Select ‘None of these’ on its own" in response.content.decode()
    response = _go(client, {**PAGES, "support": {"support_needs": ["none"]}})
    client.post(response.url)
    assert Case.objects.get().support_needs == []


# Item 6: urgent domestic-abuse cases reach the restricted cases team at once, and nobody else.


def _alerts():
    from hackney_portal.core.models import Notification

    return Notification.objects.filter(template="homelessness/email/restricted_alert")


def test_a_domestic_abuse_case_goes_to_the_least_loaded_team_officer_as_urgent(
    make_case, make_staff, settings, officer
):
    from django.test import Client

    from hackney_portal.users import roles
    from tests.conftest import staff_login

    team = settings.HOMELESSNESS_RESTRICTED_TEAM
    busy = make_staff("busy@example.org", roles.HOUSING_OFFICERS, team)
    free = make_staff("free@example.org", roles.HOUSING_OFFICERS, team)
    services.case_assign(case=make_case(name="Already Held"), officer=busy, actor=busy)

    first = make_case(risk="domestic_abuse", name="Ruth Hidden", email="ruth@example.org")
    assert first.assigned_to == free  # busy holds an open case; free holds none
    assert first.urgent
    assert first.restricted_team
    # Issue 15 item 6: assigned on arrival, so picked up: triage has started without anyone pressing Assign
    # (s.184 inquiries begin), and it is not in anyone's "new and unassigned" queue.
    assert first.stage == Stage.TRIAGE
    assert first.triage_started_on == timezone.localdate()
    assert first.named_officers.get() == free
    second = make_case(risk="domestic_abuse", name="Second Hidden", email="second@example.org")
    # One open case each now: the one given a case longest ago gets it.
    assert second.assigned_to == busy

    client = Client()
    staff_login(client, free)
    for queue in ("urgent", "team", "mine"):
        page = client.get(f"/admin/homelessness/case/?queue={queue}")
        assert page.status_code == 200
        assert first.reference in page.content.decode(), queue
    assert "Restricted cases team" in client.get("/admin/homelessness/case/").content.decode()
    workspace = client.get(f"/admin/homelessness/case/{first.pk}/change/").content.decode()
    assert "Ruth Hidden" in workspace
    assert "Restricted: restricted cases team" in workspace

    # The team is alerted, and the alert says nothing about the case.
    alerts = _alerts().filter(key__startswith=f"homelessness.restricted_alert:{first.pk}:")
    assert {a.to for a in alerts} == {"busy@example.org", "free@example.org"}
    for alert in alerts:
        text = alert.subject + alert.body
        for secret in ("Ruth", "Hidden", first.reference, "ruth@example.org", "abuse", "Mare Street"):
            assert secret not in text
        assert "?queue=team" in alert.body
    assert "assigned to you" in alerts.get(to="free@example.org").body
    assert "assigned to you" not in alerts.get(to="busy@example.org").body
    assert not _alerts().filter(to=officer.email).exists()

    # Handing it to someone outside the team is refused (they would then see it).
    with pytest.raises(ApplicationError, match="restricted cases team"):
        services.case_assign(case=first, officer=officer, actor=free)


def test_the_team_queue_alerts_while_an_urgent_case_waits_and_nobody_else_is_told(
    make_case, make_staff, team_officer, officer, manager, settings
):
    from hackney_portal.users import roles
    from tests.conftest import staff_login

    case = make_case(risk="domestic_abuse", name="Alert Hidden", email="alert@example.org")
    other = make_staff(
        "other.team@example.org", roles.HOUSING_OFFICERS, settings.HOMELESSNESS_RESTRICTED_TEAM
    )
    alert = "The restricted cases team has 1 urgent case not yet assessed"
    client = Client()
    staff_login(client, team_officer)
    page = client.get("/admin/homelessness/case/").content.decode()
    assert f"{alert} (1 assigned to you)" in page
    staff_login(client, other)
    assert f"{alert} (none assigned to you)" in client.get("/admin/homelessness/case/").content.decode()
    for outsider in (officer, manager):
        staff_login(client, outsider)
        response = client.get("/admin/homelessness/case/")
        assert response.status_code == 200
        assert "restricted cases team has" not in response.content.decode()
    # Once it is assessed, the alert has done its work.
    services.case_record_assessment(
        case=case, actor=team_officer, eligible=True, outcome=AssessmentOutcome.HOMELESS
    )
    staff_login(client, team_officer)
    assert "restricted cases team has" not in client.get("/admin/homelessness/case/").content.decode()


def test_an_ordinary_officer_or_manager_cannot_see_it_anywhere(make_case, team_officer, officer, manager):
    from django.test import Client

    from hackney_portal.core.models import Notification
    from homelessness import selectors
    from tests.conftest import staff_login

    open_case = make_case(name="Open Person", email="open@example.org")
    hidden = make_case(risk="domestic_abuse", name="Zara Hidden", email="zara@example.org")
    assert hidden.assigned_to == team_officer
    for user in (officer, manager):
        assert hidden not in selectors.cases_visible_to(user)
        assert hidden in selectors.restricted_cases_hidden_from(user)
        client = Client()
        staff_login(client, user)
        for query in ("", "?queue=urgent", "?queue=new", "?queue=team", "?q=Zara", f"?q={hidden.reference}"):
            page = client.get(f"/admin/homelessness/case/{query}")
            assert page.status_code == 200
            rows = {c.pk for c in page.context_data["cl"].result_list}
            assert hidden.pk not in rows, (user, query)
            assert "Zara Hidden" not in page.content.decode()
        # The urgent queue counts only what they may see.
        urgent = client.get("/admin/homelessness/case/?queue=urgent").context_data["cl"]
        assert urgent.result_count == 0
        assert "Restricted cases team" not in client.get("/admin/homelessness/case/").content.decode()
        assert client.get(f"/admin/homelessness/case/{hidden.pk}/change/").status_code == 404
        assert (
            client.post(f"/admin/homelessness/case/{hidden.pk}/act/note/", {"text": "x"}).status_code == 404
        )
        # Nor that the team was alerted about it.
        alerts = Notification.objects.filter(template="homelessness/email/restricted_alert")
        assert alerts.exists()
        assert not selectors.notifications_scope(user, alerts).exists()
    assert open_case in selectors.cases_visible_to(officer)


def test_with_nobody_in_the_team_it_waits_in_the_team_queue(make_case, make_staff, manager, settings):
    from hackney_portal.users import roles
    from homelessness import selectors

    settings.HOMELESSNESS_RESTRICTED_TEAM_EMAIL = "restricted.team@example.org"
    case = make_case(risk="domestic_abuse", name="Nobody Yet")
    assert case.assigned_to is None
    assert case.stage == Stage.RECEIVED  # waiting for a team officer: nobody has picked it up
    assert case.restricted_team
    assert case not in selectors.cases_visible_to(manager)
    (alert,) = _alerts()
    assert alert.to == "restricted.team@example.org"
    assert "Nobody in the team could be given it" in alert.body
    assert "Nobody Yet" not in alert.body
    # Whoever joins the team sees the team's waiting cases.
    joiner = make_staff("joiner@example.org", roles.HOUSING_OFFICERS, settings.HOMELESSNESS_RESTRICTED_TEAM)
    assert case in selectors.queue(selectors.cases_visible_to(joiner), "team", user=joiner)
    assert case in selectors.queue(selectors.cases_visible_to(joiner), "urgent", user=joiner)
    services.case_assign(case=case, officer=joiner, actor=joiner)
    case.refresh_from_db()
    assert case.stage == Stage.TRIAGE
    # A team member who is not a housing officer (the group alone) sees nothing.
    outsider = make_staff("groupie@example.org", settings.HOMELESSNESS_RESTRICTED_TEAM)
    assert not selectors.cases_visible_to(outsider).exists()


# Item 7: the 24-hour number at once; "urgent" only once it is true. Phone numbers are tel: links.


def _phone_numbers_are_links(html: str, settings) -> None:
    for number in (settings.COUNCIL["out_of_hours_phone"], settings.COUNCIL["contact_phone"]):
        shown = html.count(number)
        linked = len(
            re.findall(rf'<a class="govuk-link[^"]*" href="tel:\+44\d+">{re.escape(number)}</a>', html)
        )
        assert shown == linked, (number, shown, linked)


def test_the_emergency_page_gives_the_number_at_once_and_claims_nothing_not_yet_done(client, settings):
    client.post("/housing-help/apply/who/", {"who": "self"})
    response = client.post("/housing-help/apply/safe-tonight/", {"safe_tonight": "no"})
    assert response.url == "/housing-help/apply/emergency/"
    page = client.get(response.url).content.decode()
    number = settings.COUNCIL["out_of_hours_phone"]
    assert f'href="tel:+44{number.replace(" ", "")[1:]}"' in page
    assert 'href="tel:999"' in page
    assert "marked your application as urgent" not in page
    assert "has not been sent yet" in page
    assert not Case.objects.exists()
    _phone_numbers_are_links(page, settings)


def test_urgent_is_said_once_the_application_is_sent_and_urgent(client, settings, on_commit):
    pages = {**PAGES, "safe-tonight": {"safe_tonight": "no"}, "rough-sleeping": {"rough_sleeping": "yes"}}
    response = _go(client, pages)
    check = client.get(response.url).content.decode()
    assert "marked your application as urgent" not in check
    _phone_numbers_are_links(check, settings)
    with on_commit(execute=True):
        sent = client.post(response.url)
    case = Case.objects.get()
    assert case.urgent
    done = client.get(sent.url).content.decode()
    assert "We have marked your application as urgent" in done
    assert "We have sent a confirmation email to sam@example.org" in done
    _phone_numbers_are_links(done, settings)
    _phone_numbers_are_links(client.get(f"/housing-help/cases/{case.reference}/").content.decode(), settings)
    _phone_numbers_are_links(client.get("/housing-help/").content.decode(), settings)


def test_an_ordinary_application_is_not_called_urgent(client):
    response = _go(client)
    sent = client.post(response.url)
    done = client.get(sent.url).content.decode()
    assert "urgent" not in done.lower()


def test_a_phone_only_applicant_is_not_told_an_email_was_sent(client):
    pages = {
        **PAGES,
        "contact-method": {"safe_method": "phone"},
        "contact-phone": {"phone": "07700900982"},
        "no-messages": {"no_messages": "True"},
    }
    response = _go(client, pages)
    sent = client.post(response.url)
    done = client.get(sent.url).content.decode()
    assert "confirmation email" not in done
    assert "sam@example.org" not in done


def test_tel_links_use_the_international_form():
    from hackney_portal.frontend.templatetags.govuk import tel, tel_uri

    assert tel_uri("020 8356 2300") == "tel:+442083562300"
    assert tel_uri("+44 (0)20 8356 2300") == "tel:+442083562300"
    assert tel_uri("999") == "tel:999"
    assert tel_uri("0044 20 1") == "tel:+44201"
    assert tel('<b>0</b>"') == '<a class="govuk-link" href="tel:+44">&lt;b&gt;0&lt;/b&gt;&quot;</a>'
    assert tel("") == ""


# Item 10: save a half-answered page; a real privacy notice; the NI number example.


def test_save_and_come_back_later_keeps_what_is_valid_on_a_half_answered_page(client):
    client.post("/housing-help/apply/who/", PAGES["who"])
    client.post("/housing-help/apply/accommodation/", PAGES["accommodation"])
    half = {
        "current_address": "Flat 3, 5 Amhurst Road, London",
        "current_postcode": "not a postcode",  # wrong: not kept
        "save": "1",
    }
    response = client.post("/housing-help/apply/current-address/", half)
    assert response.status_code == 302
    assert response.url == "/housing-help/apply/saved/"
    answers = IntakeDraft.objects.get().answers
    assert "current_address" not in answers["accommodation"]  # not finished: it will be asked again
    assert answers["partial"] == {"current-address": {"current_address": "Flat 3, 5 Amhurst Road, London"}}
    saved = client.get(response.url).content.decode()
    assert "govuk-error-summary" not in saved
    # Coming back, the page is asked again with what they had typed (its group has other answers already).
    assert client.get("/housing-help/apply/").url == "/housing-help/apply/safe-tonight/"
    page = client.get("/housing-help/apply/current-address/").content.decode()
    assert "Flat 3, 5 Amhurst Road, London" in page
    assert "govuk-error-summary" not in page
    # Finishing the page replaces the half answers.
    client.post("/housing-help/apply/current-address/", PAGES["current-address"])
    answers = IntakeDraft.objects.get().answers
    assert answers["accommodation"]["current_postcode"] == "E8 1EA"
    assert "partial" not in answers
    # A finished date is shown again as three boxes when the page is changed.
    client.post("/housing-help/apply/date-of-birth/", PAGES["date-of-birth"])
    page = client.get("/housing-help/apply/date-of-birth/?change=1").content.decode()
    assert 'name="date_of_birth_2" type="text" inputmode="numeric" value="1992"' in page


def test_continue_on_a_half_answered_page_still_shows_the_errors(client):
    response = client.post(
        "/housing-help/apply/current-address/", {"current_address": "1 Mare Street", "current_postcode": "E8"}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not IntakeDraft.objects.exists()


def test_nothing_half_saved_reaches_the_case(client):
    client.post("/housing-help/apply/language/", {"language": "Polish", "save": "1"})
    response = _go(client)
    client.post(response.url)
    case = Case.objects.get()
    assert "partial" not in case.details


def test_the_privacy_notice_covers_each_service_from_settings(client, settings):
    settings.PRIVACY = {
        **settings.PRIVACY,
        "dpo_email": "dpo@othercouncil.example",
        "ico_registration": "Z1234567",
        "payments_retention": "7 years after payment",
    }
    settings.HOMELESSNESS_RETENTION_YEARS = 9
    page = client.get("/privacy/").content.decode()
    for heading in ("What we collect", "Why we collect it", "Our lawful basis", "How long we keep it"):
        assert heading in page
    for service in ("Housing help", "Paying rent", "Finding work", "Your account"):
        assert service in page
    assert "Article 6(1)(c)" in page
    assert "Article 9(2)(g)" in page  # special category data
    assert "Article 10" in page  # offences
    assert "9 years after your case is closed" in page
    assert "7 years after payment" in page
    assert 'href="mailto:dpo@othercouncil.example"' in page
    assert "Z1234567" in page
    assert "data protection officer" in page.lower()
    assert "Information Commissioner" in page
    assert 'href="tel:+443031231113"' in page
    # The intake's privacy page links to it.
    assert "/privacy/#housing-help" in client.get("/housing-help/apply/privacy/").content.decode()


def test_the_ni_number_hints_example_is_accepted():
    from homelessness.forms import NiNumberForm

    hint = str(NiNumberForm.base_fields["ni_number"].help_text)
    example = re.search(r"For example, ‘?([A-Z]{2} \d\d \d\d \d\d [A-D])", hint).group(1)
    form = NiNumberForm({"ni_number": example})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["ni_number"] == example.replace(" ", "")
    assert not NiNumberForm({"ni_number": "DA 12 34 56 C"}).is_valid()


# Item 9: one thing per page, "they" for someone else, everyday words, optional equality questions.

SPLIT_PAGES = {
    "language": "What language do you prefer to speak?",
    "interpreter": "Do you need an interpreter?",
    "access-needs": "Do you need anything to help you contact us or come to appointments? (optional)",
    "nationality": "What is your nationality?",
    "immigration-status": "What is your immigration status? (optional)",
    "public-funds": "Can you get benefits and other help paid for by the government?",
    "lived-here": "How long have you lived in the borough?",
    "work-here": "Do you work in the borough?",
    "family-here": "Do you have close family who have lived in the borough for 5 years or more?",
    "previous-addresses": "Your addresses in the last 5 years (optional)",
    "income": "What income do you have?",
    "employment": "Are you working?",
    "full-name": "What is your full name?",
    "date-of-birth": "What is your date of birth?",
    "sex": "What is your sex?",
    "ni-number": "What is your National Insurance number? (optional)",
    "accommodation": "Where are you living now?",
    "landlord": "Who is your landlord or housing provider? (optional)",
    "notice": "Have you been told to leave?",
    "notice-served": "When were you given the notice? (optional)",
    "leave-by": "What date have you been told to leave by? (optional)",
    "last-settled": "What was the address of your last settled home? (optional)",
    "reason-loss": "Why did you lose (or why are you losing) your last settled home?",
    "contact-method": "How is it safe for us to contact you?",
    "contact-phone": "What number should we call?",
    "contact-times": "When is it safe for us to contact you? (optional)",
    "equality": "What is your ethnic group? (optional)",
    "sexual-orientation": "Which of these best describes your sexual orientation? (optional)",
    "religion": "What is your religion? (optional)",
    "disability": "Do you consider yourself to have a disability? (optional)",
}


@pytest.mark.parametrize(("slug", "question"), SPLIT_PAGES.items())
def test_each_split_page_asks_one_question_as_its_heading(client, slug, question):
    from homelessness.intake import STEP_BY_SLUG, form_class

    assert len(form_class(STEP_BY_SLUG[slug])().fields) == 1
    page = client.get(f"/housing-help/apply/{slug}/").content.decode()
    assert page.count("<h1") == 1
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert question in heading.replace("&#x27;", "'")
    names = set(re.findall(r'<(?:input|select|textarea)[^>]* name="([a-z_]+)', page)) - {
        "csrfmiddlewaretoken"
    }
    assert len(names) == 1, names


def test_split_pages_keep_the_answers_in_one_place_for_the_case(client):
    response = _go(client)
    client.post(response.url)
    details = Case.objects.get().details
    assert details["eligibility"] == {
        "nationality": "british_irish",
        "immigration_status": "",
        "public_funds": "yes",
    }
    assert details["local-connection"]["lived_here"] == "3_of_5"
    assert details["local-connection"]["family_here"] == "no"
    assert details["language"] == {"language": "English", "interpreter": "no", "access_needs": ""}
    assert details["income"] == {"income": ["wages"], "employment": "part_time"}


def test_questions_say_they_when_applying_for_someone_else(client):
    client.post("/housing-help/apply/who/", {"who": "behalf"})
    for slug, words in (
        ("safe-tonight", "Do they have somewhere safe to stay tonight?"),
        ("risk", "Are they at risk of harm where they live"),
        ("interpreter", "Do they need an interpreter?"),
        ("nationality", "What is their nationality?"),
        ("accommodation", "Where are they living now?"),
        ("support", "Do they or anyone they live with need support"),
        ("employment", "Are they working?"),
    ):
        page = client.get(f"/housing-help/apply/{slug}/").content.decode()
        assert words in page, slug
    # Applying for themselves, the same pages say "you".
    client.post("/housing-help/apply/who/", {"who": "self"})
    assert "Do you need an interpreter?" in client.get("/housing-help/apply/interpreter/").content.decode()


def test_options_are_in_everyday_words_with_the_legal_name_as_a_hint(client):
    page = client.get("/housing-help/apply/accommodation/").content.decode()
    assert "Renting from a private landlord or letting agent" in page
    assert re.search(r'class="govuk-hint govuk-radios__hint">Private rented sector<', page)
    notice = client.get("/housing-help/apply/notice/").content.decode()
    assert "A notice from the landlord to leave, without giving a reason" in notice
    assert re.search(r'govuk-radios__hint">Section 21 notice \(assured shorthold tenancy\)<', notice)
    # The answer stored is still the code H-CLIC uses.
    client.post("/housing-help/apply/accommodation/", {"accommodation": "private_rented"})
    assert IntakeDraft.objects.get().answers["accommodation"]["accommodation"] == "private_rented"
    # Why the home was lost: radios in everyday words, every reason the code list has, the department's
    # name as each one's hint.
    reason = client.get("/housing-help/apply/reason-loss/").content.decode()
    assert "<select" not in reason
    assert "Leaving prison" in reason
    assert re.search(r'govuk-radios__hint">Left institution: custody<', reason)
    codes = set(re.findall(r'name="reason_loss" type="radio" value="([a-z_]+)"', reason)) or set(
        re.findall(r'type="radio" name="reason_loss" value="([a-z_]+)"', reason)
    )
    from homelessness.forms import EVERYDAY_REASON_LOSS
    from homelessness.selectors import code_choices

    assert codes == {code for code, _ in code_choices("reason_loss")} == set(EVERYDAY_REASON_LOSS)
    client.post("/housing-help/apply/reason-loss/", {"reason_loss": "left_custody"})
    assert IntakeDraft.objects.get().answers["last-settled"]["reason_loss"] == "left_custody"


def test_equality_questions_are_optional_say_why_and_can_be_skipped_at_once(client):
    for slug in ("equality", "sexual-orientation", "religion", "disability"):
        page = client.get(f"/housing-help/apply/{slug}/").content.decode()
        assert "This question is optional" in page, slug
        assert "does not change the help you get" in page, slug
        assert ">Skip these questions</button>" in page, slug
    # Leaving one unanswered is an answer.
    response = client.post("/housing-help/apply/equality/", {})
    assert response.status_code == 302
    assert IntakeDraft.objects.get().answers["equality"]["ethnicity"] == ""
    IntakeDraft.objects.all().delete()
    # One press, on any of them, skips them all, and keeps nothing already answered.
    other = Client()
    pages = {**PAGES, "religion": {"religion": "none", "skip": "1"}}
    response = _go(other, pages)
    assert IntakeDraft.objects.get().answers["equality"] == {"skipped": True}
    assert "disability" not in [s.slug for s in STEPS if s.applies_to(IntakeDraft.objects.get().answers)]
    check = other.get(response.url).content.decode()
    assert "Skipped" in check
    other.post(response.url)
    assert Case.objects.get().details["equality"] == {"skipped": True}


@pytest.mark.django_db(transaction=True)
def test_two_cases_arriving_at_once_go_to_two_team_officers(make_staff, settings):
    import threading

    from django.db import connection

    from hackney_portal.users import roles
    from homelessness.demo import _submit, demo_answers

    team = settings.HOMELESSNESS_RESTRICTED_TEAM
    first = make_staff("first@example.org", roles.HOUSING_OFFICERS, team)
    second = make_staff("second@example.org", roles.HOUSING_OFFICERS, team)
    start = threading.Barrier(2)
    errors = []

    def arrive(name):
        try:
            start.wait(timeout=10)
            _submit(demo_answers(name=name, email=f"{name.lower()}@example.org", risk="domestic_abuse"), None)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=arrive, args=(name,)) for name in ("Ann", "Bea")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assigned = sorted(Case.objects.values_list("assigned_to__email", flat=True))
    assert assigned == sorted([first.email, second.email])
