"""Account settings: one GOV.UK summary page, sign out everywhere, and closing an account."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from employment.models import SavedSearch
from hackney_portal.core.models import AuditEvent
from hackney_portal.users.models import User
from payments import services as payment_services
from payments.models import AccountLink, RentAccount
from tests.conftest import TOTP_SECRET, make_user

PASSWORD = "correct-horse-battery"  # nosec B105 - make_user's default


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rent_account(db):
    return RentAccount.objects.create(
        reference="3333333333",
        postcode="E8 1EA",
        tenant_name="Rita",
        address="1 Mare St",
        weekly_rent_pence=100,
    )


@pytest.fixture
def job_alert(resident):
    return SavedSearch.objects.create(
        email=resident.email,
        user=resident,
        query="q=chef",
        token="tok-" + "a" * 40,
        confirmed_at="2026-01-01T00:00Z",
    )


@pytest.mark.django_db
def test_header_your_account_opens_the_settings_page(resident):
    html = _signed_in(resident).get("/").content.decode()
    assert f'href="{reverse("users:settings")}">Your account</a>' in html


@pytest.mark.django_db
def test_settings_page_lists_every_setting(resident, rent_account, job_alert):
    payment_services.account_link(user=resident, account=rent_account, actor=None)
    html = _signed_in(resident).get(reverse("users:settings")).content.decode()
    assert 'class="govuk-summary-list"' in html
    for text in (
        "Rita Resident",
        "resident@example.org",
        f'href="{reverse("account_email")}"',
        f'href="{reverse("account_change_password")}"',
        f'href="{reverse("mfa_activate_totp")}"',
        "Rent accounts",
        "3333333333",
        "Rent reminder emails",
        f'href="{reverse("payments:reminders")}"',
        "Daily email: q=chef",
        f'href="{reverse("employment:alert_unsubscribe", args=[job_alert.token])}"',
        f'href="{reverse("users:sign_out_everywhere")}"',
        f'href="{reverse("users:close")}"',
    ):
        assert text in html, text
    assert "Recovery codes" not in html


@pytest.mark.django_db
def test_two_factor_row_offers_recovery_codes_and_remove_when_on():
    user = make_user("twofa@example.org", totp_secret=TOTP_SECRET)
    html = _signed_in(user).get(reverse("users:settings")).content.decode()
    assert f'href="{reverse("mfa_view_recovery_codes")}">Recovery codes</a>' in html
    assert f'href="{reverse("mfa_deactivate_totp")}"' in html
    assert f'href="{reverse("mfa_activate_totp")}"' not in html


@pytest.mark.django_db
def test_settings_need_sign_in(client):
    response = client.get(reverse("users:settings"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_change_name_with_a_govuk_error_when_empty(resident):
    client = _signed_in(resident)
    html = client.post(reverse("users:name"), {"name": "  "}).content.decode()
    assert '<a href="#id_name">Enter your full name</a>' in html
    assert 'autocomplete="name"' in html
    assert client.post(reverse("users:name"), {"name": "Rita R. Resident"}).status_code == 302
    resident.refresh_from_db()
    assert resident.name == "Rita R. Resident"


@pytest.mark.django_db
def test_sign_out_everywhere_ends_every_session_of_that_user_only(resident, other_resident):
    laptop, phone, someone_else = _signed_in(resident), _signed_in(resident), _signed_in(other_resident)
    assert phone.get(reverse("users:settings")).status_code == 200
    response = laptop.post(reverse("users:sign_out_everywhere"))
    assert response["Location"] == reverse("account_login")
    for client in (laptop, phone):
        assert client.get(reverse("users:settings")).status_code == 302
    assert someone_else.get(reverse("users:settings")).status_code == 200
    # Signing in again works at once.
    assert _signed_in(User.objects.get(pk=resident.pk)).get(reverse("users:settings")).status_code == 200
    assert AuditEvent.objects.filter(action="users.account.signed_out_everywhere", actor=resident).exists()


@pytest.mark.django_db
def test_sign_out_everywhere_is_a_post(resident):
    client = _signed_in(resident)
    assert client.get(reverse("users:sign_out_everywhere")).status_code == 200
    assert client.get(reverse("users:settings")).status_code == 200


@pytest.mark.django_db
def test_close_account_explains_what_is_kept_and_needs_the_password(resident):
    client = _signed_in(resident)
    html = client.get(reverse("users:close")).content.decode()
    assert "What we must keep, and why" in html
    assert "rent account, rent statement and payments" in html
    html = client.post(reverse("users:close"), {"password": "wrong"}).content.decode()
    assert "Your password is not right." in html
    assert User.objects.get(pk=resident.pk).is_active


@pytest.mark.django_db
def test_close_account_removes_the_login_and_keeps_the_records(
    resident, other_resident, rent_account, job_alert
):
    payment_services.account_link(user=resident, account=rent_account, actor=None)
    payment_services.ledger_post(
        account_id=rent_account.pk, kind="rent", amount_pence=100, description="Rent"
    )
    other_alert = SavedSearch.objects.create(
        email=other_resident.email, user=other_resident, query="q=x", token="t2"
    )
    client, other_device = _signed_in(resident), _signed_in(resident)
    response = client.post(reverse("users:close"), {"password": PASSWORD})
    assert "Your account has been deleted" in response.content.decode()

    user = User.objects.get(pk=resident.pk)
    assert not user.is_active
    assert user.email != "resident@example.org"
    assert user.name == ""
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not AccountLink.objects.filter(user=user, unlinked_at__isnull=True).exists()
    job_alert.refresh_from_db()
    other_alert.refresh_from_db()
    assert job_alert.unsubscribed_at is not None
    assert other_alert.unsubscribed_at is None
    # The rent account and its ledger stay: the law says we keep them.
    assert rent_account.entries.count() == 1
    assert other_device.get(reverse("users:settings")).status_code == 302
    # The address is free to sign in with again? No: nothing signs in as the closed account.
    response = Client().post(
        reverse("account_login"), {"login": "resident@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="users.account.closed", object_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_staff_cannot_close_their_own_account(make_staff):
    officer = make_staff("officer@example.org")
    client = Client()
    client.force_login(officer)
    html = client.post(reverse("users:close"), {"password": PASSWORD}).content.decode()
    assert "Staff accounts are closed by your manager" in html
    assert User.objects.get(pk=officer.pk).is_active
