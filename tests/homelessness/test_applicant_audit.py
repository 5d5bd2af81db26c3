"""Every read of case data is audited, the applicant's own included: by them signed in, or by whoever
holds the status link they were emailed."""

import pytest
from django.test import Client

from hackney_portal.core.models import AuditEvent
from homelessness import services

pytestmark = pytest.mark.django_db


def test_the_applicant_reading_their_case_is_in_the_audit_log(make_case, resident):
    case = make_case(actor=resident)
    client = Client()
    client.force_login(resident)
    assert client.get(f"/housing-help/cases/{case.reference}/").status_code == 200
    seen = AuditEvent.objects.filter(action="homelessness.case.viewed_by_applicant", object_id=str(case.pk))
    assert [e.actor for e in seen] == [resident]


def test_a_read_through_the_status_link_is_in_the_audit_log(make_case):
    case = make_case()
    client = Client()
    page = client.get(f"/housing-help/status/{services.case_status_token(case)}/", follow=True)
    assert page.status_code == 200
    (seen,) = AuditEvent.objects.filter(
        action="homelessness.case.viewed_by_applicant", object_id=str(case.pk)
    )
    assert seen.actor is None
    assert seen.actor_label == "the applicant's status link"
