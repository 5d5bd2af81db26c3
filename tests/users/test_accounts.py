import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from hackney_portal.users import roles
from hackney_portal.users.models import User
from tests.conftest import TOTP_SECRET, make_user, staff_login, totp_now


@pytest.mark.django_db
def test_staff_groups_exist_from_the_data_migration():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(roles.ALL_GROUPS) <= names
    finance = Group.objects.get(name=roles.FINANCE_OFFICERS)
    assert finance.permissions.filter(codename="view_auditevent").exists()


@pytest.mark.django_db
def test_resident_signs_up_verifies_email_and_signs_in(client, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "New.Person@Example.org",
                "password1": "a-long-pass-phrase-9",
                "password2": "a-long-pass-phrase-9",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert not user.emailaddress_set.get().verified
    assert len(mailbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.post("/" + path)
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "new.person@example.org", "password": "a-long-pass-phrase-9"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_unverified_email_cannot_sign_in(client):
    user = make_user("unverified@example.org", password="a-long-pass-phrase-9")
    user.emailaddress_set.update(verified=False)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "a-long-pass-phrase-9"}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]


@pytest.mark.django_db
def test_password_reset_sends_an_email(client, mailbox, django_capture_on_commit_callbacks):
    make_user("forgetful@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"})
    assert response.status_code == 302
    assert len(mailbox) == 1
    assert "/accounts/password/reset/key/" in mailbox[0].body


@pytest.mark.django_db
def test_sign_in_is_rate_limited_after_repeated_failures(client):
    make_user("target@example.org", password="the-right-password-1")
    for i in range(5):
        response = client.post(
            reverse("account_login"), {"login": "target@example.org", "password": f"wrong-{i}"}
        )
        assert "Too many failed attempts to sign in" not in response.content.decode()
    response = client.post(
        reverse("account_login"), {"login": "target@example.org", "password": "the-right-password-1"}
    )
    # Even the right password waits out the limit, so guessing cannot continue.
    assert response.status_code == 200
    assert "Too many failed attempts to sign in" in response.content.decode()
    assert not response.context["user"].is_authenticated


@pytest.mark.django_db
def test_staff_without_two_factor_cannot_reach_the_admin(client):
    officer = make_user("nofactor@example.org", staff=True, groups=[roles.HOUSING_OFFICERS])
    client.force_login(officer)
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_staff_with_two_factor_signs_in_with_a_code_and_reaches_the_admin(client):
    make_user(
        "officer@example.org",
        password="officer-pass-phrase",
        staff=True,
        groups=[roles.HOUSING_OFFICERS],
        totp_secret=TOTP_SECRET,
    )
    response = client.post(
        reverse("account_login"), {"login": "officer@example.org", "password": "officer-pass-phrase"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # password alone is not enough
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now()})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_resident_is_turned_away_from_the_admin(client, resident):
    client.force_login(resident)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "Only council staff" in response.content.decode()


@pytest.mark.django_db
def test_staff_login_helper_matches_real_flow(client, make_staff):
    officer = make_staff("helper@example.org", roles.HOUSING_OFFICERS)
    staff_login(client, officer)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    from django.core.management import call_command

    call_command("seed_demo")
    counts = User.objects.count()
    call_command("seed_demo")
    assert User.objects.count() == counts
    admin = User.objects.get(email="admin@example.com")
    assert admin.authenticator_set.filter(type="totp").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("group", "lands_on"),
    [
        (roles.FINANCE_OFFICERS, "admin:payments_dashboard"),
        (roles.HOUSING_OFFICERS, "admin:homelessness_case_changelist"),
    ],
)
def test_staff_signing_in_with_no_next_land_in_the_back_office_not_the_resident_home(client, group, lands_on):
    make_user(
        "landing@example.org",
        password="landing-pass-phrase",
        staff=True,
        groups=[group],
        totp_secret=TOTP_SECRET,
    )
    client.post(reverse("account_login"), {"login": "landing@example.org", "password": "landing-pass-phrase"})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now()}, follow=True)
    assert response.request["PATH_INFO"] == reverse(lands_on)
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_safe_next_still_wins_for_staff_and_residents_still_land_at_home(client, resident):
    make_user(
        "nexted@example.org",
        password="nexted-pass-phrase",
        staff=True,
        groups=[roles.FINANCE_OFFICERS],
        totp_secret=TOTP_SECRET,
    )
    wanted = reverse("admin:payments_payment_changelist")
    client.post(
        reverse("account_login") + f"?next={wanted}",
        {"login": "nexted@example.org", "password": "nexted-pass-phrase", "next": wanted},
    )
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now()})
    assert response["Location"] == wanted
    client.logout()
    resident.set_password("resident-pass-phrase")
    resident.save()
    response = client.post(
        reverse("account_login"), {"login": resident.email, "password": "resident-pass-phrase"}
    )
    assert response["Location"] == reverse("core:home")
