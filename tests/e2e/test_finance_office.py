"""The finance officer's day in Chromium (issue 16 items 8-13): sign in with two-factor, land on the finance
page, take a phone payment, refund a duplicate from its discrepancy, make and download the income file; a
dispute arriving and being won; the tenant's view; axe on each page added, at 1280 and 320 px."""

import datetime as dt
import json
import re
import urllib.request
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from hackney_portal.core.models import Notification
from hackney_portal.users import roles
from payments import services
from payments.calendar import business_date
from payments.models import Discrepancy, IncomeFile, LedgerEntry, Payment, ReconciliationRun, RentAccount
from payments.stripe_gateway import webhook_sign
from tests.conftest import TOTP_SECRET, make_user, staff_login
from tests.e2e.conftest import assert_accessible, sign_in_with_two_factor
from tests.payments.conftest import CARD_OK, card_token

PASSWORD = "finance-pass-phrase-1"


@pytest.fixture
def books(transactional_db):
    """A rent account with a card payment yesterday, and today a paid payment Stripe listed twice."""
    account = RentAccount.objects.create(
        reference="1234567890",
        postcode="E8 1EA",
        tenant_name="Jane Smith",
        address="4 Mare Street",
        weekly_rent_pence=15_000,
    )
    services.ledger_post(account_id=account.pk, kind="rent", amount_pence=15_000, description="Rent")
    yesterday = business_date() - dt.timedelta(days=1)
    earlier = services.payment_start(account=account, amount_pence=3_000, attempt_key=str(uuid.uuid4()))
    Payment.objects.filter(pk=earlier.pk).update(status="succeeded", provider_payment_id="pi_yesterday")
    earlier.refresh_from_db()
    services.ledger_post(
        account_id=account.pk,
        kind="card_payment",
        amount_pence=-3_000,
        description="Card payment",
        payment=earlier,
        on=yesterday,
    )
    paid = services.payment_start(account=account, amount_pence=2_000, attempt_key=str(uuid.uuid4()))
    paid = services.payment_pay_by_card(payment_id=paid.pk, card_token=card_token(CARD_OK))
    Payment.objects.filter(pk=paid.pk).update(email="payer@example.org")  # the receipt went here
    run = ReconciliationRun.objects.create(period_start=yesterday, period_end=yesterday)
    duplicate = Discrepancy.objects.create(
        run=run, kind="duplicate", key="txn_second", payment=paid, actual_pence=2_000, detail="Second"
    )
    make_user(
        "finance@example.org",
        password=PASSWORD,
        staff=True,
        groups=[roles.FINANCE_OFFICERS],
        totp_secret=TOTP_SECRET,
    )
    return {"account": account, "paid": paid, "duplicate": duplicate, "yesterday": yesterday}


def _enter_card(page, card: str) -> None:
    page.wait_for_selector("#card-element input")
    assert_accessible(page, context={"exclude": [["#card-element"]]})  # the provider's own fields
    page.fill("#card-element input[placeholder=number]", card)
    page.fill("#card-element input[placeholder=exp_month]", "12")
    page.fill("#card-element input[placeholder=exp_year]", "30")
    page.fill("#card-element input[placeholder=cvc]", "123")
    page.fill("#card-element input[placeholder=postal_code]", "E81EA")
    page.get_by_role("button", name=re.compile("^Take £")).click()


def test_finance_officers_day(page, books):
    account = books["account"]
    # Sign in with two-factor and land on the finance page, not the stock admin index.
    page.goto("/admin/")
    sign_in_with_two_factor(page, "finance@example.org", PASSWORD)
    page.wait_for_url("**" + reverse("admin:payments_dashboard"))
    assert page.get_by_role("heading", name="Today's takings").is_visible()
    assert "£20.00 taken by card in 1 payment" in " ".join(page.locator("#content").inner_text().split())
    assert_accessible(page)

    # Take a payment over the phone, with a receipt to the caller.
    page.get_by_role("link", name="Take a payment over the phone").click()
    assert_accessible(page)
    page.get_by_label("Rent account number").fill("1234567890")
    page.get_by_label(re.compile("^Amount the caller wants to pay")).fill("45.67")
    page.get_by_label(re.compile("^Caller's email address")).fill("caller@example.org")
    page.get_by_role("button", name="Continue to card details").click()
    _enter_card(page, CARD_OK)
    page.wait_for_selector("text=taken for rent account 1234567890")
    phone = Payment.objects.get(amount_pence=4_567)
    assert phone.status == "succeeded"
    assert phone.taken_by.email == "finance@example.org"
    assert LedgerEntry.objects.filter(payment=phone, kind="card_payment").count() == 1

    # Refund the duplicate from its discrepancy: one confirm page, capped by what was charged.
    page.goto("/admin/")
    page.get_by_role("link", name=re.compile("^Duplicate transaction: 1")).click()
    page.get_by_role("link", name=re.compile("^Refund duplicate")).click()
    expect(page.locator("body")).to_contain_text("£20.00 goes back to the card")
    assert_accessible(page)
    balance = RentAccount.objects.get(pk=account.pk).balance_pence
    page.get_by_role("button", name="Refund £20.00").click()
    page.wait_for_selector("text=refunded to the card")
    duplicate = Discrepancy.objects.get(pk=books["duplicate"].pk)
    assert (duplicate.status, duplicate.resolution) == ("resolved", "refunded")
    assert duplicate.resolved_by.email == "finance@example.org"
    assert RentAccount.objects.get(pk=account.pk).balance_pence == balance  # never credited, never debited
    # The payer hears about the refund by email, once (issue 16 item 4).
    told = Notification.objects.filter(template="payments/email/refund", to="payer@example.org")
    assert told.count() == 1
    assert "Refund: £20.00" in told.get().body
    assert (
        "Duplicate charge refunded to the card: finance@example.org" in page.locator("#content").inner_text()
    )

    # Make yesterday's income file from the back office and download it.
    page.goto(reverse("admin:payments_dashboard"))
    page.get_by_role("link", name="Make the income file for a day").click()
    assert_accessible(page)
    page.get_by_label(re.compile("^Business day")).fill(books["yesterday"].isoformat())
    page.get_by_role("button", name="Make the file").click()
    page.wait_for_selector("text=rows")
    income = IncomeFile.objects.get(business_date=books["yesterday"])
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download CSV")).first.click()
    with open(download.value.path(), "rb") as f:
        downloaded = f.read()
    assert downloaded == income.content.encode()
    assert ",PAYMENT," in downloaded.decode()
    assert page.console_errors == []


def _post_signed(live_server, event: dict) -> int:
    body = json.dumps(event).encode()
    request = urllib.request.Request(
        f"{live_server.url}/payments/stripe/webhook/",
        data=body,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": webhook_sign(body, settings.STRIPE_WEBHOOK_SECRETS[0]),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # nosec B310
        return response.status


def _dispute(event_type: str, payment: Payment, status: str) -> dict:
    """A dispute event as Stripe sends it (localstripe has no disputes: this is the test double at the
    Stripe boundary, signed with the webhook secret)."""
    return {
        "id": f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": event_type,
        "created": int(dt.datetime.now(dt.UTC).timestamp()),
        "data": {
            "object": {
                "id": "dp_e2e",
                "object": "dispute",
                "amount": payment.amount_pence,
                "currency": "gbp",
                "charge": payment.provider_charge_id,
                "payment_intent": payment.provider_payment_id,
                "reason": "fraudulent",
                "status": status,
                "evidence_details": {"due_by": int(dt.datetime.now(dt.UTC).timestamp()) + 7 * 86400},
            }
        },
    }


def test_a_dispute_arrives_debits_shows_on_the_finance_page_and_is_won(page, books, live_server, monkeypatch):
    paid, account = books["paid"], books["account"]
    before = RentAccount.objects.get(pk=account.pk).balance_pence
    assert _post_signed(live_server, _dispute("charge.dispute.created", paid, "needs_response")) == 200
    assert RentAccount.objects.get(pk=account.pk).balance_pence == before + 2_000  # arrears reappear
    page.goto("/admin/")
    sign_in_with_two_factor(page, "finance@example.org", PASSWORD)
    page.wait_for_url("**" + reverse("admin:payments_dashboard"))
    row = page.locator("tr", has_text="dp_e2e")
    assert paid.reference in row.inner_text()
    assert "£20.00" in row.inner_text()
    assert_accessible(page)

    assert _post_signed(live_server, _dispute("charge.dispute.closed", paid, "won")) == 200
    assert RentAccount.objects.get(pk=account.pk).balance_pence == before
    page.reload()
    assert page.locator("tr", has_text="dp_e2e").count() == 0
    # Today's income file carries the chargeback and its reversal (made as if the day had ended).
    today = business_date()
    monkeypatch.setattr("payments.admin_finance.business_date", lambda: today + dt.timedelta(days=1))
    page.goto(reverse("admin:payments_incomefile_make"))
    page.get_by_label(re.compile("^Business day")).fill(today.isoformat())
    page.get_by_role("button", name="Make the file").click()
    page.wait_for_selector("text=rows")
    content = IncomeFile.objects.get(business_date=today).content
    assert ",-20.00," in content
    assert f",CHARGEBACK,{paid.reference},dp_e2e," in content
    assert ",20.00," in content
    assert f",CHARGEBACK REVERSED,{paid.reference},dp_e2e," in content


def test_see_what_the_tenant_sees_and_come_back(page, books):
    account = books["account"]
    page.goto(reverse("admin:payments_rentaccount_change", args=[account.pk]))
    sign_in_with_two_factor(page, "finance@example.org", PASSWORD)
    page.goto(reverse("admin:payments_rentaccount_changelist"))
    page.get_by_role("link", name="See what the tenant sees").click()
    banner = page.locator("#staff-view-banner")
    assert "Staff view" in banner.inner_text()
    assert_accessible(page)
    banner.get_by_role("link", name="Statement").click()
    expect(page.get_by_role("heading", name="Rent statement")).to_be_visible()
    assert_accessible(page)
    page.locator("#staff-view-banner").get_by_role("link", name="Card payments").click()
    expect(page.locator("body")).to_contain_text(books["paid"].reference)
    assert_accessible(page)
    page.get_by_role("link", name="Back", exact=True).click()
    page.wait_for_url("**" + reverse("admin:payments_rentaccount_change", args=[account.pk]))


@pytest.mark.parametrize("width", [1280, 320])
def test_finance_pages_added_pass_axe(browser, live_server, books, width):
    from django.contrib.auth import get_user_model

    client = Client()
    officer = get_user_model().objects.get(email="finance@example.org")
    staff_login(client, officer, password=PASSWORD)
    phone = services.phone_payment_start(
        account_reference="1234567890",
        amount_pence=1_000,
        email="",
        attempt_key=str(uuid.uuid4()),
        actor=officer,
    )
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    account = books["account"]
    paths = [
        reverse("admin:payments_dashboard"),
        reverse("admin:payments_phone_start"),
        reverse("admin:payments_phone_card", args=[phone.reference]),
        reverse("admin:payments_discrepancy_refund", args=[books["duplicate"].pk]),
        reverse("admin:payments_discrepancy_changelist"),
        reverse("admin:payments_incomefile_make"),
        reverse("admin:payments_refund_changelist"),
        reverse("admin:payments_rentaccount_tenant_view", args=[account.pk]),
        reverse("admin:payments_rentaccount_tenant_statement", args=[account.pk]),
        reverse("admin:payments_rentaccount_tenant_payments", args=[account.pk]),
    ]
    try:
        for path in paths:
            assert page.goto(path).status == 200, path
            exclude = {"exclude": [["#card-element"]]} if "/phone/" in path else None
            assert_accessible(page, context=exclude)
        # Pages with errors: the phone form and the income file day sent empty.
        page.goto(reverse("admin:payments_phone_start"))
        page.get_by_role("button", name="Continue to card details").click()
        expect(page.locator(".govuk-error-summary")).to_have_count(1)
        assert_accessible(page)
        page.goto(reverse("admin:payments_incomefile_make"))
        page.get_by_role("button", name="Make the file").click()
        page.locator(".errorlist").first.wait_for()
        assert_accessible(page)
    finally:
        context.close()
