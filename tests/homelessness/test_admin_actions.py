"""Each officer action is its own small admin view: its own URL, one form and one service call."""

import inspect
import re
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, resolve, reverse

from hackney_portal.core.exceptions import ApplicationError
from homelessness import services
from homelessness.admin import CaseAdmin
from homelessness.admin import actions as actions_package
from homelessness.admin.actions import ACTIONS
from homelessness.models import Case, DecisionLetter
from homelessness.rules import AssessmentOutcome, Stage
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db


def test_every_action_module_is_an_action_with_its_own_url_and_view(make_case):
    case = make_case()
    folder = Path(actions_package.__file__).parent
    modules = sorted(p.stem for p in folder.glob("*.py") if p.stem not in ("__init__", "base"))
    assert sorted(a.name for a in ACTIONS) == modules  # adding an action is adding a module
    views = set()
    for action in ACTIONS:
        url = reverse(f"admin:homelessness_case_act_{action.name}", args=[case.pk])
        assert url == f"/admin/homelessness/case/{case.pk}/act/{action.name}/"
        views.add(resolve(url).func.__name__)
    assert len(views) == len(ACTIONS)
    with pytest.raises(NoReverseMatch):
        reverse("admin:homelessness_case_act", args=[case.pk, "assign"])


def test_case_admin_is_small_and_dispatches_nothing_by_name():
    source = inspect.getsource(CaseAdmin)
    assert len(source.splitlines()) < 100
    assert "getattr(self" not in source
    assert "def _act_" not in source


def _ids(body: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', body)


def test_the_case_workspace_has_no_duplicate_ids_and_every_label_points_at_its_field(
    make_case, manager, client
):
    case = make_case()
    staff_login(client, manager)
    change = f"/admin/homelessness/case/{case.pk}/change/"
    bad = client.post(f"/admin/homelessness/case/{case.pk}/act/docreq/", {"description": "Payslips"})
    for body in (client.get(change).content.decode(), bad.content.decode()):
        ids = _ids(body)
        assert sorted({i for i in ids if ids.count(i) > 1}) == []
        assert 'id="id_plan_due_on"' in body
        assert 'id="id_docreq_due_on"' in body
        assert set(re.findall(r'<label for="([^"]+)"', body)) <= set(ids)
    assert bad.status_code == 400
    assert "govuk-error-summary" in bad.content.decode() or "errorlist" in bad.content.decode()


def test_approving_a_notice_with_a_hostile_or_foreign_id_never_fails(make_case, officer, manager, client):
    case = make_case()
    staff_login(client, manager)
    url = f"/admin/homelessness/case/{case.pk}/act/noncoop_approve/"
    assert client.post(url, {"notice": "1 OR 1=1"}).status_code == 400
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"notice": "999999"}).status_code == 404


def test_case_move_opens_a_duty_only_with_the_acceptance_letter(make_case, officer):
    case = services.case_assign(case=make_case(), officer=officer, actor=officer)
    services.case_record_assessment(
        case=case, actor=officer, eligible=True, outcome=AssessmentOutcome.THREATENED
    )
    with pytest.raises(ApplicationError, match="summary of the assessment"):
        services.case_move(case=case, actor=officer, to_stage=Stage.PREVENTION)
    assert Case.objects.get(pk=case.pk).stage == Stage.ASSESSMENT
    assert not DecisionLetter.objects.filter(case=case).exists()
    moved = services.case_move(
        case=case, actor=officer, to_stage=Stage.PREVENTION, reasons="Section 21 notice."
    )
    assert moved.stage == Stage.PREVENTION
    kinds = list(DecisionLetter.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == [DecisionLetter.Kind.PREVENTION_ACCEPTED]


def test_an_officer_without_change_rights_cannot_act(make_case, officer, client, django_user_model):
    case = make_case()
    staff_login(client, officer)
    officer.user_permissions.clear()
    for group in officer.groups.all():
        group.permissions.remove(*group.permissions.filter(codename="change_case"))
    response = client.post(f"/admin/homelessness/case/{case.pk}/act/note/", {"text": "x"})
    assert response.status_code == 403
    assert not case.notes.exists()


def test_the_officer_records_what_a_duty_came_to_for_h_clic(make_case, officer, client):
    """15.11: the main prevention activity and the accommodation secured are recorded on the case (they were
    not collected before) and reach the return; a duty that secured accommodation without them is reported."""
    import datetime as dt
    import xml.etree.ElementTree as ET

    from homelessness import hclic
    from homelessness.rules import CloseReason

    case = services.case_assign(case=make_case(), officer=officer, actor=officer)
    services.case_record_assessment(
        case=case,
        actor=officer,
        eligible=True,
        outcome=AssessmentOutcome.THREATENED,
        household_type="single_female",
        reason_loss="private_ast_end",
        accommodation_at_application="private_rented",
    )
    staff_login(client, officer)
    url = f"/admin/homelessness/case/{case.pk}/act/duty_outcome/"
    # Not before there is a duty, and only codes from the lists.
    response = client.post(url, {"prevention_activity": "mediation_landlord"})
    assert response.status_code == 400
    assert "This case has had no prevention duty" in response.content.decode()
    case = services.case_accept_prevention_duty(case=case, actor=officer, reasons="Section 21 notice.")
    assert client.post(url, {"prevention_activity": "bribery"}).status_code == 400
    services.case_move(
        case=case,
        actor=officer,
        to_stage=Stage.CLOSED,
        end_reason=CloseReason.ACCOMMODATION_SECURED,
        reasons="A 12-month tenancy.",
        confirmed=True,
    )
    day = dt.date(2026, 11, 2)
    Case.objects.filter(pk=case.pk).update(
        assessed_on=day, prevention_start=day, prevention_end=day, closed_on=day
    )
    before = hclic.build(2026, 3)["report"]
    assert any("main prevention activity is missing" in p for row in before for p in row["problems"])
    assert any(
        "Accommodation secured at the end of the prevention duty is missing" in p
        for row in before
        for p in row["problems"]
    )
    data = {"prevention_activity": "mediation_landlord", "accommodation_secured": "private_rented_6"}
    assert client.post(url, data).status_code == 302
    built = hclic.build(2026, 3)
    assert built["report"] == []
    duty = ET.fromstring(built["case_xml"].split("\n", 1)[1]).find("Prevention")[0]  # noqa: S314
    assert (duty.get("MainActivity"), duty.get("AccomSecured")) == ("2", "1")
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert "What the duty came to (H-CLIC)" in page
