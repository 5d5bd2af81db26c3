"""Paying rent in Chromium with localstripe's Stripe.js: a plain card, a 3-D Secure card and a decline."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from hackney_portal.core.models import Notification
from hackney_portal.devservices import register_localstripe_webhook
from payments.models import LedgerEntry, RentAccount
from tests.conftest import make_user
from tests.e2e.conftest import assert_accessible
from tests.payments.conftest import CARD_3DS, CARD_DECLINED, CARD_OK


@pytest.fixture
def rent_account(transactional_db, live_server):
    from payments import services

    register_localstripe_webhook(
        settings.STRIPE_API_BASE,
        f"{live_server.url}/payments/stripe/webhook/",
        settings.STRIPE_WEBHOOK_SECRETS[0],
        name="e2e",
    )
    acc = RentAccount.objects.create(
        reference="1234567890",
        postcode="E8 1EA",
        tenant_name="Jane Smith",
        address="4 Mare Street",
        weekly_rent_pence=15_000,
        contact_email="jane.smith@example.org",
    )
    services.ledger_post(account_id=acc.pk, kind="rent", amount_pence=15_000, description="Rent")
    make_user("tenant@example.org", password="tenant-pass-phrase-1")
    yield acc
    # The live server outlives this test; later tests that simulate lost webhooks must not get ours.
    register_localstripe_webhook(
        settings.STRIPE_API_BASE,
        f"{live_server.url}/payments/stripe/webhook/",
        settings.STRIPE_WEBHOOK_SECRETS[0],
        name="e2e",
        events=["none"],
    )


def _find_sign_in_and_link(page):
    page.goto("/pay-rent/")
    assert_accessible(page)
    page.fill("#id_reference", "1234567890")
    page.fill("#id_postcode", "e8 1ea")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("body")).to_contain_text("Jxxx Sxxxx")
    assert_accessible(page)
    page.get_by_role("link", name="Sign in").last.click()
    page.fill("input[name=login]", "tenant@example.org")
    page.fill("input[name=password]", "tenant-pass-phrase-1")
    page.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
    page.get_by_role("button", name="Link this rent account").click()
    # The code goes to the email on the tenancy record; the tenant types it in.
    assert_accessible(page)
    note = Notification.objects.filter(template="payments/email/link_code").latest("created_at")
    assert note.to == "jane.smith@example.org"
    page.fill("#id_code", re.search(r"enter this code: (\d{6})", note.body).group(1))
    page.get_by_role("button", name="Continue").click()
    assert "£150.00" in page.locator("#balance").inner_text()
    assert_accessible(page)


def _pay(page, amount: str, card: str):
    _to_card_page(page, amount)
    _enter_card(page, card)


def assert_accessible_with_conditional_reveal(page, exclude=None) -> None:
    """axe on a page with a GOV.UK conditional reveal. GOV.UK Frontend sets aria-expanded on the radio that
    reveals, which ARIA 1.2 does not list for role radio; the Design System keeps it on purpose because screen
    readers announce it (alphagov/govuk-frontend#979, a documented known issue). Only that one finding, on
    radios, is let through; everything else must pass as usual."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.e2e.conftest import AXE_TAGS

    page.wait_for_load_state()
    results = Axe().run(
        page,
        context={"exclude": exclude} if exclude else None,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}},
    )
    left = []
    for v in results.response["violations"]:
        nodes = [
            n
            for n in v["nodes"]
            if not (
                v["id"] == "aria-allowed-attr"
                and 'type="radio"' in n["html"]
                and "aria-expanded" in n.get("failureSummary", "")
            )
        ]
        if nodes:
            left.append(f"- {v['id']}: {v['help']} -> {[n['html'] for n in nodes]}")
    assert not left, "\n".join([page.url, *left])


def _to_card_page(page, amount: str):
    page.get_by_role("button", name="Pay now").click() if page.get_by_role(
        "button", name="Pay now"
    ).count() else page.get_by_role("link", name="Pay now").first.click()
    assert_accessible_with_conditional_reveal(page)
    page.get_by_label("Pay another amount").check()
    page.fill("#id_amount", amount)
    page.get_by_role("button", name="Continue to card details").click()
    page.wait_for_selector("#card-element input")


def _enter_card(page, card: str):
    assert_accessible(page, context={"exclude": [["#card-element"]]})  # the provider's own fields
    page.fill("#card-element input[placeholder=number]", card)
    page.fill("#card-element input[placeholder=exp_month]", "12")
    page.fill("#card-element input[placeholder=exp_year]", "30")
    page.fill("#card-element input[placeholder=cvc]", "123")
    page.fill("#card-element input[placeholder=postal_code]", "E81EA")
    page.get_by_role("button", name=re.compile("^Pay £")).click()


def _balance(account) -> int:
    account.refresh_from_db()
    return account.balance_pence


@pytest.mark.parametrize(
    "page",
    [{"width": 1280, "height": 900}, {"width": 320, "height": 800}],
    indirect=True,
    ids=["1280", "320"],
)
def test_pay_by_card_balance_falls_by_exactly_the_amount(page, rent_account):
    _find_sign_in_and_link(page)
    before = _balance(rent_account)
    _pay(page, "12.34", CARD_OK)
    page.wait_for_selector("text=Payment received")
    assert_accessible(page)
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert _balance(rent_account) == before - 1234
    assert LedgerEntry.objects.filter(payment__reference=reference).count() == 1
    assert (
        Notification.objects.filter(
            template="payments/email/receipt",
            key__endswith=":" + str(LedgerEntry.objects.get(payment__reference=reference).payment_id),
        ).count()
        == 1
    )
    # The back button goes to the receipt, never to a second card form.
    page.go_back()
    page.wait_for_load_state()
    assert "Enter card details" not in page.locator("h1").first.inner_text()
    assert page.console_errors == []


@pytest.mark.parametrize(
    "page",
    [{"width": 1280, "height": 900}, {"width": 320, "height": 800}],
    indirect=True,
    ids=["1280", "320"],
)
def test_three_d_secure_card_completes_the_challenge(page, rent_account):
    _find_sign_in_and_link(page)
    before = _balance(rent_account)
    _pay(page, "20.00", CARD_3DS)
    page.get_by_role("button", name="Complete authentication").click()
    page.wait_for_selector("text=Payment received")
    assert_accessible(page)
    _no_sideways_scroll(page)
    assert _balance(rent_account) == before - 2000


@pytest.mark.parametrize(
    "page",
    [{"width": 1280, "height": 900}, {"width": 320, "height": 800}],
    indirect=True,
    ids=["1280", "320"],
)
def test_declined_card_leaves_the_balance_unchanged_with_a_clear_message(page, rent_account):
    _find_sign_in_and_link(page)
    before = _balance(rent_account)
    _pay(page, "5.00", CARD_DECLINED)
    page.wait_for_selector("text=Your payment was not taken")
    assert "No money has been taken" in page.content()
    assert_accessible(page)
    _no_sideways_scroll(page)
    assert _balance(rent_account) == before


def test_card_details_never_reach_our_origin(page, rent_account, live_server):
    """PCI DSS SAQ A: card fields are the provider's, and the number goes only to the provider.

    With real Stripe the fields sit in an iframe from js.stripe.com; localstripe's stand-in draws them into
    the mount point instead, so what is checked here is what holds for both: our server's HTML has no card
    field, the fields appear only inside the provider's mount point from the provider's script, and no
    request to our origin carries the card number or security code."""
    sent_to_us: list[str] = []

    def record(request):
        if request.url.startswith(live_server.url):
            sent_to_us.append(f"{request.url} {request.post_data or ''}")

    page.on("request", record)
    _find_sign_in_and_link(page)
    _to_card_page(page, "1.00")
    # The card page as our server sends it (same session), before the provider's script has run.
    served = page.request.get(page.url).text()
    _enter_card(page, CARD_OK)
    page.wait_for_selector("text=Payment received")

    assert 'id="card-element"' in served
    assert not re.search(r"<input[^>]+(cardnumber|card_number|cc-number|cvc|exp_)", served, re.I)
    assert CARD_OK not in " ".join(sent_to_us)
    assert not [u for u in sent_to_us if re.search(r"cvc=|exp_month=", u)]
    assert settings.STRIPE_JS_URL.split("/")[2] != live_server.url.split("/")[2]


# -- issue 16: what a resident sees, at desktop width and at 320 px (WCAG 1.4.10), with and without JavaScript


def _context_page(browser, live_server, *, width: int, javascript: bool = True):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _find_anonymously(page, reference: str = "1234567890", postcode: str = "E8 1EA"):
    page.goto("/pay-rent/")
    page.fill("#id_reference", reference)
    page.fill("#id_postcode", postcode)
    page.get_by_role("button", name="Continue").click()


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [1280, 320])
def test_amount_is_revealed_under_another_amount_and_the_radio_chosen_governs(
    browser, live_server, rent_account, width
):
    from payments.models import Payment

    context, page = _context_page(browser, live_server, width=width)
    try:
        _find_anonymously(page)
        page.get_by_role("button", name="Pay now").click()
        assert_accessible_with_conditional_reveal(page)
        _no_sideways_scroll(page)
        amount = page.locator("#id_amount")
        assert not amount.is_visible()
        page.get_by_label("Pay the balance of £150.00").check()
        assert not amount.is_visible()
        page.get_by_label("Pay another amount").check()
        assert amount.is_visible()
        amount.fill("10")
        assert_accessible_with_conditional_reveal(page)
        # Switching back to the balance hides the typed amount, and the balance is what is paid.
        page.get_by_label("Pay the balance of £150.00").check()
        assert not amount.is_visible()
        page.get_by_role("button", name="Continue to card details").click()
        page.wait_for_selector("#card-element")
        assert "£150.00" in page.locator("main").inner_text()
        assert Payment.objects.get().amount_pence == 15_000
    finally:
        context.close()


def test_amount_question_works_without_javascript(browser, live_server, rent_account):
    from payments.models import Payment

    context, page = _context_page(browser, live_server, width=320, javascript=False)
    try:
        _find_anonymously(page)
        page.get_by_role("button", name="Pay now").click()
        # Without JavaScript the panel is simply shown under its radio.
        expect(page.locator("#id_amount")).to_be_visible()
        page.fill("#id_amount", "12.50")
        page.get_by_role("button", name="Continue to card details").click()
        assert "Select how much you want to pay" in page.locator(".govuk-error-summary").inner_text()
        assert page.locator("#id_amount").input_value() == "12.50"
        page.get_by_label("Pay another amount").check()
        page.get_by_role("button", name="Continue to card details").click()
        expect(page.locator("main")).to_contain_text("£12.50")
        assert Payment.objects.get().amount_pence == 1_250
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_quick_view_says_what_to_pay_by_when(browser, live_server, rent_account, width):
    from payments.calendar import business_date, next_monday

    due = next_monday(business_date())
    context, page = _context_page(browser, live_server, width=width)
    try:
        _find_anonymously(page)
        text = page.locator("#what-is-due").inner_text()
        assert f"Pay £150.00 by {due:%A} {due.day} {due:%B}" in text
        assert "£150.00 a week" in text
        assert_accessible(page)
        _no_sideways_scroll(page)
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_card_page_change_amount_empty_card_and_cancel(browser, live_server, rent_account, width):
    """Issue 16 items 3 and 4: an anonymous payer is asked for an email for the receipt; the card page has
    "Change amount" (which brings back the amount typed) and "Cancel payment"; sending an empty card form
    shows an error and leaves the Pay button working; cancelling takes nothing."""
    from payments.models import Payment

    context, page = _context_page(browser, live_server, width=width)
    try:
        _find_anonymously(page)
        page.get_by_role("button", name="Pay now").click()
        email = page.locator("#id_email")
        expect(email).to_have_count(1)  # anonymous: asked, so they get a receipt
        email.fill("payer@example.org")
        page.get_by_label("Pay another amount").check()
        page.fill("#id_amount", "12.34")
        page.get_by_role("button", name="Continue to card details").click()
        page.wait_for_selector("#card-element input")
        assert "£12.34" in page.locator("main").inner_text()
        assert_accessible(page, context={"exclude": [["#card-element"]]})
        _no_sideways_scroll(page)

        page.get_by_role("link", name="Change amount").click()
        expect(page.locator("#id_amount")).to_have_value("12.34")
        page.fill("#id_amount", "20")
        page.get_by_role("button", name="Continue to card details").click()
        page.wait_for_selector("#card-element input")
        assert "£20.00" in page.locator("main").inner_text()

        # Nothing typed into the card fields: an error by the fields, and the button still works.
        page.locator("#card-submit").click()
        expect(page.locator("#card-error")).to_be_visible()
        said = page.locator("#card-error").inner_text().strip()
        assert said
        assert "localstripe" not in said.lower()
        assert "param" not in said.lower()  # the provider's own words are never shown
        expect(page.locator("#card-submit")).to_be_enabled()
        assert_accessible(page, context={"exclude": [["#card-element"]]})

        page.get_by_role("button", name="Cancel payment").click()
        page.wait_for_url(re.compile(r".*/pay-rent/payments/.+"))
        assert not Payment.objects.filter(status="succeeded").exists()
        assert _balance(rent_account) == 15_000
        assert Payment.objects.get(amount_pence=2_000).email == "payer@example.org"
    finally:
        context.close()
