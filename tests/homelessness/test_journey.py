"""The intake for the people most at risk: answers kept, urgent cases reaching someone, true words."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from homelessness import hclic, services
from homelessness.demo import FORM_PAGES as PAGES
from homelessness.models import Case, IntakeDraft
from homelessness.rules import AssessmentOutcome, Stage

from .test_intake import _go

pytestmark = pytest.mark.django_db


def test_support_needs_are_checkboxes_and_every_one_ticked_reaches_hclic(client, officer):
    page = client.get("/housing-help/apply/support/").content.decode()
    assert 'type="radio"' not in page
    assert page.count('name="support_needs" type="checkbox"') >= 20
    assert 'data-behaviour="exclusive"' in page

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
    case = services.case_move(case=case, actor=officer, to_stage=Stage.PREVENTION)
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
