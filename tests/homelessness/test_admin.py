"""Officers' queues and actions in the back office."""

import datetime as dt

import pytest
from django.utils import timezone

from homelessness import selectors, services
from homelessness.models import Case
from homelessness.rules import AssessmentOutcome, Stage
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db


def _refs(client, query=""):
    body = client.get(f"/admin/homelessness/case/{query}").content.decode()
    return {ref for ref in Case.objects.values_list("reference", flat=True) if ref in body}


def test_queues(make_case, officer, colleague, client):
    new = make_case(name="New One")
    urgent = make_case(name="Urgent One", safe_tonight="no")
    mine = make_case(name="Mine")
    services.case_assign(case=mine, officer=officer, actor=officer)
    theirs = make_case(name="Theirs")
    services.case_assign(case=theirs, officer=colleague, actor=colleague)
    due = make_case(name="Due")
    services.case_assign(case=due, officer=colleague, actor=colleague)
    services.case_record_assessment(
        case=due, actor=colleague, eligible=True, outcome=AssessmentOutcome.THREATENED
    )
    due = services.case_move(
        case=due, actor=colleague, to_stage=Stage.PREVENTION, reasons="The duty is owed."
    )
    late = make_case(name="Late")
    services.case_assign(case=late, officer=colleague, actor=colleague)
    services.case_record_assessment(
        case=late, actor=colleague, eligible=True, outcome=AssessmentOutcome.THREATENED
    )
    late = services.case_move(
        case=late, actor=colleague, to_stage=Stage.PREVENTION, reasons="The duty is owed."
    )
    today = timezone.localdate()
    Case.objects.filter(pk=due.pk).update(duty_deadline=today + dt.timedelta(days=5))
    Case.objects.filter(pk=late.pk).update(duty_deadline=today - dt.timedelta(days=1))

    staff_login(client, officer)
    assert _refs(client, "?queue=new") == {new.reference, urgent.reference}
    assert _refs(client, "?queue=mine") == {mine.reference}
    assert _refs(client, "?queue=urgent") == {urgent.reference}
    assert _refs(client, "?queue=due7") == {due.reference}
    assert _refs(client, "?queue=overdue") == {late.reference}
    page = client.get("/admin/homelessness/case/?queue=overdue").content.decode()
    assert "1 overdue" in page
    assert "Nowhere safe tonight" in client.get("/admin/homelessness/case/?queue=urgent").content.decode()
    assert selectors.days_left(Case.objects.get(pk=due.pk)) == 5


def test_workspace_actions_assign_assess_and_open_prevention(make_case, officer, client):
    case = make_case()
    staff_login(client, officer)
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/")
    assert page.status_code == 200
    url = f"/admin/homelessness/case/{case.pk}/act/"
    assert client.post(url + "assign/", {"officer": officer.pk}).status_code == 302
    response = client.post(
        url + "assessment/",
        {
            "eligible": "yes",
            "outcome": "threatened",
            "household_type": "single_male",
            "reason_loss": "private_ast_end",
            "support_needs": ["mental_health"],
        },
    )
    assert response.status_code == 302
    # Opening a duty is an explicit decision with a letter, not a plain move.
    assert client.post(url + "move/", {"to_stage": "prevention"}).status_code == 400
    assert client.post(url + "accept_prevention/", {"reasons": "Section 21 notice."}).status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.PREVENTION
    assert case.assigned_to == officer
    assert case.support_needs == ["mental_health"]
    deadline = case.prevention_start + dt.timedelta(days=56)
    assert case.duty_deadline == deadline
    assert (
        f"{deadline:%-d %b %Y}" in client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    )


def test_a_refused_action_shows_why_and_changes_nothing(make_case, officer, client):
    case = make_case()
    staff_login(client, officer)
    response = client.post(f"/admin/homelessness/case/{case.pk}/act/move/", {"to_stage": "main_duty"})
    assert response.status_code == 400
    assert "cannot move" in response.content.decode()
    assert Case.objects.get(pk=case.pk).stage == Stage.RECEIVED


def test_unknown_actions_and_gets_do_nothing(make_case, officer, client):
    case = make_case()
    staff_login(client, officer)
    assert client.post(f"/admin/homelessness/case/{case.pk}/act/delete/").status_code == 404
    assert client.get(f"/admin/homelessness/case/{case.pk}/act/assign/").status_code == 302
    assert Case.objects.get(pk=case.pk).assigned_to is None


def test_staff_without_two_factor_cannot_reach_cases(make_case, django_user_model, client):
    from hackney_portal.users import roles
    from tests.conftest import make_user

    user = make_user("nototp@example.org", staff=True, groups=[roles.HOUSING_OFFICERS])
    client.force_login(user)
    response = client.get("/admin/homelessness/case/")
    assert response.status_code == 302
