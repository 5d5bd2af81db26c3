"""Taking a card payment over the phone (issue 16 item 9): staff only, audited, on the resident's card path
(one credit, one receipt), and honest where localstripe has no MOTO."""

import uuid

import pytest
import stripe
from django.conf import settings
from django.urls import reverse

from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.models import AuditEvent, Notification
from hackney_portal.users import roles
from payments import services
from payments.models import LedgerEntry, Payment
from tests.conftest import staff_login
from tests.payments.conftest import CARD_3DS, CARD_OK, card_token


@pytest.fixture
def officer(make_staff):
    return make_staff("finance@example.org", roles.FINANCE_OFFICERS)


def _start(account, officer, amount_pence=4_000, email="caller@example.org") -> Payment:
    return services.phone_payment_start(
        account_reference=account.reference,
        amount_pence=amount_pence,
        email=email,
        attempt_key=str(uuid.uuid4()),
        actor=officer,
    )


@pytest.mark.django_db
def test_phone_payment_credits_once_sends_a_receipt_and_records_who_took_it(
    account, officer, django_capture_on_commit_callbacks
):
    payment = _start(account, officer)
    token = card_token(CARD_OK)
    with django_capture_on_commit_callbacks(execute=True):
        taken = services.phone_payment_take(payment_id=payment.pk, card_token=token, actor=officer)
        # The same card form sent twice (a double click): nothing more is taken or credited.
        again = services.phone_payment_take(payment_id=payment.pk, card_token=token, actor=officer)
    assert taken.status == again.status == "succeeded"
    assert taken.taken_by == officer
    assert LedgerEntry.objects.filter(payment=payment, kind="card_payment").count() == 1
    assert Notification.objects.get(template="payments/email/receipt").to == "caller@example.org"
    started = AuditEvent.objects.get(action="payments.payment.started", object_id=str(payment.pk))
    assert started.actor == officer
    assert started.data["taken_by_phone"] == officer.pk
    # The intent says it was a phone payment (what Stripe uses, with MOTO, to skip 3-D Secure).
    intent = stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE}
    ).v1.payment_intents.retrieve(taken.provider_payment_id)
    assert intent.metadata["channel"] == "phone"


@pytest.mark.django_db
def test_a_card_that_wants_3d_secure_is_cancelled_not_left_waiting(account, officer):
    # localstripe ignores payment_method_options.card.moto, so this card still asks for 3-D Secure there;
    # nobody on the phone can answer it, so nothing may be taken later.
    payment = _start(account, officer)
    with pytest.raises(ApplicationError) as exc:
        services.phone_payment_take(payment_id=payment.pk, card_token=card_token(CARD_3DS), actor=officer)
    assert exc.value.code == "needs_cardholder"
    payment.refresh_from_db()
    assert payment.status == "expired"
    assert not LedgerEntry.objects.filter(payment=payment).exists()


@pytest.mark.django_db
def test_an_online_payment_cannot_be_taken_through_the_phone_path(account, officer):
    online = services.payment_start(account=account, amount_pence=1_000, attempt_key=str(uuid.uuid4()))
    with pytest.raises(ApplicationError):
        services.phone_payment_take(payment_id=online.pk, card_token=card_token(CARD_OK), actor=officer)
    assert Payment.objects.get(pk=online.pk).status == "created"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reference": "", "amount": "10"}, "Enter the caller&#x27;s rent account number"),
        ({"reference": "12", "amount": "10"}, "Enter the rent account number in the right format"),
        ({"reference": "5555555555", "amount": "10"}, "There is no rent account with that number"),
        ({"reference": "1234567890", "amount": "ten"}, "Amount must be a number"),
        ({"reference": "1234567890", "amount": "0.50"}, "Amount must be £1 or more"),
        ({"reference": "1234567890", "amount": "1e30"}, "Amount must be"),
        ({"reference": "1234567890", "amount": "10", "email": "no"}, "Enter an email address"),
    ],
)
def test_phone_page_bad_input_gets_a_govuk_error_not_a_500(client, account, officer, data, message):
    staff_login(client, officer)
    url = reverse("admin:payments_phone_start")
    key = client.get(url).context["form"].initial["attempt_key"]
    response = client.post(url, {"email": "", **data, "attempt_key": key})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert message in html
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_phone_pages_are_for_finance_and_each_attempt_for_the_officer_who_started_it(
    client, account, officer, make_staff
):
    staff_login(client, officer)
    url = reverse("admin:payments_phone_start")
    key = client.get(url).context["form"].initial["attempt_key"]
    response = client.post(
        url, {"reference": "1234 567 890", "amount": "12.50", "email": "", "attempt_key": key}
    )
    payment = Payment.objects.get(attempt_key=key)
    assert response["Location"] == reverse("admin:payments_phone_card", args=[payment.reference])
    assert (payment.amount_pence, payment.taken_by, payment.user) == (1_250, officer, None)
    page = client.get(response["Location"]).content.decode()
    assert "Take £12.50" in page
    # The back button and a second submit find the same attempt.
    client.post(url, {"reference": "1234567890", "amount": "12.50", "email": "", "attempt_key": key})
    assert Payment.objects.count() == 1
    # An empty card form is an error on the page, not a 500 and not a charge.
    empty = client.post(response["Location"], {"card_token": "", "step": "card"})
    assert empty.status_code == 400
    assert "Enter the caller" in empty.content.decode()
    # Another finance officer cannot charge this caller's attempt; a housing officer cannot open the pages.
    staff_login(client, make_staff("other@example.org", roles.FINANCE_OFFICERS))
    assert client.get(response["Location"]).status_code == 404
    staff_login(client, make_staff("housing@example.org", roles.HOUSING_OFFICERS))
    assert client.get(url).status_code == 403
    assert client.post(response["Location"], {"card_token": card_token(CARD_OK)}).status_code == 403
    payment.refresh_from_db()
    assert payment.status == "created"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "amount",
    [
        "-10",
        "£10.005",
        "10.005",
        "1e9",
        "999999999999999999999",
        "١٢",
        "१०",
        "１０",
        "NaN",
        "10\x00",
        "",
        " ",
    ],
)
@pytest.mark.parametrize("reference", ["1234567890", "9999999999", "12345\x0067890", "x" * 5000])
def test_phone_page_hostile_amounts_and_references_keep_the_other_answers(
    client, account, officer, amount, reference
):
    staff_login(client, officer)
    url = reverse("admin:payments_phone_start")
    key = client.get(url).context["form"].initial["attempt_key"]
    response = client.post(
        url, {"reference": reference, "amount": amount, "email": "caller@example.org", "attempt_key": key}
    )
    if response.status_code == 302:
        # Only an amount that means a whole number of pence, for an account that exists, starts a payment:
        # digits of other scripts mean what they say, and NUL is dropped from input before any form sees it.
        meant = {"١٢": 1_200, "१०": 1_000, "１０": 1_000, "10\x00": 1_000}
        assert reference.replace("\x00", "") == "1234567890"
        assert Payment.objects.get(attempt_key=key).amount_pence == meant[amount]
        return
    assert response.status_code == 200, (amount, reference)
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert 'value="caller@example.org"' in html
    assert not Payment.objects.exists()
