"""Email addresses at a bare IP address are refused by every email field, ours and allauth's."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from hackney_portal.users.models import User


@pytest.mark.parametrize("address", ["name@[127.0.0.1]", "name@[10.0.0.5]", "name@[IPv6:::1]"])
def test_an_address_at_a_bare_ip_is_refused_by_form_and_model_fields(address):
    with pytest.raises(ValidationError):
        forms.EmailField().clean(address)
    with pytest.raises(ValidationError) as refused:
        User(email=address, name="X").clean_fields(exclude=["password"])
    assert "email" in refused.value.message_dict


@pytest.mark.parametrize(
    "address", ["name@example.org", "o'brien@hackney.gov.uk", "name+tag@sub.example.co.uk"]
)
def test_ordinary_addresses_still_pass(address):
    assert forms.EmailField().clean(address) == address


@pytest.mark.django_db
def test_allauths_sign_up_refuses_one_too(client):
    page = client.post(
        "/accounts/signup/",
        {
            "email": "name@[127.0.0.1]",
            "password1": "a-long-pass-phrase-1",
            "password2": "a-long-pass-phrase-1",
        },
    )
    assert page.status_code == 200
    assert "email" in page.context["form"].errors
    assert not User.objects.filter(email="name@[127.0.0.1]").exists()
