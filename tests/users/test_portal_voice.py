"""allauth's pages and emails in the portal's words: GOV.UK errors that say what to do, the council's name."""

import re

import pytest
from django.urls import reverse

from tests.conftest import TOTP_SECRET, make_user

PASSWORD = "a-long-pass-phrase-9"  # nosec B105


def _summary_links(html: str) -> list[tuple[str, str]]:
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("account_login", "Sign in"),
        ("account_signup", "Create an account"),
        ("account_reset_password", "Reset your password"),
    ],
)
def test_account_pages_use_the_portal_wording(client, name, heading):
    html = client.get(reverse(name)).content.decode()
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
    assert f"<title>{heading} – " in html
    for allauth_words in ("Sign In", "Sign Up", "Signup", "Password Reset", "sign up"):
        assert allauth_words not in html
    assert "placeholder=" not in html


@pytest.mark.django_db
def test_login_links_to_create_an_account_and_marks_up_fields(client):
    html = client.get(reverse("account_login")).content.decode()
    assert f'href="{reverse("account_signup")}">Create an account</a>' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="current-password"' in html


@pytest.mark.django_db
def test_empty_sign_in_errors_say_what_to_do_in_the_error_summary(client):
    html = client.post(reverse("account_login"), {"login": "", "password": ""}).content.decode()
    assert "<title>Error: Sign in" in html
    assert _summary_links(html) == [
        ("id_login", "Enter your email address"),
        ("id_password", "Enter your password"),
    ]
    assert "This field is required." not in html


@pytest.mark.django_db
def test_wrong_password_is_linked_to_the_email_field(client):
    make_user("known@example.org", password=PASSWORD)
    html = client.post(
        reverse("account_login"), {"login": "known@example.org", "password": "not-the-password"}
    ).content.decode()
    assert _summary_links(html) == [
        ("id_login", "Your email address or password is not right. Check them and try again.")
    ]
    assert "govuk-form-group--error" in html


@pytest.mark.django_db
def test_sign_up_errors_say_what_to_do(client):
    html = client.post(
        reverse("account_signup"),
        {"email": "not-an-email", "password1": PASSWORD, "password2": "different-9"},
    ).content.decode()
    links = dict(_summary_links(html))
    assert links["id_email"] == "Enter an email address in the correct format, like name@example.com"
    assert links["id_password2"] == "The passwords do not match. Enter the same password twice."
    assert 'autocomplete="new-password"' in html


@pytest.mark.django_db
def test_verification_email_carries_the_councils_name(
    client, mailbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
    (message,) = mailbox
    assert "Hello from" not in message.body
    assert "Hackney Council" in message.body
    assert settings.COUNCIL["contact_phone"] in message.body
    assert message.subject == f"Confirm your email address for {settings.COUNCIL['service_name']}"
    assert "/accounts/confirm-email/" in message.body


@pytest.mark.django_db
def test_password_reset_email_carries_the_councils_name(
    client, mailbox, settings, django_capture_on_commit_callbacks
):
    make_user("forgetful@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"})
    (message,) = mailbox
    assert message.subject == f"Reset your password for {settings.COUNCIL['service_name']}"
    assert "Hackney Council" in message.body
    assert "example.com" not in message.body


@pytest.mark.django_db
def test_two_factor_step_in_the_portal_voice(client):
    make_user("twofactor@example.org", password=PASSWORD, totp_secret=TOTP_SECRET)
    client.post(reverse("account_login"), {"login": "twofactor@example.org", "password": PASSWORD})
    html = client.get(reverse("mfa_authenticate")).content.decode()
    assert '<h1 class="govuk-heading-l">Enter your code</h1>' in html
    assert "Two-Factor Authentication" not in html
    html = client.post(reverse("mfa_authenticate"), {"code": ""}).content.decode()
    assert _summary_links(html) == [("id_code", "Enter the code from your authenticator app")]
    html = client.post(reverse("mfa_authenticate"), {"code": "000000"}).content.decode()
    assert "The code is not right." in html
    assert "Incorrect code." not in html
