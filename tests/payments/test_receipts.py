"""Receipts for everyone: anonymous payers may give an email address; every receipt has date and time."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hackney_portal.core.models import Notification
from payments.models import Payment
from tests.payments.conftest import CARD_OK, card_token


@pytest.mark.django_db
def test_anonymous_payer_is_asked_for_an_optional_email_and_gets_a_dated_receipt(
    client, account, django_capture_on_commit_callbacks
):
    client.post(reverse("payments:start"), {"reference": account.reference, "postcode": account.postcode})
    url = reverse("payments:pay", args=[account.pk])
    page = client.get(url)
    html = page.content.decode()
    assert "Email address (optional)" in html
    assert "We will email you a receipt for this payment" in html
    key = page.context["form"].initial["attempt_key"]
    for wrong in ("not-an-email", "payer@[127.0.0.1]", "payer@[IPv6:::1]"):
        bad = client.post(url, {"choice": "other", "amount": "5", "email": wrong, "attempt_key": key})
        assert "Enter an email address in the correct format" in bad.content.decode(), wrong
    response = client.post(
        url, {"choice": "other", "amount": "5", "email": "payer@example.org", "attempt_key": key}
    )
    payment = Payment.objects.get(attempt_key=key)
    assert payment.email == "payer@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"card_token": card_token(CARD_OK), "step": "card"})
    payment.refresh_from_db()
    note = Notification.objects.get(template="payments/email/receipt")
    assert note.to == "payer@example.org"
    when = timezone.localtime(payment.succeeded_at)
    # Written out, as a resident reads a date in prose: "Monday 7 December 2026 at 2:30pm".
    assert f"Date and time: {when:%A} {when.day} {when:%B %Y} at " in note.body
    assert re.search(r"Date and time: .* at (midday|midnight|\d{1,2}(:\d{2})?(am|pm))\n", note.body)
    assert "few days" not in note.body


@pytest.mark.django_db
def test_no_email_question_for_a_signed_in_payer(client, resident, account):
    from payments import services

    services.account_link(user=resident, account=account, actor=resident)
    client.force_login(resident)
    html = client.get(reverse("payments:pay", args=[account.pk])).content.decode()
    assert "Email address (optional)" not in html


@pytest.mark.django_db
def test_a_refund_sends_one_email_to_the_payer(account, make_staff):
    from hackney_portal.users import roles
    from payments import services
    from tests.payments.conftest import start_payment

    officer = make_staff("fin@example.org", roles.FINANCE_OFFICERS)
    payment = start_payment(account, amount_pence=5000)
    payment = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_OK))
    services.refund_request(payment_id=payment.pk, amount_pence=2000, reason="Overpaid", actor=officer)
    notes = Notification.objects.filter(template="payments/email/refund")
    assert notes.count() == 1
    note = notes.get()
    assert note.to == "payer@example.org"
    assert "Refund: £20.00" in note.body
    assert payment.reference in note.body
    # The refund's own time, written the GOV.UK way ("at 2:30pm"), never Django's "p.m.".
    assert re.search(
        r"Date and time: \w+day \d{1,2} \w+ \d{4} at (midday|midnight|\d{1,2}(:\d{2})?(am|pm))\n", note.body
    )
    assert "p.m." not in note.body
