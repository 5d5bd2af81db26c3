import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible


def test_sign_up_errors_follow_the_govuk_pattern_and_are_accessible(page):
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "not-an-email")
    page.fill("input[name=password1]", "short")
    page.fill("input[name=password2]", "different")
    page.get_by_role("button", name=re.compile("create an account", re.I)).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "There is a problem" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert page.locator(".govuk-form-group--error").count() >= 1
    # Each summary link moves focus to its field.
    first_link = summary.locator("a").first
    target = first_link.get_attribute("href")
    first_link.click()
    assert page.evaluate("document.activeElement.id") == target.lstrip("#")
    assert page.input_value("input[name=password1]") == ""  # passwords are never echoed back
    assert_accessible(page)
    page.screenshot(path="/tmp/signup-errors.png", full_page=True)


def test_sign_in_with_wrong_password_shows_an_error_summary(page):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "nobody@example.org")
    page.fill("input[name=password]", "wrong-password-1")
    page.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)


def _sign_in(page, email: str, password: str = "correct-horse-battery") -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
    page.wait_for_url(re.compile(r"/$"))


def test_a_resident_sees_rent_case_and_applications_on_one_page(page, resident, make_staff):
    from hackney_portal.users import roles
    from tests.core.test_your_home import resident_using_everything

    made = resident_using_everything(resident, make_staff("officer@example.org", roles.HOUSING_OFFICERS))
    _sign_in(page, resident.email)
    main = page.locator("main")
    text = main.inner_text()
    assert "Successfully signed in" not in text
    assert "You owe £364.16 rent on account 1111111111." in text
    assert made["case"].reference in text
    assert "Kitchen porter" in text
    assert_accessible(page)
    page.get_by_role("link", name="Pay now").click()
    page.wait_for_url(f"**/pay-rent/accounts/{made['account'].pk}/pay/")


def test_a_resident_sets_up_two_factor_from_the_settings_page(page, resident):
    import pyotp

    _sign_in(page, resident.email)
    page.get_by_role("link", name="Your account").click()
    page.wait_for_url("**/your-account/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Set up\s+two-factor")).click()
    # Changing how you sign in asks for the password again first.
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert_accessible(page)
    page.fill("input[name=password]", "correct-horse-battery")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").inner_text().strip()
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.goto("/your-account/")
    row = page.locator(".govuk-summary-list__row", has_text="Two-factor authentication")
    assert "On." in row.inner_text()
    assert row.get_by_role("link", name="Recovery codes").is_visible()


def test_the_timeout_warning_lets_a_resident_stay_signed_in_without_losing_a_form(page, resident, settings):
    settings.SESSION_IDLE_TIMEOUT = 1860  # the page counts 1800 seconds
    settings.SESSION_TIMEOUT_WARNING = 1796  # so the warning comes after 4 seconds
    _sign_in(page, resident.email)
    page.goto("/your-account/name/")
    page.fill("input[name=name]", "Half typed")
    dialog = page.locator("#app-session-timeout")
    dialog.wait_for(state="visible", timeout=15000)
    assert "You will be signed out soon" in dialog.inner_text()
    assert page.evaluate("document.activeElement.textContent").strip() == "Stay signed in"
    assert_accessible(page)
    with page.expect_response("**/session/extend/") as response:
        page.get_by_role("button", name="Stay signed in").click()
    assert response.value.status == 200
    expect(dialog).to_be_hidden()
    assert page.input_value("input[name=name]") == "Half typed"
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/your-account/")
    resident.refresh_from_db()
    assert resident.name == "Half typed"
