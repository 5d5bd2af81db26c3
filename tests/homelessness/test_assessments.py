"""s.189A: the assessment is history, not one row. The initial assessment (which H-CLIC reports) is never
overwritten; each review of it (s.189A(9)) is a new dated row with who made it."""

import datetime as dt
import importlib
import xml.etree.ElementTree as ET

import pytest
from django.apps import apps as django_apps
from django.db import transaction

from homelessness import hclic, services
from homelessness.models import Assessment, Case
from homelessness.rules import AssessmentOutcome as AO
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db


def _assess(case, officer, outcome, **kwargs):
    return services.case_record_assessment(
        case=case,
        actor=officer,
        eligible=True,
        outcome=outcome,
        household_type="single_female",
        reason_loss="family_friends",
        accommodation_at_application="private_rented",
        **kwargs,
    )


def test_s189a_a_review_adds_a_row_and_never_overwrites_the_initial_assessment(make_case, officer, colleague):
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    _assess(case, officer, AO.THREATENED, support_needs=["budgeting"])
    _assess(case, colleague, AO.HOMELESS, priority_need="children", support_needs=["mental_health"])
    initial, review = Assessment.objects.filter(case=case).order_by("id")
    assert (initial.kind, initial.outcome, initial.made_by, initial.support_needs) == (
        Assessment.Kind.INITIAL,
        AO.THREATENED,
        officer,
        ["budgeting"],
    )
    assert (review.kind, review.outcome, review.made_by, review.priority_need) == (
        Assessment.Kind.REVIEW,
        AO.HOMELESS,
        colleague,
        "children",
    )
    assert review.assessed_on is not None
    # The case holds the latest view, for the queues and the rules.
    assert Case.objects.get(pk=case.pk).assessment_outcome == AO.HOMELESS
    # The history is evidence: no edits, no deletes, and only one initial assessment.
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        Assessment.objects.filter(pk=initial.pk).update(outcome=AO.HOMELESS)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        Assessment.objects.filter(pk=initial.pk).delete()
    with pytest.raises(Exception, match="one_initial_assessment_per_case"), transaction.atomic():
        Assessment.objects.create(
            case=case, kind="initial", assessed_on=dt.date(2026, 1, 1), outcome="homeless"
        )


def test_hclic_reports_the_initial_assessment_not_the_latest_review(make_case, officer, colleague):
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    _assess(case, officer, AO.THREATENED_BY_NOTICE)
    _assess(case, colleague, AO.HOMELESS)
    Case.objects.filter(pk=case.pk).update(assessed_on=dt.date(2026, 10, 5))
    root = ET.fromstring(hclic.build(2026, 3)["case_xml"].split("\n", 1)[1])  # noqa: S314 - our own output
    (main,) = root.find("Main")
    assert main.get("InitialAssessment") == "2"  # the initial one, threatened by a notice, in its H-CLIC code


def test_the_workspace_shows_every_assessment_with_who_made_it(make_case, officer, colleague, client):
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    _assess(case, officer, AO.THREATENED)
    _assess(case, colleague, AO.HOMELESS)
    staff_login(client, officer)
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert "Initial assessment (s.189A(1))" in page
    assert "Review of the assessment (s.189A(9))" in page
    assert "colleague@example.org" in page


def test_the_migration_keeps_each_existing_assessment_as_the_initial_one(make_case, officer):
    """Cases assessed before the history existed get one initial row from what the case holds."""
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    _assess(case, officer, AO.THREATENED, support_needs=["budgeting"])
    with transaction.atomic():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL portal.retention_delete = 'on'")
        Assessment.objects.filter(case=case).delete()
    migration = importlib.import_module("homelessness.migrations.0008_statutory_decisions_and_history")
    migration.initial_assessments_from_cases(django_apps, None)
    (row,) = Assessment.objects.filter(case=case)
    assert (row.kind, row.outcome, row.made_by, row.support_needs) == (
        "initial",
        AO.THREATENED,
        None,
        ["budgeting"],
    )
    assert row.assessed_on == Case.objects.get(pk=case.pk).assessed_on
