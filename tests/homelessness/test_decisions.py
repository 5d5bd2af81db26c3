"""The statutory decisions: accepting the prevention (s.195) and relief (s.189B) duties, intentionality
(s.191) and its effect on the duty owed (s.190, s.193), local connection referral (s.198), and late review
requests (s.202(3))."""

import datetime as dt

import pytest
from django.utils import timezone

from hackney_portal.core.exceptions import ApplicationError
from homelessness import services
from homelessness.models import Case, DecisionLetter, Review
from homelessness.rules import AssessmentOutcome as AO
from homelessness.rules import CloseReason as CR
from homelessness.rules import Stage as S
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db


def _assessed(make_case, officer, outcome, priority_need=""):
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    return services.case_record_assessment(
        case=case, actor=officer, eligible=True, outcome=outcome, priority_need=priority_need
    )


def _at_decision(make_case, officer, priority_need="children"):
    case = _assessed(make_case, officer, AO.HOMELESS, priority_need)
    case = services.case_accept_relief_duty(case=case, actor=officer, reasons="Homeless since May.")
    case.relief_start -= dt.timedelta(days=56)
    case.save()
    return services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY_DECISION)


def test_s195_2_accepting_the_prevention_duty_sends_a_letter_with_the_plan(make_case, officer):
    case = _assessed(make_case, officer, AO.THREATENED_BY_NOTICE)
    services.plan_step_add(
        case=case, actor=officer, owner="applicant", text="Send us the notice", due_on=dt.date(2027, 1, 8)
    )
    services.plan_step_add(
        case=case, actor=officer, owner="council", text="Talk to your landlord", due_on=dt.date(2027, 1, 9)
    )
    with pytest.raises(ApplicationError, match=r"s\.189A\(3\)"):
        services.case_accept_prevention_duty(case=case, actor=officer, reasons=" ")
    case = services.case_accept_prevention_duty(
        case=case, actor=officer, reasons="Your landlord served notice."
    )
    assert case.stage == S.PREVENTION
    letter = DecisionLetter.objects.get(case=case)
    assert letter.kind == DecisionLetter.Kind.PREVENTION_ACCEPTED
    assert "section 195" in letter.body
    assert "Send us the notice (by Friday 8 January 2027)" in letter.body
    assert "Talk to your landlord (by Saturday 9 January 2027)" in letter.body
    assert f"{case.duty_deadline:%-d %B %Y}" in letter.body
    assert "Your landlord served notice." in letter.body


def test_s189b_2_relief_is_accepted_only_for_a_homeless_applicant_with_a_letter(make_case, officer):
    case = _assessed(make_case, officer, AO.THREATENED)
    with pytest.raises(
        ApplicationError, match=r"relief duty \(s\.189B\) is owed to an applicant who is homeless"
    ):
        services.case_accept_relief_duty(case=case, actor=officer, reasons="x")
    assert DecisionLetter.objects.filter(case=case).count() == 0
    homeless = _assessed(make_case, officer, AO.HOMELESS)
    with pytest.raises(ApplicationError, match=r"s\.195"):
        services.case_accept_prevention_duty(case=homeless, actor=officer, reasons="x")
    relief = services.case_accept_relief_duty(case=homeless, actor=officer, reasons="Sleeping on a sofa.")
    assert relief.stage == S.RELIEF
    assert DecisionLetter.objects.get(case=relief).kind == DecisionLetter.Kind.RELIEF_ACCEPTED


def test_s195_8_c_relief_is_accepted_when_a_prevention_case_becomes_homeless(make_case, officer):
    case = _assessed(make_case, officer, AO.THREATENED)
    case = services.case_accept_prevention_duty(case=case, actor=officer, reasons="Notice served.")
    case = services.case_accept_relief_duty(case=case, actor=officer, reasons="Evicted on 3 December.")
    assert case.stage == S.RELIEF
    assert case.prevention_end == case.relief_start
    assert list(case.letters.order_by("id").values_list("kind", flat=True)) == [
        "prevention_accepted",
        "relief_accepted",
    ]


def test_s193_main_duty_needs_a_decision_that_the_applicant_is_not_intentionally_homeless(make_case, officer):
    case = _at_decision(make_case, officer)
    with pytest.raises(ApplicationError, match=r"s\.191"):
        services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY, reasons="x")
    case = services.case_decide_intentionality(
        case=case, actor=officer, intentional=False, reasons="You were evicted through no fault of yours."
    )
    letter = DecisionLetter.objects.get(case=case, kind=DecisionLetter.Kind.INTENTIONALITY)
    assert "did not become homeless intentionally" in letter.body
    assert "section 202" in letter.body
    # The date given is right only if the applicant is told that day (an email held for safety, a letter in
    # the post): the letter says so, so a later request is not put off by a date already passed.
    assert "If you get this letter on the day it is dated, the last day to ask is" in letter.body
    assert "if you get it later, the 21 days start on the day you get it" in letter.body
    main = services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY, reasons="Children.")
    assert main.stage == S.MAIN_DUTY


def test_s190_2_intentional_with_priority_need_is_not_the_main_duty(make_case, officer):
    case = _at_decision(make_case, officer)
    with pytest.raises(ApplicationError, match=r"s\.191"):
        services.case_move(
            case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.INTENTIONAL_PRIORITY, reasons="x"
        )
    case = services.case_decide_intentionality(
        case=case, actor=officer, intentional=True, reasons="You stopped paying rent you could afford."
    )
    letter = DecisionLetter.objects.get(case=case, kind=DecisionLetter.Kind.INTENTIONALITY)
    assert "section 190(2)" in letter.body
    with pytest.raises(ApplicationError, match=r"s\.190\(2\).*not the main duty"):
        services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY, reasons="x")
    closed = services.case_move(
        case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.INTENTIONAL_PRIORITY, reasons="s.190."
    )
    assert closed.close_reason == CR.INTENTIONAL_PRIORITY
    with pytest.raises(ApplicationError, match=r"s\.191"):
        services.case_decide_intentionality(case=closed, actor=officer, intentional=False, reasons="x")


def test_s191_intentionality_is_decided_only_during_relief_or_at_the_decision(make_case, officer):
    case = _assessed(make_case, officer, AO.THREATENED)
    with pytest.raises(ApplicationError, match=r"s\.191"):
        services.case_decide_intentionality(case=case, actor=officer, intentional=True, reasons="x")
    assert Case.objects.get(pk=case.pk).intentionally_homeless is None


def test_no_priority_need_decision_is_refused_while_priority_need_is_recorded(make_case, officer):
    case = _at_decision(make_case, officer)
    with pytest.raises(ApplicationError, match="Priority need is recorded"):
        services.case_move(
            case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.NO_PRIORITY_NEED, reasons="x"
        )


@pytest.mark.parametrize("at_relief", [True, False])
def test_s198_local_connection_referral_is_an_outcome_with_a_letter(make_case, officer, at_relief):
    """s.198(A1) at the relief stage, s.198(1) at the main duty decision."""
    if at_relief:
        case = _assessed(make_case, officer, AO.HOMELESS)
        case = services.case_accept_relief_duty(case=case, actor=officer, reasons="Homeless.")
    else:
        case = _at_decision(make_case, officer)
    with pytest.raises(ApplicationError, match="Enter the council"):
        services.case_refer_local_connection(
            case=case, actor=officer, authority=" ", reasons="x", confirmed=True
        )
    with pytest.raises(ApplicationError, match=r"s\.198"):
        services.case_refer_local_connection(case=case, actor=officer, authority="Leeds", reasons="x")
    closed = services.case_refer_local_connection(
        case=case,
        actor=officer,
        authority="Leeds City Council",
        reasons="You lived in Leeds.",
        confirmed=True,
    )
    assert closed.close_reason == CR.LOCAL_CONNECTION_REFERRAL
    assert closed.referred_to == "Leeds City Council"
    letter = DecisionLetter.objects.filter(case=case).latest("id")
    assert "We have referred your application to Leeds City Council" in letter.body
    assert "section 198" in letter.body
    review = services.review_request(
        letter=letter, actor=officer, requested_on=letter.issued_on, kind="local_connection_referral"
    )
    # Reg. 9(1)(c): ten weeks beginning with the day of the request.
    assert review.due_on == letter.issued_on + dt.timedelta(weeks=10) - dt.timedelta(days=1)


def test_s202_3_a_late_review_request_is_accepted_only_with_a_reason(make_case, officer, colleague):
    case = _assessed(make_case, officer, AO.NEITHER)
    services.case_move(
        case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.NOT_HOMELESS, reasons="You have a home."
    )
    letter = DecisionLetter.objects.get(case=case)
    late_day = letter.issued_on + dt.timedelta(days=30)
    with pytest.raises(ApplicationError, match="out of time") as error:
        services.review_request(letter=letter, actor=officer, requested_on=late_day, kind="standard")
    assert error.value.field == "late_reason"
    with pytest.raises(ApplicationError, match="out of time"):
        services.review_request(
            letter=letter, actor=officer, requested_on=late_day, kind="standard", late_reason="   "
        )
    review = services.review_request(
        letter=letter,
        actor=colleague,
        requested_on=late_day,
        kind="standard",
        late_reason="In hospital until last week.",
    )
    assert (review.late_reason, review.late_accepted_by) == ("In hospital until last week.", colleague)
    on_time = Review.objects.filter(late_reason="").count()
    assert on_time == 0


def test_officer_makes_the_decisions_in_the_workspace(make_case, officer, client):
    case = _assessed(make_case, officer, AO.HOMELESS, "children")
    staff_login(client, officer)
    url = f"/admin/homelessness/case/{case.pk}/act/"
    assert client.post(url + "accept_relief/", {"reasons": ""}).status_code == 400
    assert client.post(url + "accept_relief/", {"reasons": "Homeless."}).status_code == 302
    response = client.post(url + "intentionality/", {"intentional": "no", "reasons": "Not your fault."})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).intentionally_homeless is False
    response = client.post(url + "local_connection/", {"authority": "Leeds", "reasons": "Lived there."})
    assert response.status_code == 400
    assert "Confirm that this is true" in response.content.decode()
    response = client.post(
        url + "local_connection/", {"authority": "Leeds", "reasons": "Lived there.", "confirmed": "on"}
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert (case.stage, case.referred_to) == (S.CLOSED, "Leeds")
    assert case.relief_end == timezone.localdate()


def test_s202_3_the_21_days_begin_when_the_applicant_is_told_not_on_a_held_letters_date(
    make_case, officer, client
):
    case = _assessed(make_case, officer, AO.NEITHER)
    Case.objects.filter(pk=case.pk).update(safe_method="phone")  # email is not safe: the letter is held
    case.refresh_from_db()
    services.case_move(
        case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.NOT_HOMELESS, reasons="You have a home."
    )
    letter = DecisionLetter.objects.get(case=case)
    staff_login(client, officer)
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert "its email was held" in page
    # Given to them in person ten days later; they ask on the 21st day beginning with that day.
    told = letter.issued_on + dt.timedelta(days=10)
    asked = told + dt.timedelta(days=20)
    with pytest.raises(ApplicationError, match="out of time"):
        services.review_request(letter=letter, actor=officer, requested_on=asked, kind="standard")
    with pytest.raises(ApplicationError, match="out of time"):
        services.review_request(
            letter=letter,
            actor=officer,
            requested_on=asked + dt.timedelta(days=1),
            kind="standard",
            notified_on=told,
        )
    with pytest.raises(ApplicationError, match="on or before") as error:
        services.review_request(
            letter=letter, actor=officer, requested_on=told, kind="standard", notified_on=asked
        )
    assert error.value.field == "notified_on"
    url = f"/admin/homelessness/case/{case.pk}/act/review_request/"
    response = client.post(
        url,
        {"letter": letter.pk, "kind": "standard", "requested_on": asked.isoformat(), "notified_on": told},
    )
    assert response.status_code == 302
    review = Review.objects.get(letter=letter)
    assert (review.notified_on, review.late_reason, review.late_accepted_by) == (told, "", None)
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert f"told of the decision on {told:%-d %b %Y}" in page


def test_a_letter_told_on_its_own_day_keeps_its_deadline(make_case, officer):
    case = _assessed(make_case, officer, AO.NEITHER)
    services.case_move(
        case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.NOT_HOMELESS, reasons="You have a home."
    )
    letter = DecisionLetter.objects.get(case=case)
    day_21 = letter.issued_on + dt.timedelta(days=21)
    with pytest.raises(ApplicationError, match="before the letter's date"):
        services.review_request(
            letter=letter,
            actor=officer,
            requested_on=day_21,
            kind="standard",
            notified_on=letter.issued_on - dt.timedelta(days=3),
        )
    with pytest.raises(ApplicationError, match="out of time"):
        services.review_request(
            letter=letter, actor=officer, requested_on=day_21, kind="standard", notified_on=letter.issued_on
        )
    review = services.review_request(
        letter=letter,
        actor=officer,
        requested_on=day_21 - dt.timedelta(days=1),
        kind="standard",
        notified_on=letter.issued_on,
    )
    assert review.notified_on is None
