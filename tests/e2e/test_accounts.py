import re

from tests.e2e.conftest import assert_accessible


def test_sign_up_errors_follow_the_govuk_pattern_and_are_accessible(page):
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "not-an-email")
    page.fill("input[name=password1]", "short")
    page.fill("input[name=password2]", "different")
    page.get_by_role("button", name=re.compile("sign up", re.I)).click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
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
