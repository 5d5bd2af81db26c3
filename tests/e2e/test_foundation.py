import pytest

from hackney_portal.users import roles
from tests.conftest import TOTP_SECRET, make_user
from tests.e2e.conftest import assert_accessible, sign_in_with_two_factor

PUBLIC_PAGES = [
    ("/", "Hackney Council services online"),
    ("/accessibility/", "Accessibility statement"),
    ("/privacy/", "Privacy notice"),
    ("/cookies/", "Cookies"),
    ("/no-such-page/", "Page not found"),
    ("/accounts/login/", "Sign in"),
    ("/accounts/signup/", "Create an account"),
    ("/accounts/password/reset/", "Reset your password"),
    ("/pay-rent/", "Pay your rent"),
    ("/jobs/", "Find work and training"),
    ("/housing-help/", "Get help"),
]


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_public_page_is_accessible_and_error_free(page, path, heading):
    page.goto(path)
    assert heading in page.locator("h1").first.inner_text()
    assert_accessible(page)
    errors = page.console_errors
    if path == "/no-such-page/":
        errors = [e for e in errors if "status of 404" not in e]  # the page itself is the 404
    assert errors == []


def test_skip_link_is_first_in_tab_order_and_moves_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.keyboard.press("Enter")
    # The fragment navigation completes asynchronously after the key press.
    page.wait_for_url("**/#main-content", timeout=5000)


def test_staff_sign_in_with_two_factor_reaches_the_back_office(page):
    make_user(
        "officer@example.org",
        password="officer-pass-phrase",
        staff=True,
        groups=[roles.HOUSING_OFFICERS],
        totp_secret=TOTP_SECRET,
    )
    page.goto("/admin/")
    assert "/accounts/login/" in page.url
    sign_in_with_two_factor(page, "officer@example.org", "officer-pass-phrase", check_accessible=True)
    page.wait_for_url("**/admin/")
    assert "back office" in page.locator("#site-name").inner_text().lower()
