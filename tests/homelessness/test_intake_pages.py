"""Issue 15 item 9 (one question a page, with a Change link for every answer), the applicant's current address
(asked, checked, shown to officers, in the H-CLIC personal file) and item 12 (what H-CLIC will reject about
the applicant, on the case page as the officer works)."""

import re

import pytest

from homelessness import hclic, intake, services
from homelessness.demo import FORM_PAGES as PAGES
from homelessness.models import Case, IntakeDraft
from homelessness.rules import AssessmentOutcome
from tests.conftest import staff_login

from .test_intake import _go

pytestmark = pytest.mark.django_db


def test_every_intake_page_asks_one_thing():
    """One question a page; the current address is one thing made of parts (GOV.UK's address pattern)."""
    together = {"current-address"}
    for step in intake.STEPS:
        fields = intake.form_class(step).base_fields
        if step.slug not in together:
            assert len(fields) == 1, (step.slug, list(fields))


def test_check_answers_has_a_change_link_for_every_answer_to_the_page_that_asks_it(client):
    response = _go(client)
    page = client.get(response.url).content.decode()
    rows = re.findall(
        r'<dt class="govuk-summary-list__key">(.*?)</dt>.*?href="/housing-help/apply/([a-z-]+)/\?change=1"',
        page,
        re.S,
    )
    slugs = [slug for _, slug in rows]
    applicable = {s.slug for s in intake.STEPS}
    assert {"full-name", "date-of-birth", "sex", "ni-number", "current-address", "reason-loss"} <= set(slugs)
    assert "household" in slugs  # the household loop's own Change link
    assert all(slug in applicable for slug in slugs)
    # Each Change link goes to the page that asks that question, and back to the answers after.
    back = client.post("/housing-help/apply/sex/?change=1", {"sex": "female"})
    assert back.url == "/housing-help/apply/check-your-answers/"
    assert "Female" in client.get(back.url).content.decode()


def test_notice_dates_are_asked_only_of_someone_told_to_leave(client):
    def pages(notice):
        return [s.slug for s in intake.applicable_steps({"notice": {"notice_type": notice}})]

    assert "notice-served" not in pages("none")
    assert "leave-by" not in pages("none")
    assert pages("asked_to_leave").index("notice-served") == pages("asked_to_leave").index("notice") + 1
    # Over HTTP: the page after "told to leave" asks when, and "no" goes past both dates.
    client.post("/housing-help/apply/who/", PAGES["who"])
    told = client.post("/housing-help/apply/notice/?change=1", {"notice_type": "asked_to_leave"})
    assert told.status_code == 302
    assert intake.step_after("notice", IntakeDraft.objects.get().answers) == "notice-served"


def test_they_wording_on_the_split_pages_when_applying_for_someone_else(client):
    client.post("/housing-help/apply/who/", {"who": "behalf"})
    for slug, words in {
        "full-name": "What is their full name?",
        "sex": "What is their sex?",
        "current-address": "Where are they staying now?",
        "reason-loss": "Why did they lose (or why are they losing) their last settled home?",
    }.items():
        assert words in client.get(f"/housing-help/apply/{slug}/").content.decode(), slug


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ({"current_postcode": "12345"}, "Enter a full UK postcode, like E8 1EA"),
        ({"current_postcode": "E8"}, "Enter a full UK postcode, like E8 1EA"),
    ],
)
def test_the_current_address_is_checked(client, typed, error):
    response = client.post("/housing-help/apply/current-address/", typed)
    assert response.status_code == 200
    assert error in response.content.decode()


def test_the_current_address_is_not_asked_of_someone_with_no_fixed_address(client):
    client.post("/housing-help/apply/accommodation/", {"accommodation": "private_rented"})
    client.post("/housing-help/apply/current-address/", {"current_address": "1 Mare Street"})
    assert "current-address" in [s.slug for s in intake.applicable_steps(IntakeDraft.objects.get().answers)]
    # Sleeping on the street: no address is asked, and the one typed before is not kept.
    client.post("/housing-help/apply/accommodation/?change=1", {"accommodation": "rough_sleeping"})
    answers = IntakeDraft.objects.get().answers
    assert "current-address" not in [s.slug for s in intake.applicable_steps(answers)]
    assert "current_address" not in answers["accommodation"]


def test_the_current_address_is_optional_and_its_postcode_kept_in_its_normal_form(client):
    client.post("/housing-help/apply/current-address/", {"current_postcode": "  e81ea "})
    assert IntakeDraft.objects.get().answers["accommodation"]["current_postcode"] == "E8 1EA"
    assert client.post("/housing-help/apply/current-address/", {}).status_code == 302


def _assessed(case, officer):
    services.case_assign(case=case, officer=officer, actor=officer)
    return services.case_record_assessment(
        case=case,
        actor=officer,
        eligible=True,
        outcome=AssessmentOutcome.HOMELESS,
        household_type="single_female",
        reason_loss="family_friends",
        accommodation_at_application="private_rented",
    )


def test_officers_see_where_the_applicant_is_staying_and_hclic_has_it_unless_suppressed(
    make_case, officer, team_officer, client
):
    case = _assessed(make_case(name="Staying Person"), officer)
    staff_login(client, officer)
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert "Flat 3, 5 Amhurst Road, London, E8 1EA" in page
    personal = hclic.build(*_this_quarter(), pks=[case.pk])["personal_xml"]
    assert 'CurrentPostcode="E8 1EA"' in personal
    assert 'CurrentAddress="Flat 3, 5 Amhurst Road, London"' in personal

    hidden = _assessed(make_case(name="Hidden Person", risk="domestic_abuse"), team_officer)
    assert hidden.address_suppressed
    personal = hclic.build(*_this_quarter(), pks=[hidden.pk])["personal_xml"]
    assert "Amhurst" not in personal
    assert "E8 1EA" not in personal


def _this_quarter():
    from django.utils import timezone

    today = timezone.localdate()
    return (today.year if today.month >= 4 else today.year - 1), (today.month - 4) % 12 // 3 + 1


def test_the_case_page_warns_of_what_hclic_needs_about_the_applicant_as_the_officer_works(
    make_case, officer, client
):
    """Item 12: a sex, nationality or employment status the intake did not get (a half-answered referral, a
    skipped page) is shown on the case page in plain English, not only in the quarter's report."""
    case = _assessed(make_case(name="Gap Person"), officer)
    staff_login(client, officer)
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert "H-CLIC return will reject" not in page
    details = {k: v for k, v in case.details.items() if k not in ("eligibility", "income")}
    Case.objects.filter(pk=case.pk).update(details=details)
    case.members.filter(is_applicant=True).update(sex="")
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert "H-CLIC return will reject this case" in page
    for words in (
        "The applicant’s sex is not recorded",
        "The applicant’s nationality is not recorded",
        "The applicant’s employment status is not recorded",
    ):
        assert words in page.replace("&#x27;", "’").replace("&rsquo;", "’"), words
    assert "date of birth is not recorded" not in page


def _add_person(client, index, name, *, finish=True):
    client.post("/housing-help/apply/household/", {"add_person": "yes"})
    client.post(f"/housing-help/apply/household/{index}/name/", {"name": name})
    if finish:
        for page, data in (
            ("date-of-birth", {"date_of_birth_0": "2", "date_of_birth_1": "5", "date_of_birth_2": "2016"}),
            ("sex", {"sex": "female"}),
            ("relationship", {"relationship": "child"}),
            ("pregnant", {"pregnant": "False"}),
        ):
            client.post(f"/housing-help/apply/household/{index}/{page}/", data)


def test_check_answers_lists_each_person_with_a_change_link_and_a_half_added_person_is_not_sent(client):
    response = _go(client)
    _add_person(client, 0, "Kim Rivers")
    _add_person(client, 1, "Half Added", finish=False)
    # They go back and say no one else: the person they started to add is not in the household.
    client.post("/housing-help/apply/household/", {"add_person": "no"})
    assert "person-new" not in IntakeDraft.objects.get().answers
    page = client.get(response.url).content.decode()
    row = re.search(r'<dt class="govuk-summary-list__key">Kim Rivers</dt>(.*?)</div>', page, re.S).group(1)
    assert "Son or daughter, born 2 May 2016" in row
    assert 'href="/housing-help/apply/household/0/name/"' in row
    assert "Half Added" not in page
    client.post(response.url)
    case = Case.objects.get()
    assert sorted(m.name for m in case.members.all()) == ["Kim Rivers", "Sam Rivers"]
    assert "children" in case.flags
    assert "person-new" not in case.details


@pytest.mark.parametrize("method", ["phone", "text", "email"])
def test_every_question_hint_and_option_says_they_when_applying_for_someone_else(method):
    """Issue 15 item 9 over every page of the intake and of the household loop. Only words addressed to the
    person filling it in may say "you": "Your answer" (theirs, as the one typing) and "the person you are
    applying for"."""
    from homelessness import household

    to_the_filler = re.compile(r"Your answer|the person you are applying for")
    you = re.compile(r"\b(you|your|yours|yourself|me|my)\b", re.I)
    answers = {"who": {"who": "behalf"}, "contact": {"safe_method": method}}
    # (Not "Who needs help?": its answer is what makes the rest say "they".)
    forms = [intake.form_class(step) for step in intake.STEPS if step.slug != "who"]
    forms += [household.person_form_class(page) for page in household.PERSON_PAGES]
    wrong = []
    for form_class in forms:
        for name, field in form_class(behalf=True, answers=answers).fields.items():
            options = [str(label) for _, label in getattr(field, "choices", [])]
            for text in (str(field.label), str(field.help_text), *options):
                if you.search(to_the_filler.sub("", text)):
                    wrong.append(f"{form_class.__name__}.{name}: {text}")
    assert not wrong, "\n".join(wrong)


def test_a_person_page_left_open_while_the_list_changes_in_another_tab_is_refused_gently(client):
    client.post("/housing-help/apply/who/", PAGES["who"])
    _add_person(client, 0, "Kim Rivers")
    _add_person(client, 1, "Lee Rivers")
    client.post("/housing-help/apply/household/", {"add_person": "yes"})  # a third, in one tab
    client.post("/housing-help/apply/household/remove/0/", {"confirm": "yes"})  # Kim removed in another
    client.post("/housing-help/apply/household/remove/0/", {"confirm": "yes"})  # and Lee
    response = client.post("/housing-help/apply/household/2/name/", {"name": "Third Person"})
    assert response.status_code == 302
    assert response.url == "/housing-help/apply/household/"
    assert "The list of people has changed" in client.get(response.url).content.decode()
    assert IntakeDraft.objects.get().answers["people"] == []
