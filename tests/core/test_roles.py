"""Group checks read the user's groups once per user object (each request has its own), and a change of
groups is seen at once (issue 18: the queue page asked for them six times)."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from hackney_portal.core import roles
from hackney_portal.users.models import User
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_group_checks_read_the_groups_once_per_user_object(django_assert_num_queries):
    officer = StaffFactory(groups=[roles.HOUSING_OFFICERS])
    fresh = User.objects.get(pk=officer.pk)
    with django_assert_num_queries(1):
        assert roles.user_in_group(fresh, roles.HOUSING_OFFICERS)
        assert roles.user_in_group(fresh, roles.HOUSING_MANAGERS, roles.HOUSING_OFFICERS)
        assert not roles.user_in_group(fresh, roles.HOUSING_MANAGERS)
        assert roles.group_names(fresh) == {roles.HOUSING_OFFICERS}
    # Another object for the same person (the next request) reads them again.
    next_request = User.objects.get(pk=officer.pk)
    with django_assert_num_queries(1):
        assert roles.user_in_group(next_request, roles.HOUSING_OFFICERS)


def test_a_change_of_groups_is_seen_by_the_same_user_object():
    officer = StaffFactory(groups=[roles.HOUSING_OFFICERS])
    assert not roles.user_in_group(officer, roles.HOUSING_MANAGERS)
    officer.groups.add(Group.objects.get(name=roles.HOUSING_MANAGERS))
    assert roles.user_in_group(officer, roles.HOUSING_MANAGERS)
    officer.groups.clear()
    assert not roles.user_in_group(officer, roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS)
    officer.groups.set([Group.objects.get(name=roles.FINANCE_OFFICERS)])
    assert roles.group_names(officer) == {roles.FINANCE_OFFICERS}


def test_nobody_signed_in_is_in_no_group(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert not roles.user_in_group(AnonymousUser(), roles.HOUSING_OFFICERS)
        assert roles.group_names(AnonymousUser()) == frozenset()
