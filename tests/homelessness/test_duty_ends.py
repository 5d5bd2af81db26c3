"""How the relief (s.189B) and prevention (s.195) duties end: each ground, its section and its preconditions.

Each test names the section it checks. Relief lasts 56 days from the day it began (s.189B(2)); in priority
need and not intentionally homeless it ends by itself after day 56 and the main duty decision follows
(s.189B(4)); otherwise it ends by a notice giving a ground in s.189B(7), or under s.193A, s.193B or s.198(A1).
"""

import datetime as dt
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.models import Notification
from homelessness import hclic, rules, services
from homelessness.models import Case, Code, DecisionLetter
from homelessness.rules import AssessmentOutcome as AO
from homelessness.rules import CloseReason as CR
from homelessness.rules import Stage as S

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _relief(make_case, officer, *, priority_need="", days_ago=0, **answers):
    case = make_case(**answers)
    services.case_assign(case=case, officer=officer, actor=officer)
    services.case_record_assessment(
        case=case,
        actor=officer,
        eligible=True,
        outcome=AO.HOMELESS,
        priority_need=priority_need,
        household_type="single_female",
        reason_loss="family_friends",
        accommodation_at_application="private_rented",
    )
    case = services.case_move(case=case, actor=officer, to_stage=S.RELIEF, reasons="The duty is owed.")
    if days_ago:
        case.relief_start -= dt.timedelta(days=days_ago)
        case.duty_deadline = case.relief_start + dt.timedelta(days=56)
        case.save()
    return Case.objects.get(pk=case.pk)


def _end(case, officer, reason, **kwargs):
    kwargs.setdefault("reasons", "Reasons for the notice.")
    return services.case_move(case=case, actor=officer, to_stage=S.CLOSED, end_reason=reason, **kwargs)


def _warn_days_ago(case, officer, days):
    issued_on = timezone.localdate() - dt.timedelta(days=days)
    return DecisionLetter.objects.create(
        case=case,
        kind=DecisionLetter.Kind.NONCOOP_WARNING,
        reasons="You did not go to two viewings.",
        body="Warning",
        issued_on=issued_on,
        issued_by=officer,
        review_deadline=issued_on + dt.timedelta(days=21),
    )


def test_every_relief_and_prevention_end_reason_has_a_section_and_an_hclic_code():
    """s.189B(5)-(9), s.195(5)-(10), s.193A, s.193B, s.198(A1): each end reason is encoded with its section,
    and each is reported as a value in the versioned H-CLIC code list."""
    for stage, list_name in ((S.RELIEF, "relief_end"), (S.PREVENTION, "prevention_end")):
        codes = set(Code.objects.filter(code_list__name=list_name).values_list("code", flat=True))
        for reason in rules.END_REASONS[stage]:
            rule = rules.duty_end_rule(stage, reason)
            assert rule is not None, reason
            assert rule.section.startswith("s.")
            assert rule.ground
            assert reason in codes, f"{reason} has no {list_name} code"
    assert rules.HCLIC_PREVENTION_END_HOMELESS in set(
        Code.objects.filter(code_list__name="prevention_end").values_list("code", flat=True)
    )


CONFIRMED_GROUNDS = [
    (CR.ACCOMMODATION_SECURED, "s.189B(5) and (7)(a)"),
    (CR.REFUSED_OFFER, "s.189B(5) and (7)(c)"),
    (CR.INTENTIONALLY_HOMELESS, "s.189B(5) and (7)(d)"),
    (CR.NO_LONGER_ELIGIBLE, "s.189B(5) and (7)(e)"),
    (CR.WITHDRAWN, "s.189B(5) and (7)(f)"),
    (CR.CONTACT_LOST, "s.189B(5) and (7)(f)"),
    (CR.REFUSED_FINAL_OFFER, "s.193A(2)"),
    (CR.LOCAL_CONNECTION_REFERRAL, "s.198(A1)"),
]


@pytest.mark.parametrize(("reason", "section"), CONFIRMED_GROUNDS)
def test_relief_ends_early_on_each_notice_ground_only_once_its_precondition_is_confirmed(
    make_case, officer, reason, section
):
    """s.189B(5)-(7), s.193A, s.198(A1): these grounds can end relief before day 56, even in priority need,
    but only with the officer's confirmation of what the record cannot show; the notice names the ground
    and its section (s.189B(6))."""
    case = _relief(make_case, officer, priority_need="children")
    with pytest.raises(ApplicationError, match=r"Confirm that this is true") as error:
        _end(case, officer, reason)
    assert section in str(error.value)
    assert Case.objects.get(pk=case.pk).stage == S.RELIEF
    closed = _end(case, officer, reason, confirmed=True)
    assert closed.stage == S.CLOSED
    assert closed.relief_end_reason == reason
    letter = DecisionLetter.objects.get(case=case, decision=reason)
    assert letter.kind == DecisionLetter.Kind.DUTY_END
    assert section in letter.body
    assert rules.RELIEF_ENDS[reason].ground in letter.body
    assert "section 202" in letter.body


def test_s189b_7b_without_priority_need_relief_ends_by_notice_only_after_56_days(make_case, officer):
    """s.189B(7)(b): 56 days beginning with the day relief began, then notice (no priority need)."""
    case = _relief(make_case, officer, days_ago=55)  # today is day 56 of the duty
    with pytest.raises(ApplicationError, match="56 days from the day it began"):
        _end(case, officer, CR.DAYS_ELAPSED)
    case.relief_start -= dt.timedelta(days=1)
    case.save()
    closed = _end(case, officer, CR.DAYS_ELAPSED)
    assert closed.relief_end_reason == CR.DAYS_ELAPSED
    # The only letter besides the one accepting the relief duty is the notice ending it.
    letter = DecisionLetter.objects.exclude(kind=DecisionLetter.Kind.RELIEF_ACCEPTED).get(case=case)
    assert "s.189B(5) and (7)(b)" in letter.body


def test_s189b_4_in_priority_need_relief_is_never_ended_on_the_56_day_ground(make_case, officer):
    """s.189B(4): in priority need, relief ends by itself after 56 days and the main duty decision follows;
    an officer cannot end it by notice on the 56-day ground instead (which would lose the main duty)."""
    case = _relief(make_case, officer, priority_need="pregnant", days_ago=60)
    with pytest.raises(ApplicationError, match=r"s\.189B\(4\).*main duty decision"):
        _end(case, officer, CR.DAYS_ELAPSED)
    notices = DecisionLetter.objects.filter(case=case).exclude(kind=DecisionLetter.Kind.RELIEF_ACCEPTED)
    assert notices.count() == 0
    moved = services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY_DECISION)
    assert moved.relief_end_reason == CR.DAYS_ELAPSED
    assert moved.relief_end == timezone.localdate()


def test_s189b_4_priority_need_recorded_on_day_0_does_not_skip_relief(make_case, officer):
    """s.189B(4): priority need recorded on the first day of relief does not let the case skip to the main
    duty decision; the duty is owed for the full 56 days."""
    case = _relief(make_case, officer, priority_need="children")
    with pytest.raises(ApplicationError, match=r"s\.189B\(4\)"):
        services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY_DECISION)
    assert Case.objects.get(pk=case.pk).stage == S.RELIEF


def test_s193b_4_non_cooperation_needs_a_warning_a_reasonable_period_and_a_second_officer(
    make_case, officer, manager, on_commit
):
    """s.193B(4): a written warning first, then a reasonable period; the 2018 Regulations: a second officer
    at least as senior approves the notice."""
    case = _relief(make_case, officer, priority_need="children")
    with pytest.raises(ApplicationError, match=r"warning letter first.*s\.193B\(4\)"):
        _end(case, officer, CR.NON_COOPERATION)
    with on_commit(execute=True):
        warning = services.case_noncooperation_warn(
            case=case, actor=officer, reasons="You did not go to the two viewings we arranged."
        )
    assert warning.kind == DecisionLetter.Kind.NONCOOP_WARNING
    assert "You did not go to the two viewings we arranged." in warning.body
    assert "warning, not a decision" in warning.body
    assert Notification.objects.filter(template="homelessness/email/letter", to="jo@example.org").exists()
    with pytest.raises(ApplicationError, match="reasonable period"):
        _end(case, officer, CR.NON_COOPERATION)
    # The letter asked the applicant to act within 7 days; the notice can follow from the day after.
    respond_by = warning.issued_on + dt.timedelta(days=rules.NONCOOPERATION_WARNING_DAYS)
    on_the_day = dt.datetime.combine(respond_by, dt.time(12), tzinfo=LONDON)
    with time_machine.travel(on_the_day, tick=False), pytest.raises(ApplicationError, match="reasonable"):
        _end(case, officer, CR.NON_COOPERATION)
    with time_machine.travel(
        dt.datetime.combine(respond_by + dt.timedelta(days=1), dt.time(9), tzinfo=LONDON), tick=False
    ):
        with pytest.raises(ApplicationError, match="approved by a second"):
            _end(case, officer, CR.NON_COOPERATION)
        notice = services.noncooperation_propose(case=case, actor=officer, reasons="Still refused.")
        services.noncooperation_approve(notice=notice, actor=manager)
        closed = _end(case, officer, CR.NON_COOPERATION)
    assert closed.relief_end_reason == CR.NON_COOPERATION
    letter = DecisionLetter.objects.get(case=case, kind=DecisionLetter.Kind.NON_COOPERATION)
    assert "s.193B(2) and (3)" in letter.body


def test_a_non_cooperation_warning_is_only_given_during_a_duty(make_case, officer):
    """s.193B(1): non-cooperation applies to the prevention and relief duties only."""
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    with pytest.raises(ApplicationError, match="prevention or relief duty"):
        services.case_noncooperation_warn(case=case, actor=officer, reasons="x")


def test_s195_8_prevention_grounds_need_confirmation_too(make_case, officer):
    """s.195(5) and (8)(a): the prevention duty ends by notice on the 6-month ground once confirmed."""
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    services.case_record_assessment(case=case, actor=officer, eligible=True, outcome=AO.THREATENED)
    case = services.case_move(case=case, actor=officer, to_stage=S.PREVENTION, reasons="The duty is owed.")
    with pytest.raises(ApplicationError, match=r"s\.195\(5\) and \(8\)\(a\)"):
        _end(case, officer, CR.ACCOMMODATION_SECURED)
    closed = _end(case, officer, CR.ACCOMMODATION_SECURED, confirmed=True)
    assert closed.prevention_end_reason == CR.ACCOMMODATION_SECURED


@pytest.mark.parametrize(
    ("reason", "code"), [(CR.REFUSED_FINAL_OFFER, "6"), (CR.LOCAL_CONNECTION_REFERRAL, "9"), (None, "2")]
)
def test_hclic_reports_the_relief_end_reason_as_the_departments_code(make_case, officer, reason, code):
    """The relief end reason goes to H-CLIC as the code list's value, not our word; relief ending by itself
    after 56 days (s.189B(4)) is reported as "56 days elapsed"."""
    if reason is None:
        case = _relief(make_case, officer, priority_need="children", days_ago=56)
        case = services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY_DECISION)
    else:
        case = _end(_relief(make_case, officer), officer, reason, confirmed=True)
    day = dt.date(2026, 11, 2)
    Case.objects.filter(pk=case.pk).update(assessed_on=day, relief_start=day, relief_end=day)
    built = hclic.build(2026, 3)
    root = ET.fromstring(built["case_xml"].split("\n", 1)[1])  # noqa: S314 - our own output
    (duty,) = root.find("Relief")
    assert duty.get("EndReason") == code


def test_officer_ends_relief_in_the_workspace_only_with_the_confirmation(make_case, officer, client):
    """s.189B(5), (7)(a) through the back office: the confirmation is a checkbox; without it, nothing ends."""
    from tests.conftest import staff_login

    case = _relief(make_case, officer)
    staff_login(client, officer)
    url = f"/admin/homelessness/case/{case.pk}/act/move/"
    data = {"to_stage": "closed", "end_reason": "accommodation_secured", "reasons": "A 12-month tenancy."}
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert "s.189B(5) and (7)(a)" in page  # the statement to confirm is shown
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Confirm that this is true" in response.content.decode()
    assert Case.objects.get(pk=case.pk).stage == S.RELIEF
    assert client.post(url, {**data, "confirmed": "on"}).status_code == 302
    assert Case.objects.get(pk=case.pk).relief_end_reason == CR.ACCOMMODATION_SECURED
    warn = client.post(f"/admin/homelessness/case/{case.pk}/act/noncoop_warn/", {"reasons": "x"})
    assert warn.status_code == 400  # closed: no duty to warn about
