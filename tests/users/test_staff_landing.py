"""Where people land after signing in at /accounts/login/ with no page to go back to: staff at their own
queue in the back office, residents on "Your Hackney"; a safe local `next` wins for both."""

import pytest
from django.urls import reverse

from hackney_portal.users import roles
from tests.conftest import make_user, totp_now


def _sign_in(client, user, *, next_url: str | None = None) -> str:
    """Password, then (for staff) the two-factor code, as a person does; the address they are sent to."""
    data = {"login": user.email, "password": "correct-horse-battery"}
    if next_url is not None:
        data["next"] = next_url
    response = client.post(reverse("account_login"), data)
    assert response.status_code == 302
    if response["Location"] == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": totp_now()})
        assert response.status_code == 302
    return response["Location"]


def _staff(email: str, *groups: str, superuser: bool = False):
    from tests.factories import StaffFactory

    extra = {"is_superuser": True} if superuser else {}
    return StaffFactory(email=email, groups=groups, password="correct-horse-battery", **extra)


LANDINGS = [
    ((roles.FINANCE_OFFICERS,), "admin:payments_dashboard", ""),
    ((roles.HOUSING_OFFICERS,), "admin:homelessness_case_changelist", ""),
    ((roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS), "admin:homelessness_case_changelist", ""),
    ((roles.JOBS_MODERATORS,), "admin:employment_opportunity_changelist", "?status__exact=submitted"),
    # Two services: no one queue is theirs, so the index that lists both.
    ((roles.FINANCE_OFFICERS, roles.JOBS_MODERATORS), "admin:index", ""),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("groups", "url_name", "query"), LANDINGS)
def test_staff_land_on_their_own_queue_when_they_sign_in(client, groups, url_name, query):
    officer = _staff("officer@example.org", *groups)
    landed = _sign_in(client, officer)
    assert landed == reverse(url_name) + query
    # And they may open it: the landing is a page, not a refusal.
    assert client.get(landed).status_code in (200, 302)
    assert client.get(landed, follow=True).status_code == 200


@pytest.mark.django_db
def test_an_administrator_lands_on_the_back_office_index(client):
    admin = _staff("admin@example.org", superuser=True)
    assert _sign_in(client, admin) == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_a_resident_still_lands_on_your_hackney(client):
    resident = make_user("rita@example.org")
    assert _sign_in(client, resident) == reverse("core:home")


@pytest.mark.django_db
def test_staff_without_two_factor_land_on_setting_it_up(client):
    officer = make_user("new.officer@example.org", staff=True, groups=[roles.FINANCE_OFFICERS])
    landed = _sign_in(client, officer)
    assert landed == reverse("admin:payments_dashboard")
    response = client.get(landed, follow=True)
    assert reverse("mfa_activate_totp") in [url for url, _ in response.redirect_chain]


@pytest.mark.django_db
def test_a_safe_local_next_still_wins_for_staff_and_residents(client):
    officer = _staff("officer@example.org", roles.FINANCE_OFFICERS)
    wanted = reverse("admin:payments_payment_changelist") + "?q=HR"
    assert _sign_in(client, officer, next_url=wanted) == wanted
    client.logout()
    resident = make_user("rita@example.org")
    assert _sign_in(client, resident, next_url=reverse("payments:start")) == reverse("payments:start")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostile", ["https://evil.example/admin/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_an_unsafe_next_is_ignored_and_staff_land_on_their_queue(client, hostile):
    officer = _staff("officer@example.org", roles.HOUSING_OFFICERS)
    assert _sign_in(client, officer, next_url=hostile) == reverse("admin:homelessness_case_changelist")
