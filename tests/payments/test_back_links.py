"""The pay journey's Back links go one step back (card -> amount -> the account) and keep the answer given."""

import re

import pytest
from django.urls import reverse

from payments import services
from payments.models import Payment


def _found(client, account):
    client.post(reverse("payments:start"), {"reference": account.reference, "postcode": account.postcode})


def _back(page) -> str:
    return re.search(r'<a href="([^"]*)" class="govuk-back-link">Back</a>', page.content.decode()).group(1)


def _choose(client, account, data: dict) -> Payment:
    url = reverse("payments:pay", args=[account.pk])
    key = client.get(url).context["form"].initial["attempt_key"]
    response = client.post(url, {**data, "attempt_key": key})
    payment = Payment.objects.get(attempt_key=key)
    assert response.url == reverse("payments:card", args=[payment.reference])
    return payment


def _checked(page) -> list[str]:
    return re.findall(r'<input[^>]+value="(\w+)"[^>]*checked', page.content.decode())


@pytest.mark.django_db
def test_card_page_goes_back_to_the_amount_page_with_the_typed_amount_kept(client, account):
    _found(client, account)
    payment = _choose(client, account, {"choice": "other", "amount": "12.34"})
    back = _back(client.get(reverse("payments:card", args=[payment.reference])))
    assert back == reverse("payments:pay", args=[account.pk]) + f"?payment={payment.reference}"
    amount_page = client.get(back)
    assert _checked(amount_page) == ["other"]
    assert 'value="12.34"' in amount_page.content.decode()


@pytest.mark.django_db
def test_going_back_after_choosing_the_balance_keeps_that_choice(client, account):
    _found(client, account)
    payment = _choose(client, account, {"choice": "balance"})
    amount_page = client.get(_back(client.get(reverse("payments:card", args=[payment.reference]))))
    assert _checked(amount_page) == ["balance"]


@pytest.mark.django_db
def test_amount_page_goes_back_to_the_account_found_not_the_start_page(client, account):
    _found(client, account)
    assert _back(client.get(reverse("payments:pay", args=[account.pk]))) == reverse(
        "payments:found", args=[account.pk]
    )


@pytest.mark.django_db
def test_amount_page_goes_back_to_the_linked_accounts_page(client, resident, account):
    services.account_link(user=resident, account=account, actor=resident)
    client.force_login(resident)
    assert _back(client.get(reverse("payments:pay", args=[account.pk]))) == reverse(
        "payments:account", args=[account.pk]
    )


@pytest.mark.django_db
def test_another_persons_or_a_paid_payment_fills_in_nothing(client, account, other_account):
    # Someone else's payment reference in the address shows nothing of theirs.
    other = Payment.objects.create(
        account=account, amount_pence=4_321, attempt_key="someone-else", reference="PAY-NOT-MINE"
    )
    _found(client, account)
    url = reverse("payments:pay", args=[account.pk])
    for query in [f"?payment={other.reference}", "?payment=" + "x" * 5000, "?payment=%00<script>"]:
        page = client.get(url + query)
        assert page.status_code == 200
        assert _checked(page) == []
        assert "43.21" not in page.content.decode()
    # Their own payment, but on another account, or already past the card page: not their answer here.
    _found(client, other_account)
    mine = _choose(client, other_account, {"choice": "other", "amount": "5.00"})
    assert _checked(client.get(url + f"?payment={mine.reference}")) == []
    Payment.objects.filter(pk=mine.pk).update(status=Payment.Status.SUCCEEDED)
    page = client.get(reverse("payments:pay", args=[other_account.pk]) + f"?payment={mine.reference}")
    assert _checked(page) == []
