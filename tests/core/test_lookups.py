"""`__any`: the same rows as `__in`, with the ids bound as one array."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hackney_portal.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_any_finds_the_same_rows_as_in_with_one_array_parameter():
    ids = [AuditEvent.objects.create(action=f"test.{i}").pk for i in range(5)]
    wanted = [*ids[1:4], 10**12]  # one that does not exist
    with CaptureQueriesContext(connection) as ctx:
        found = sorted(AuditEvent.objects.filter(pk__any=wanted).values_list("pk", flat=True))
    assert found == sorted(AuditEvent.objects.filter(pk__in=wanted).values_list("pk", flat=True)) == ids[1:4]
    assert "= ANY(" in ctx.captured_queries[0]["sql"]
    assert not AuditEvent.objects.filter(pk__any=[]).exists()


def test_any_works_on_a_foreign_key(make_staff):
    from hackney_portal.users import roles

    officer = make_staff("any@example.org", roles.FINANCE_OFFICERS)
    event = AuditEvent.objects.create(action="test.fk", actor=officer)
    assert list(AuditEvent.objects.filter(actor_id__any=[officer.pk]).values_list("pk", flat=True)) == [
        event.pk
    ]
