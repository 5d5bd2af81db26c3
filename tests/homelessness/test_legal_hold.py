"""Legal hold and retention: a manager's decision with a reason, shown on the case; every case shows when
it will be deleted (about 6 years after closure, not while on hold or under review)."""

import datetime as dt

import pytest

from hackney_portal.core.audit import AuditEvent
from hackney_portal.core.exceptions import ApplicationError
from homelessness import selectors, services
from homelessness.models import Case
from homelessness.rules import AssessmentOutcome as AO
from homelessness.rules import CloseReason as CR
from homelessness.rules import Stage as S
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db


def test_only_a_manager_sets_or_lifts_a_legal_hold_and_always_with_a_reason(make_case, officer, manager):
    case = make_case()
    with pytest.raises(ApplicationError, match="Only a housing manager"):
        services.case_legal_hold_set(case=case, actor=officer, hold=True, reason="County court appeal")
    with pytest.raises(ApplicationError, match="Give the reason") as error:
        services.case_legal_hold_set(case=case, actor=manager, hold=True, reason="   ")
    assert error.value.field == "reason"
    assert Case.objects.get(pk=case.pk).legal_hold is False
    held = services.case_legal_hold_set(case=case, actor=manager, hold=True, reason="County court appeal")
    assert (held.legal_hold, held.legal_hold_reason, held.legal_hold_by) == (
        True,
        "County court appeal",
        manager,
    )
    with pytest.raises(ApplicationError, match="already on legal hold"):
        services.case_legal_hold_set(case=case, actor=manager, hold=True, reason="Again")
    with pytest.raises(ApplicationError, match="Only a housing manager"):
        services.case_legal_hold_set(case=case, actor=officer, hold=False, reason="Appeal over")
    with pytest.raises(ApplicationError, match="Give the reason"):
        services.case_legal_hold_set(case=case, actor=manager, hold=False, reason="")
    lifted = services.case_legal_hold_set(case=case, actor=manager, hold=False, reason="Appeal dismissed")
    assert (lifted.legal_hold, lifted.legal_hold_reason) == (False, "Appeal dismissed")
    events = AuditEvent.objects.filter(action="homelessness.case.legal_hold").order_by("id")
    assert [e.data for e in events] == [
        {"hold": True, "reason": "County court appeal"},
        {"hold": False, "reason": "Appeal dismissed"},
    ]


def test_every_case_shows_its_retention_date(make_case, officer, settings):
    settings.HOMELESSNESS_RETENTION_YEARS = 6
    case = make_case()
    assert selectors.retention_date(case) is None
    assert "6 years after the case closes" in selectors.retention_summary(case)
    services.case_assign(case=case, officer=officer, actor=officer)
    services.case_move(case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.ADVICE_ONLY)
    Case.objects.filter(pk=case.pk).update(closed_on=dt.date(2026, 3, 31))
    case = Case.objects.get(pk=case.pk)
    # The retention job deletes cases closed before today minus 6 years: 1 April 2032 is the first day.
    assert selectors.retention_date(case) == dt.date(2032, 4, 1)
    assert services.cases_retention_delete(today=dt.date(2032, 3, 31)) == 0
    assert "Kept until Thursday 1 April 2032" in selectors.retention_summary(case)
    leap = make_case()
    services.case_assign(case=leap, officer=officer, actor=officer)
    services.case_move(case=leap, actor=officer, to_stage=S.CLOSED, end_reason=CR.ADVICE_ONLY)
    Case.objects.filter(pk=leap.pk).update(closed_on=dt.date(2028, 2, 29))
    assert selectors.retention_date(Case.objects.get(pk=leap.pk)) == dt.date(2034, 3, 1)


def test_the_hold_and_the_retention_date_are_shown_on_the_case(make_case, officer, manager, client):
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    services.case_record_assessment(case=case, actor=officer, eligible=True, outcome=AO.THREATENED)
    staff_login(client, officer)
    url = f"/admin/homelessness/case/{case.pk}/"
    page = client.get(url + "change/").content.decode()
    assert "Kept while open, then for" in page
    assert "Only a housing manager can put a case on legal hold" in page
    assert client.post(url + "act/hold/", {"hold": "1", "reason": "Appeal"}).status_code == 400
    assert Case.objects.get(pk=case.pk).legal_hold is False
    client.logout()
    staff_login(client, manager)
    response = client.post(url + "act/hold/", {"hold": "1", "reason": ""})
    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    assert client.post(url + "act/hold/", {"hold": "1", "reason": "Judicial review claim"}).status_code == 302
    page = client.get(url + "change/").content.decode()
    assert "ON LEGAL HOLD" in page
    assert "Judicial review claim" in page
    assert "manager@example.org" in page
    assert "kept until a manager lifts the hold" in page
