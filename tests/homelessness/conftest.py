import pytest

from hackney_portal.users import roles
from tests.factories import CaseFactory


@pytest.fixture
def officer(make_staff):
    return make_staff("officer@example.org", roles.HOUSING_OFFICERS)


@pytest.fixture
def colleague(make_staff):
    return make_staff("colleague@example.org", roles.HOUSING_OFFICERS)


@pytest.fixture
def manager(make_staff):
    return make_staff("manager@example.org", roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS)


@pytest.fixture
def team_officer(make_staff, settings):
    """An officer of the restricted cases team (domestic-abuse cases go to it, and only to it)."""
    return make_staff("team@example.org", roles.HOUSING_OFFICERS, settings.HOMELESSNESS_RESTRICTED_TEAM)


@pytest.fixture
def finance(make_staff):
    return make_staff("finance@example.org", roles.FINANCE_OFFICERS)


@pytest.fixture
def make_case(db):
    """A case as the online intake makes it; keyword arguments go to `demo_answers`."""

    def _make(actor=None, **answers):
        return CaseFactory(actor=actor, answers={"name": "Jo Bloggs", "email": "jo@example.org", **answers})

    return _make


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit work (queued tasks, emails) inside a test's transaction, as happens after commit."""
    return django_capture_on_commit_callbacks
