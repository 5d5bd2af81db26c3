"""Every allowed and forbidden move of a case, and the deadline rules of the 2017 Act."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from hackney_portal.core.exceptions import ApplicationError
from homelessness import rules, services
from homelessness.models import Case, DecisionLetter, Review
from homelessness.rules import AssessmentOutcome as AO
from homelessness.rules import CloseReason as CR
from homelessness.rules import Stage as S

pytestmark = pytest.mark.django_db


def _at(case, stage, officer, *, priority_need=""):
    """Walk a case to `stage` through the services, as an officer would."""
    services.case_assign(case=case, officer=officer, actor=officer)
    if stage == S.TRIAGE:
        return Case.objects.get(pk=case.pk)
    first = S.PREVENTION if stage in (S.PREVENTION, S.ASSESSMENT) else S.RELIEF
    services.case_record_assessment(
        case=case,
        actor=officer,
        eligible=True,
        outcome=AO.THREATENED if first == S.PREVENTION else AO.HOMELESS,
        priority_need=priority_need,
    )
    if stage == S.ASSESSMENT:
        return Case.objects.get(pk=case.pk)
    case = services.case_move(case=case, actor=officer, to_stage=first, reasons="The duty is owed.")
    if stage in (S.PREVENTION, S.RELIEF):
        return case
    case.relief_start = case.relief_start - dt.timedelta(days=56)
    case.duty_deadline = case.relief_start + dt.timedelta(days=56)
    case.save()
    case = services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY_DECISION)
    if stage == S.MAIN_DUTY_DECISION:
        return case
    case = services.case_decide_intentionality(
        case=case, actor=officer, intentional=False, reasons="The tenancy ended through no fault of yours."
    )
    return services.case_move(
        case=case, actor=officer, to_stage=S.MAIN_DUTY, reasons="Priority need: children."
    )


def _warned(case, officer, *, days_ago=rules.NONCOOPERATION_WARNING_DAYS + 1):
    """A s.193B(4) warning letter sent `days_ago` (written directly: the service dates letters today); by
    default the day after the date it asked the applicant to act by."""
    issued_on = timezone.localdate() - dt.timedelta(days=days_ago)
    # A warning is given during the duty, so the duty started by then (the rule reads this duty's warnings).
    for start in ("prevention_start", "relief_start"):
        Case.objects.filter(pk=case.pk, **{f"{start}__gt": issued_on}).update(**{start: issued_on})
    case.refresh_from_db()
    return DecisionLetter.objects.create(
        case=case,
        kind=DecisionLetter.Kind.NONCOOP_WARNING,
        reasons="You did not go to the viewing.",
        body="Warning",
        issued_on=issued_on,
        issued_by=officer,
        review_deadline=issued_on + dt.timedelta(days=21),
    )


def test_assigning_a_new_case_starts_triage(make_case, officer):
    case = make_case()
    assert case.stage == S.RECEIVED
    case = services.case_assign(case=case, officer=officer, actor=officer)
    assert case.stage == S.TRIAGE
    assert case.triage_started_on is not None
    assert case.assigned_to == officer


@pytest.mark.parametrize(
    ("stage", "to_stage"),
    [(s, t) for s, targets in rules.MOVES.items() for t in targets if s not in (S.RECEIVED,)],
)
def test_every_allowed_move_is_possible(make_case, officer, stage, to_stage):
    case = _at(make_case(), stage, officer, priority_need="children")
    assert case.stage == stage
    if (stage, to_stage) == (S.RELIEF, S.MAIN_DUTY_DECISION):
        case.relief_start -= dt.timedelta(days=56)  # s.189B(4): only after the 56 days of relief
        case.save()
    if (stage, to_stage) == (S.ASSESSMENT, S.RELIEF):
        services.case_record_assessment(case=case, actor=officer, eligible=True, outcome=AO.HOMELESS)
    if to_stage == S.MAIN_DUTY:
        services.case_decide_intentionality(case=case, actor=officer, intentional=False, reasons="Not.")
    moved = services.case_move(case=case, actor=officer, to_stage=to_stage, reasons="Reasons given.")
    assert moved.stage == to_stage


FORBIDDEN = [
    (S.TRIAGE, S.PREVENTION),
    (S.TRIAGE, S.RELIEF),
    (S.TRIAGE, S.MAIN_DUTY),
    (S.ASSESSMENT, S.MAIN_DUTY),
    (S.ASSESSMENT, S.MAIN_DUTY_DECISION),
    (S.PREVENTION, S.MAIN_DUTY),
    (S.PREVENTION, S.MAIN_DUTY_DECISION),
    (S.RELIEF, S.PREVENTION),
    (S.RELIEF, S.MAIN_DUTY),
    (S.MAIN_DUTY_DECISION, S.PREVENTION),
]


@pytest.mark.parametrize(("stage", "to_stage"), FORBIDDEN)
def test_forbidden_moves_are_refused_and_change_nothing(make_case, officer, stage, to_stage):
    case = _at(make_case(), stage, officer)
    with pytest.raises(ApplicationError, match="cannot move"):
        services.case_move(case=case, actor=officer, to_stage=to_stage, reasons="Reasons given.")
    assert Case.objects.get(pk=case.pk).stage == stage


@pytest.mark.parametrize(
    ("stage", "reason"), [(s, r) for s, reasons in rules.END_REASONS.items() for r in reasons]
)
def test_every_end_reason_closes_from_its_stage_with_a_letter_where_one_is_due(
    make_case, officer, manager, stage, reason
):
    # Relief ends by notice after 56 days only without priority need (s.189B(4), (7)(b)).
    priority = "" if (stage, reason) == (S.RELIEF, CR.DAYS_ELAPSED) else "children"
    case = _at(make_case(), stage, officer, priority_need=priority)
    if reason == CR.INTENTIONAL_PRIORITY:
        case.intentionally_homeless = True  # s.190(2) follows a s.191 decision
        case.save()
    if reason == CR.NO_PRIORITY_NEED:
        case.priority_need = ""
        case.save()
    if reason == CR.DAYS_ELAPSED:
        case.notice_type = ""
        if stage == S.PREVENTION:
            case.prevention_start -= dt.timedelta(days=56)
            case.duty_deadline = case.prevention_start + dt.timedelta(days=56)
        else:
            case.relief_start -= dt.timedelta(days=56)
            case.duty_deadline = case.relief_start + dt.timedelta(days=56)
        case.save()
    if reason == CR.NON_COOPERATION:
        _warned(case, officer)
        notice = services.noncooperation_propose(
            case=case, actor=officer, reasons="Missed every appointment."
        )
        services.noncooperation_approve(notice=notice, actor=manager)
    closed = services.case_move(
        case=case, actor=officer, to_stage=S.CLOSED, end_reason=reason, reasons="Because.", confirmed=True
    )
    assert closed.stage == S.CLOSED
    assert closed.close_reason == reason
    assert closed.closed_on is not None
    letters = DecisionLetter.objects.filter(case=case, decision=reason).count()
    by_notice = reason in rules.NEEDS_NOTICE or rules.duty_end_rule(stage, reason) is not None
    assert letters == (1 if by_notice else 0)
    if stage == S.PREVENTION:
        assert closed.prevention_end == closed.closed_on
        assert closed.prevention_end_reason == reason
    if stage == S.RELIEF:
        assert closed.relief_end == closed.closed_on
        assert closed.relief_end_reason == reason


@pytest.mark.parametrize(
    ("stage", "reason"),
    [
        (S.TRIAGE, CR.ACCOMMODATION_SECURED),
        (S.ASSESSMENT, CR.DAYS_ELAPSED),
        (S.RELIEF, CR.ADVICE_ONLY),
        (S.MAIN_DUTY, CR.NON_COOPERATION),
        (S.PREVENTION, CR.LOCAL_CONNECTION_REFERRAL),
    ],
)
def test_end_reasons_from_the_wrong_stage_are_refused(make_case, officer, stage, reason):
    case = _at(make_case(), stage, officer, priority_need="children")
    with pytest.raises(ApplicationError, match="cannot be closed"):
        services.case_move(case=case, actor=officer, to_stage=S.CLOSED, end_reason=reason, reasons="x")


def test_a_decision_letter_cannot_be_issued_without_reasons(make_case, officer):
    case = _at(make_case(), S.ASSESSMENT, officer)
    with pytest.raises(ApplicationError, match="reasons"):
        services.case_move(
            case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.NOT_HOMELESS, reasons="  "
        )
    assert Case.objects.get(pk=case.pk).stage == S.ASSESSMENT  # nothing half-done
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionLetter.objects.create(
            case=case,
            kind="s184",
            reasons="",
            body="x",
            issued_on=timezone.localdate(),
            issued_by=officer,
            review_deadline=timezone.localdate() + dt.timedelta(days=21),
        )


def test_letters_give_reasons_review_rights_and_the_21_day_deadline(make_case, officer):
    case = _at(make_case(), S.ASSESSMENT, officer)
    services.case_move(
        case=case,
        actor=officer,
        to_stage=S.CLOSED,
        end_reason=CR.NOT_HOMELESS,
        reasons="You have a tenancy you can stay in.",
    )
    letter = DecisionLetter.objects.get(case=case)
    # s.202(3): 21 days beginning with the day of notification, that day the first.
    assert letter.review_deadline == letter.issued_on + dt.timedelta(days=20)
    assert "You have a tenancy you can stay in." in letter.body
    assert "section 202" in letter.body
    assert f"{letter.review_deadline:%-d %B %Y}" in letter.body
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        DecisionLetter.objects.filter(pk=letter.pk).update(reasons="edited")


def test_prevention_and_relief_deadlines_are_day_56(make_case, officer):
    case = _at(make_case(), S.PREVENTION, officer)
    assert case.duty_deadline == case.prevention_start + dt.timedelta(days=56)
    relief = services.case_move(case=case, actor=officer, to_stage=S.RELIEF, reasons="The duty is owed.")
    assert relief.prevention_end == relief.relief_start
    assert relief.duty_deadline == relief.relief_start + dt.timedelta(days=56)


def test_prevention_cannot_end_on_56_days_before_they_pass(make_case, officer):
    case = _at(make_case(notice="none"), S.PREVENTION, officer)
    with pytest.raises(ApplicationError, match="not passed"):
        services.case_move(
            case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.DAYS_ELAPSED, reasons="x"
        )


def test_prevention_cannot_end_on_56_days_while_a_valid_notice_is_the_threat(make_case, officer, settings):
    case = _at(make_case(notice="section_21"), S.PREVENTION, officer)
    case.prevention_start -= dt.timedelta(days=60)
    case.duty_deadline = case.prevention_start + dt.timedelta(days=56)
    case.save()
    with pytest.raises(ApplicationError, match="valid notice"):
        services.case_move(
            case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.DAYS_ELAPSED, reasons="x"
        )
    # The notice types are a setting (the Renters' Rights Act abolishes section 21).
    settings.HOMELESSNESS_THREAT_NOTICE_TYPES = ["section_8"]
    closed = services.case_move(
        case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.DAYS_ELAPSED, reasons="x"
    )
    assert closed.stage == S.CLOSED


def test_homeless_eligible_and_in_priority_need_flags_the_interim_duty_at_once(make_case, officer):
    case = _at(make_case(), S.TRIAGE, officer)
    assert not case.urgent
    case = services.case_record_assessment(
        case=case, actor=officer, eligible=True, outcome=AO.HOMELESS, priority_need="pregnant"
    )
    assert "interim_s188" in case.flags
    assert case.urgent


def test_priority_need_does_not_cut_relief_short_s189b_4(make_case, officer):
    """s.189B(4): in priority need and not intentionally homeless, relief lasts the full 56 days; the main
    duty decision comes after, on or after day 57. Recording priority need on day 0 skips nothing."""
    case = _at(make_case(), S.RELIEF, officer, priority_need="children")
    with pytest.raises(ApplicationError, match=r"56 days even when the applicant is in priority need"):
        services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY_DECISION)
    case.relief_start -= dt.timedelta(days=55)  # day 56 of the duty: still within it
    case.save()
    with pytest.raises(ApplicationError, match=r"s\.189B"):
        services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY_DECISION)
    case.relief_start -= dt.timedelta(days=1)
    case.save()
    moved = services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY_DECISION)
    assert moved.stage == S.MAIN_DUTY_DECISION
    assert moved.relief_end_reason == CR.DAYS_ELAPSED


def test_a_duty_needs_eligibility_and_the_main_duty_needs_priority_need(make_case, officer):
    case = _at(make_case(), S.TRIAGE, officer)
    services.case_record_assessment(case=case, actor=officer, eligible=False, outcome=AO.NOT_ELIGIBLE)
    with pytest.raises(ApplicationError, match="eligible"):
        services.case_move(case=case, actor=officer, to_stage=S.PREVENTION, reasons="The duty is owed.")
    case = _at(make_case(), S.MAIN_DUTY_DECISION, officer, priority_need="children")
    case.priority_need = ""
    case.save()
    with pytest.raises(ApplicationError, match="priority need"):
        services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY, reasons="x")


def test_non_cooperation_needs_a_second_senior_officer(make_case, officer, colleague, manager):
    case = _at(make_case(), S.PREVENTION, officer)
    _warned(case, officer)
    with pytest.raises(ApplicationError, match="approved by a second"):
        services.case_move(
            case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.NON_COOPERATION, reasons="x"
        )
    notice = services.noncooperation_propose(case=case, actor=manager, reasons="Refused every step.")
    with pytest.raises(ApplicationError, match="second officer"):
        services.noncooperation_approve(notice=notice, actor=manager)
    with pytest.raises(ApplicationError, match="senior"):
        services.noncooperation_approve(notice=notice, actor=colleague)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(notice).objects.filter(pk=notice.pk).update(approved_by=manager, approved_at=notice.proposed_at)
    mine = services.noncooperation_propose(case=case, actor=officer, reasons="Refused every step.")
    services.noncooperation_approve(notice=mine, actor=manager)
    closed = services.case_move(
        case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.NON_COOPERATION, reasons="Refused."
    )
    assert DecisionLetter.objects.filter(case=closed).latest("id").kind == DecisionLetter.Kind.NON_COOPERATION


def test_reviews_within_21_days_decided_by_someone_else_by_the_regulations_deadline(
    make_case, officer, colleague
):
    case = _at(make_case(), S.ASSESSMENT, officer)
    services.case_move(
        case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.NOT_HOMELESS, reasons="Reasons."
    )
    letter = DecisionLetter.objects.get(case=case)
    with pytest.raises(ApplicationError, match="out of time"):
        services.review_request(
            letter=letter,
            actor=officer,
            requested_on=letter.issued_on + dt.timedelta(days=21),
            kind="standard",
        )
    review = services.review_request(
        letter=letter, actor=officer, requested_on=letter.issued_on + dt.timedelta(days=20), kind="standard"
    )
    assert review.due_on == review.requested_on + dt.timedelta(weeks=8) - dt.timedelta(days=1)
    with pytest.raises(ApplicationError, match="already open"):
        services.review_request(letter=letter, actor=officer, requested_on=letter.issued_on, kind="standard")
    with pytest.raises(ApplicationError, match="did not take the original decision"):
        services.review_decide(review=review, actor=officer, outcome="upheld", reasons="Fine.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(reviewer=officer)
    decided = services.review_decide(
        review=review, actor=colleague, outcome="upheld", reasons="Correct in law."
    )
    assert decided.reviewer == colleague
    assert decided.decided_on is not None


@pytest.mark.parametrize(
    ("kind", "weeks"),
    [
        ("plan_steps", 3),
        ("ending_prevention", 3),
        ("ending_relief", 8),
        ("standard", 8),
        ("local_connection_referral", 10),
    ],
)
def test_review_decision_deadlines(kind, weeks):
    # Reg. 9: the weeks begin with the day the review was asked for, so that day is the first of them.
    day = dt.date(2026, 3, 2)
    last = day + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    assert rules.review_decision_due(requested_on=day, kind=kind) == last


def test_the_statutory_periods_count_their_first_day_as_the_regulations_and_the_act_do():
    july_1 = dt.date(2026, 7, 1)
    # A review asked for on Wednesday 1 July 2026: 8 weeks end on Tuesday 25 August, 10 on 8 September.
    assert rules.review_decision_due(requested_on=july_1, kind="standard") == dt.date(2026, 8, 25)
    ten = rules.review_decision_due(requested_on=july_1, kind="local_connection_referral")
    assert ten == dt.date(2026, 9, 8)
    # s.202(3), "21 days beginning with the day on which he is notified": notified 1 July, last day 21 July.
    assert rules.review_request_deadline(july_1) == dt.date(2026, 7, 21)
    # s.204(2), "within 21 days of his being notified", does not count that day: 22 July.
    assert rules.appeal_deadline(july_1) == dt.date(2026, 7, 22)
    assert rules.letter_deadline(kind="review_decision", issued_on=july_1) == dt.date(2026, 7, 22)
    assert rules.letter_deadline(kind="s184", issued_on=july_1) == dt.date(2026, 7, 21)


def test_the_notice_waits_until_the_day_after_the_warning_asked_the_applicant_to_act_by(
    make_case, officer, manager
):
    case = _at(make_case(), S.PREVENTION, officer)
    _warned(case, officer, days_ago=rules.NONCOOPERATION_WARNING_DAYS)  # its letter said "by" today
    notice = services.noncooperation_propose(case=case, actor=officer, reasons="Refused every step.")
    services.noncooperation_approve(notice=notice, actor=manager)
    with pytest.raises(ApplicationError, match="reasonable period"):
        services.case_move(
            case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.NON_COOPERATION, reasons="Refused."
        )


def test_the_reasonable_period_runs_from_the_latest_warning(make_case, officer, manager):
    case = _at(make_case(), S.PREVENTION, officer)
    Case.objects.filter(pk=case.pk).update(prevention_start=timezone.localdate() - dt.timedelta(days=60))
    case.refresh_from_db()
    # A warning a month ago about another step does not shorten the time after today's.
    _warned(case, officer, days_ago=30)
    _warned(case, officer, days_ago=0)
    notice = services.noncooperation_propose(case=case, actor=officer, reasons="Refused again.")
    services.noncooperation_approve(notice=notice, actor=manager)
    with pytest.raises(ApplicationError, match="reasonable period"):
        services.case_move(
            case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.NON_COOPERATION, reasons="Refused."
        )


def test_closed_case_needs_date_and_reason_in_the_database(make_case):
    case = make_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(stage=S.CLOSED)


def test_two_officers_moving_the_same_case_at_once_are_serialised(make_case, officer):
    # The row lock in case_move makes the second move see the first one's stage.
    case = _at(make_case(), S.ASSESSMENT, officer)
    services.case_move(case=case, actor=officer, to_stage=S.PREVENTION, reasons="The duty is owed.")
    stale = Case.objects.get(pk=case.pk)
    stale.stage = S.ASSESSMENT  # what a second officer's page still shows
    with pytest.raises(ApplicationError):
        services.case_move(case=stale, actor=officer, to_stage=S.PREVENTION, reasons="The duty is owed.")
    assert Case.objects.get(pk=case.pk).stage == S.PREVENTION


def test_every_kind_of_review_has_its_period_in_the_regulations():
    assert set(rules.REVIEW_DECISION_WEEKS) == set(rules.ReviewKind.values)


@pytest.mark.django_db
def test_every_kind_of_review_has_an_hclic_code():
    from homelessness.models import Code

    coded = set(Code.objects.filter(code_list__name="review_kind").values_list("code", flat=True))
    assert set(rules.ReviewKind.values) <= coded
