"""The factories build records the way the portal does, through its own services."""

import pyotp
import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from hackney_portal.core import roles
from hackney_portal.users.services import totp_code_verify
from tests.factories import (
    TOTP_SECRET,
    CaseFactory,
    OpportunityFactory,
    RentAccountFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_user_has_a_confirmed_address_and_can_sign_in():
    user = UserFactory(email="rita@example.org", name="Rita Resident")
    assert EmailAddress.objects.get(user=user).verified
    assert not user.is_staff
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "rita@example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("core:home")).context["user"] == user


def test_each_user_gets_their_own_address():
    assert UserFactory().email != UserFactory().email


def test_staff_are_in_their_groups_with_two_factor_and_superusers_only_when_asked():
    officer = StaffFactory(email="officer@example.org", groups=(roles.HOUSING_OFFICERS,))
    assert officer.is_staff
    assert not officer.is_superuser
    assert roles.user_in_group(officer, roles.HOUSING_OFFICERS)
    totp = officer.authenticator_set.get(type="totp")
    assert totp_code_verify(authenticator_id=totp.pk, code=pyotp.TOTP(TOTP_SECRET).now())
    boss = StaffFactory(email="boss@example.org", is_superuser=True)
    boss.refresh_from_db()
    assert boss.is_superuser


def test_a_rent_account_s_charges_go_through_its_ledger():
    account = RentAccountFactory(charges=[("rent", 15_000, "Rent"), ("service_charge", 1_000, "Service")])
    assert account.balance_pence == 16_000
    assert account.entries.count() == 2
    again = RentAccountFactory(reference=account.reference)
    assert again.pk == account.pk


def test_a_case_is_submitted_through_the_intake():
    case = CaseFactory(answers={"name": "Sam Smith", "email": "sam@example.org"})
    assert case.pk
    assert case.reference


def test_a_listing_is_published_unless_asked_not_to():
    published = OpportunityFactory(title="Chef", fields={"sector": "Hospitality"})
    draft = OpportunityFactory(title="Porter", publish=False)
    assert published.status == "published"
    assert draft.status == "draft"
    assert Client().get(reverse("employment:detail", args=[published.pk])).status_code == 200
