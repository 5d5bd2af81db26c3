"""The amount question: whichever radio is chosen decides the amount; one choice means no radios."""

import re

import pytest
from django.urls import reverse

from payments import services
from payments.models import Payment


def _found(client, account):
    client.post(reverse("payments:start"), {"reference": account.reference, "postcode": account.postcode})


def _key(page) -> str:
    return page.context["form"].initial["attempt_key"]


@pytest.mark.django_db
def test_amount_is_revealed_only_under_pay_another_amount_and_nothing_is_preselected(client, account):
    _found(client, account)
    page = client.get(reverse("payments:pay", args=[account.pk]))
    html = page.content.decode()
    # Never pre-selected (a default left selected is how a typed amount got ignored).
    assert not re.search(r'<input[^>]+type="radio"[^>]+checked', html)
    assert "Pay the balance of £160.00" in html
    other = re.search(r'<input[^>]+value="other"[^>]*>', html).group(0)
    assert 'data-aria-controls="conditional-amount"' in other
    conditional = html[html.index('id="conditional-amount"') :]
    assert 'class="govuk-radios__conditional govuk-radios__conditional--hidden"' in html
    # The amount field sits inside the revealed panel, after "Pay another amount".
    assert conditional.index('name="amount"') < conditional.index("</fieldset>")


@pytest.mark.django_db
def test_chosen_radio_governs_never_the_typed_amount(client, account):
    _found(client, account)
    url = reverse("payments:pay", args=[account.pk])
    key = _key(client.get(url))
    client.post(url, {"choice": "balance", "amount": "10.00", "attempt_key": key})
    assert Payment.objects.get(attempt_key=key).amount_pence == 16_000
    key = _key(client.get(url))
    client.post(url, {"choice": "other", "amount": "10.00", "attempt_key": key})
    assert Payment.objects.get(attempt_key=key).amount_pence == 1_000


@pytest.mark.django_db
def test_an_amount_without_a_choice_asks_which_one(client, account):
    _found(client, account)
    url = reverse("payments:pay", args=[account.pk])
    key = _key(client.get(url))
    response = client.post(url, {"amount": "10.00", "attempt_key": key})
    html = response.content.decode()
    assert "Select how much you want to pay" in html
    assert '<a href="#id_choice_0">' in html
    # What they typed is kept, and the panel it is in stays open.
    assert 'value="10.00"' in html
    assert not Payment.objects.filter(attempt_key=key).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("balance_change", [-16_000, -20_000])
def test_no_radios_when_there_is_nothing_to_pay_off(client, account, balance_change):
    services.ledger_post(
        account_id=account.pk, kind="direct_debit", amount_pence=balance_change, description="Direct Debit"
    )
    account.refresh_from_db()
    _found(client, account)
    url = reverse("payments:pay", args=[account.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'type="radio"' not in html
    assert "Pay the balance" not in html
    assert (
        '<label class="govuk-label govuk-label--l" for="id_amount">How much do you want to pay?</label>'
        in html
    )
    if account.balance_pence < 0:
        assert "£40.00 in credit" in html
    key = _key(page)
    response = client.post(url, {"amount": "25", "attempt_key": key})
    assert response.status_code == 302
    assert Payment.objects.get(attempt_key=key).amount_pence == 2_500
    # An empty amount is an error on the amount, not a question they were never asked.
    html = client.post(url, {"amount": "", "attempt_key": _key(client.get(url))}).content.decode()
    assert '<a href="#id_amount">Enter an amount to pay</a>' in html


@pytest.mark.parametrize(
    ("typed", "pence", "error"),
    [
        ("12.34", 1234, ""),
        ("£12.34", 1234, ""),
        ("£ 1,250.50", 125_050, ""),
        ("1250.5", 125_050, ""),
        (".50", 50, ""),
        ("25", 2500, ""),
        # A decimal comma is not read as a thousands separator: "5,00" was taken as £500.
        ("5,00", None, "Use a full stop between pounds and pence"),
        ("10,5", None, "Use a full stop between pounds and pence"),
        ("1,2,3", None, "Amount must be a number"),
        ("12,34.00", None, "Amount must be a number"),
        ("1_000", None, "Amount must be a number"),
        ("1E3", None, "Amount must be a number"),
        ("NaN", None, "Amount must be a number"),
        ("\u0661\u0660", None, "Amount must be a number"),  # Arabic-Indic digits
        ("-5", None, "Amount must be a number"),
        ("0.001", None, "Amount must be in pounds and pence"),
        (".", None, "Amount must be a number"),
    ],
)
def test_an_amount_is_read_as_a_uk_payer_writes_it(typed, pence, error):
    from payments.forms import AmountForm

    form = AmountForm({"amount": typed}, balance_pence=0)
    form.is_valid()
    if error:
        assert any(error in e for e in form.errors.get("amount", [])), form.errors
    else:
        assert form.cleaned_data["amount_pence"] == pence, form.errors
