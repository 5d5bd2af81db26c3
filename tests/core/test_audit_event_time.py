"""An audit event's title (its admin page title and breadcrumb) gives London time, as the page's fields do."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from hackney_portal.core.audit import audit_log
from tests.conftest import staff_login


def _logged_at(moment: dt.datetime):
    with time_machine.travel(moment, tick=False):
        return audit_log(actor=None, action="core.test")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "title"),
    [
        # 23:30 UTC on 1 July is 00:30 BST on 2 July.
        (dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC), "2026-07-02 00:30 system core.test"),
        # In winter London time is UTC.
        (dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC), "2026-12-01 23:30 system core.test"),
    ],
    ids=["summer", "winter"],
)
def test_audit_event_title_is_in_london_time(moment, title):
    event = _logged_at(moment)
    assert str(event) == title
    event.refresh_from_db()  # read back from the database, as the admin reads it
    assert str(event) == title


@pytest.mark.django_db
def test_audit_event_admin_page_title_agrees_with_its_created_at(client, make_staff):
    event = _logged_at(dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC))
    staff_login(client, make_staff("root@example.org", superuser=True))
    page = client.get(reverse("admin:core_auditevent_change", args=[event.pk])).content.decode()
    assert "2026-07-02 00:30 system core.test" in page
    assert "2026-07-01 23:30" not in page
