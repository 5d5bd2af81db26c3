"""Staff accounts are made inactive, never deleted from the back office."""

import pytest
from django.urls import reverse
from django.utils import timezone

from hackney_portal.users import roles
from homelessness import services as housing
from homelessness.models import Case
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db


def test_an_administrator_cannot_delete_an_account_nor_see_what_points_at_it(client, make_staff, make_case):
    admin_user = make_staff("admin@example.org", superuser=True)
    leaver = make_staff("leaver@example.org", roles.HOUSING_OFFICERS)
    case = make_case()
    housing.case_assign(case=case, officer=leaver, actor=leaver)
    housing.case_note_add(case=case, actor=leaver, text="Safe house details on file")
    step = "Ask Leeds refuge for a space"
    housing.plan_step_add(case=case, actor=leaver, owner="council", text=step, due_on=timezone.localdate())
    Case.objects.filter(pk=case.pk).update(assigned_to=admin_user)  # reassigned before they leave
    staff_login(client, admin_user)
    page = client.get(reverse("admin:users_user_delete", args=[leaver.pk]))
    assert page.status_code == 403
    assert "Leeds refuge" not in page.content.decode()
    listing = client.get(reverse("admin:users_user_changelist")).content.decode()
    assert "delete_selected" not in listing
    # They leave by being made inactive, which keeps who did what.
    change = client.get(reverse("admin:users_user_change", args=[leaver.pk])).content.decode()
    assert 'name="is_active"' in change
