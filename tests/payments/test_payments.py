import re
import uuid

import pytest
from django.db import transaction
from django.urls import reverse

from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.models import Notification
from payments import services
from payments.models import LedgerEntry, Payment
from payments.stripe_gateway import intent_retrieve
from tests.conftest import make_user
from tests.payments.conftest import CARD_3DS, CARD_DECLINED, CARD_OK, card_token, start_payment


@pytest.mark.django_db
def test_card_payment_succeeds_credits_ledger_once_and_sends_one_receipt(
    account, mailbox, django_capture_on_commit_callbacks
):
    payment = start_payment(account, amount_pence=1234)
    with django_capture_on_commit_callbacks(execute=True):
        payment = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_OK))
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.provider_payment_id.startswith("pi_")
    account.refresh_from_db()
    assert account.balance_pence == 16_000 - 1234
    credit = LedgerEntry.objects.get(payment=payment)
    assert (credit.kind, credit.amount_pence) == ("card_payment", -1234)
    with django_capture_on_commit_callbacks(execute=True):
        # The same confirmation again (a refresh, a replayed webhook) changes nothing.
        services.payment_refresh(payment_id=payment.pk)
        services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_OK))
    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    assert Notification.objects.filter(template="payments/email/receipt").count() == 1
    assert len(mailbox) == 1
    assert payment.reference in mailbox[0].subject


@pytest.mark.django_db
def test_double_submit_reuses_the_attempt_and_its_payment_intent(account):
    key = str(uuid.uuid4())
    first = services.payment_start(account=account, amount_pence=500, attempt_key=key)
    second = services.payment_start(account=account, amount_pence=500, attempt_key=key)
    assert first.pk == second.pk
    services.payment_pay_by_card(payment_id=first.pk, card_token=card_token(CARD_OK))
    again = services.payment_pay_by_card(payment_id=first.pk, card_token=card_token(CARD_OK))
    assert again.provider_payment_id == Payment.objects.get(pk=first.pk).provider_payment_id
    assert Payment.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_an_attempt_key_is_one_uuid_however_it_is_written_and_never_too_long(account):
    key = uuid.uuid4()
    first = services.payment_start(account=account, amount_pence=500, attempt_key=str(key))
    for spelling in (f"urn:uuid:{key}", "{" + str(key).upper() + "}", key.hex):
        assert services.payment_start(account=account, amount_pence=500, attempt_key=spelling).pk == first.pk
    # uuid.UUID() reads any number of hyphens and "urn:" prefixes: such a key was stored as sent (a 500).
    for hostile in ("-" * 65 + str(uuid.uuid4()), "urn:" * 20 + str(uuid.uuid4()), "-" * 10_240 + key.hex):
        with pytest.raises(ApplicationError, match="Start your payment again"):
            services.payment_start(account=account, amount_pence=500, attempt_key=hostile)
    assert Payment.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_an_attempt_key_does_not_hand_the_attempt_to_someone_else(account):
    resident = make_user("payer-one@example.org")
    other = make_user("payer-two@example.org")
    key = str(uuid.uuid4())
    mine = services.payment_start(account=account, amount_pence=500, attempt_key=key, user=resident)
    assert (
        services.payment_start(account=account, amount_pence=500, attempt_key=key, user=resident).pk
        == mine.pk
    )
    for who in ({"user": other}, {"email": "attacker@example.net"}, {}):
        with pytest.raises(ApplicationError, match="Start your payment again"):
            services.payment_start(account=account, amount_pence=100, attempt_key=key, **who)
    # Not signed in: the browser's own attempt, or the same form sent twice before the first answer came back.
    key = str(uuid.uuid4())
    anon = services.payment_start(account=account, amount_pence=700, attempt_key=key, email="a@example.org")
    again = services.payment_start(account=account, amount_pence=700, attempt_key=key, email="a@example.org")
    assert again.pk == anon.pk
    same_browser = services.payment_start(
        account=account, amount_pence=900, attempt_key=key, own_payment_ids=[anon.pk]
    )
    assert same_browser.pk == anon.pk
    with pytest.raises(ApplicationError, match="Start your payment again"):
        services.payment_start(account=account, amount_pence=900, attempt_key=key, email="a@example.org")
    with pytest.raises(ApplicationError, match="Start your payment again"):
        services.payment_start(account=account, amount_pence=700, attempt_key=key, user=resident)


@pytest.mark.django_db
def test_three_d_secure_card_waits_for_the_bank(account):
    payment = start_payment(account)
    payment = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_3DS))
    assert payment.status == Payment.Status.REQUIRES_ACTION
    assert not LedgerEntry.objects.filter(payment=payment).exists()
    assert intent_retrieve(payment.provider_payment_id).client_secret


@pytest.mark.django_db
def test_declined_card_fails_with_a_clear_message_and_no_credit(account):
    payment = start_payment(account)
    payment = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_DECLINED))
    assert payment.status == Payment.Status.FAILED
    assert payment.failure_message
    account.refresh_from_db()
    assert account.balance_pence == 16_000


@pytest.mark.django_db
def test_late_failure_after_success_is_ignored(account):
    payment = start_payment(account)
    payment = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_OK))
    with transaction.atomic():
        locked = services.payment_locked(payment_id=payment.pk)
        assert not services.payment_status_set(
            payment=locked, status=Payment.Status.FAILED, failure_message="late"
        )
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


@pytest.mark.django_db
def test_abandoned_attempt_expires_and_its_intent_is_cancelled(account):
    from django.utils import timezone

    payment = start_payment(account)
    payment = services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_3DS))
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - timezone.timedelta(minutes=91),
        updated_at=timezone.now() - timezone.timedelta(minutes=91),
    )
    result = services.payments_sweep()
    payment.refresh_from_db()
    assert result["expired"] == 1
    assert payment.status == Payment.Status.EXPIRED
    assert intent_retrieve(payment.provider_payment_id).status == "canceled"


@pytest.mark.django_db
def test_resident_journey_find_link_pay_over_http(
    client, resident, account, mailbox, django_capture_on_commit_callbacks
):
    account.contact_email = "jane.smith@example.org"
    account.save(update_fields=["contact_email"])
    response = client.post(reverse("payments:start"), {"reference": "1234 567 890", "postcode": "e81ea"})
    assert response.status_code == 302
    found = client.get(response["Location"])
    assert "Jxxx Sxxxx" in found.content.decode()
    assert "Jane Smith" not in found.content.decode()
    client.force_login(resident)
    client.post(reverse("payments:start"), {"reference": "1234567890", "postcode": "E8 1EA"})
    # Linking takes the one-time code emailed to the contact on the tenancy record.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payments:link", args=[account.pk]), {"action": "send"})
    code = re.search(r"enter this code: (\d{6})", mailbox[-1].body).group(1)
    client.post(reverse("payments:link", args=[account.pk]), {"code": code})
    page = client.get(reverse("payments:account", args=[account.pk]))
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    assert "£160.00" in page.content.decode()
    pay_page = client.get(reverse("payments:pay", args=[account.pk]))
    key = pay_page.context["form"].initial["attempt_key"]
    response = client.post(
        reverse("payments:pay", args=[account.pk]), {"choice": "other", "amount": "12.34", "attempt_key": key}
    )
    assert response.status_code == 302
    payment = Payment.objects.get(attempt_key=key)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"], {"card_token": card_token(CARD_OK), "step": "card"})
    assert response["Location"] == reverse("payments:status", args=[payment.reference])
    receipt = client.get(response["Location"]).content.decode()
    assert "Payment received" in receipt
    account.refresh_from_db()
    assert account.balance_pence == 16_000 - 1234
    statement = client.get(reverse("payments:statement", args=[account.pk]) + "?months=1&format=csv")
    assert statement["Content-Type"].startswith("text/csv")
    assert "-12.34" not in statement.content.decode()
    assert "12.34" in statement.content.decode()
    pdf = client.get(reverse("payments:statement", args=[account.pk]) + "?months=12&format=pdf")
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_wrong_account_number_or_postcode_gets_one_message_and_is_rate_limited(client, account):
    messages = set()
    for data in (
        {"reference": "1234567890", "postcode": "E5 0LL"},
        {"reference": "1111111111", "postcode": "E8 1EA"},
    ):
        html = client.post(reverse("payments:start"), data).content.decode()
        assert "There is a problem" in html
        messages.add("could not find a rent account with that account number and postcode" in html)
    assert messages == {True}
    for _ in range(4):
        client.post(reverse("payments:start"), {"reference": "1111111111", "postcode": "E8 1EA"})
    html = client.post(
        reverse("payments:start"), {"reference": "1234567890", "postcode": "E8 1EA"}
    ).content.decode()
    assert "tried too many times" in html


@pytest.mark.django_db
def test_badly_formatted_input_gets_govuk_errors(client, db):
    response = client.post(reverse("payments:start"), {"reference": "12ab", "postcode": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("govuk-error-message") == 2
    assert '<a href="#id_reference">' in html
    assert "<title>Error:" in html


@pytest.mark.django_db
def test_rent_reference_format_is_a_council_setting(client, settings, db):
    settings.COUNCIL = {
        **settings.COUNCIL,
        "rent_reference_regex": r"^[A-Z]\d{7}$",
        "rent_reference_hint": "a letter then 7 digits",
    }
    html = client.post(
        reverse("payments:start"), {"reference": "1234567890", "postcode": "E8 1EA"}
    ).content.decode()
    assert "a letter then 7 digits" in html


@pytest.mark.django_db
def test_statement_by_date_range_and_its_errors(client, resident, account):
    import datetime as dt

    from payments.calendar import business_date

    services.account_link(user=resident, account=account, actor=resident)
    client.force_login(resident)
    url = reverse("payments:statement", args=[account.pk])
    today = business_date()
    ok = client.get(
        url,
        {
            "start_0": today.day,
            "start_1": today.month,
            "start_2": today.year,
            "end_0": today.day,
            "end_1": today.month,
            "end_2": today.year,
        },
    )
    assert ok.status_code == 200
    assert len(ok.context["entries"]) == 2
    old = today - dt.timedelta(days=400)
    empty = client.get(
        url,
        {
            "start_0": old.day,
            "start_1": old.month,
            "start_2": old.year,
            "end_0": old.day,
            "end_1": old.month,
            "end_2": old.year,
        },
    )
    assert empty.context["entries"] == []
    bad = client.get(
        url, {"start_0": "31", "start_1": "2", "start_2": "2026", "end_0": "", "end_1": "", "end_2": ""}
    )
    html = bad.content.decode()
    assert "must be a real date" in html
    assert "There is a problem" in html
    csv = client.get(
        url,
        {
            "start_0": today.day,
            "start_1": today.month,
            "start_2": today.year,
            "end_0": today.day,
            "end_1": today.month,
            "end_2": today.year,
            "format": "csv",
        },
    )
    assert csv.content.decode().count("\n") == 4  # header, balance brought forward and two entries
