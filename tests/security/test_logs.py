"""Logs never carry passwords, card tokens, secrets or what an applicant told us about their circumstances."""

import logging

import pytest
from django.urls import reverse

from tests.conftest import make_user
from tests.homelessness.test_intake import PAGES, _go

pytestmark = pytest.mark.django_db


def test_sign_in_payment_and_intake_leave_nothing_sensitive_in_the_logs(client, caplog, settings):
    from payments.models import RentAccount
    from tests.payments.conftest import CARD_OK, card_token

    caplog.set_level(logging.DEBUG)
    secret_password = "Very-Secret-Pass-Phrase-42"
    make_user("sam@example.org", password=secret_password)
    client.post(
        reverse("account_login"), {"login": "sam@example.org", "password": "Wrong-" + secret_password}
    )
    client.post(reverse("account_login"), {"login": "sam@example.org", "password": secret_password})

    account = RentAccount.objects.create(
        reference="7740000000", postcode="E8 1EA", tenant_name="Jane Smith", address="A", weekly_rent_pence=1
    )
    token = card_token(CARD_OK)
    client.post(reverse("payments:start"), {"reference": "7740000000", "postcode": "E8 1EA"})
    key = client.get(reverse("payments:pay", args=[account.pk])).context["form"].initial["attempt_key"]
    response = client.post(
        reverse("payments:pay", args=[account.pk]), {"choice": "other", "amount": "5.00", "attempt_key": key}
    )
    client.post(response["Location"], {"card_token": token, "step": "card"})

    pages = {
        **PAGES,
        "last-settled": {"last_address": "Flat 9 Secret Refuge Road"},
        "reason-loss": {"reason_loss": "domestic_abuse"},
    }
    response = _go(client, pages)
    client.post(response.url)

    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert caplog.records, "the flows above log something, or this test checks nothing"
    for needle in (secret_password, token, settings.STRIPE_SECRET_KEY, "Secret Refuge Road", "mental_health"):
        assert needle not in logged, needle


@pytest.fixture
def log_lines():
    """What the console handler writes, through the same filter and formatter as LOGGING configures."""
    import io

    from hackney_portal.core.logging import JsonFormatter, RequestIdFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_request_log_records_the_route_never_a_token_in_the_path(client, make_case, resident, log_lines):
    from homelessness.services import case_status_token

    case = make_case(actor=resident)
    status_token = case_status_token(case)
    tokens = {
        status_token: f"/housing-help/status/{status_token}/",
        "Resume-Tok3n-Secret": "/housing-help/apply/resume/Resume-Tok3n-Secret/",
        "Reset-K3y-Secret": "/accounts/password/reset/key/1-Reset-K3y-Secret/",
        "Confirm-K3y-Secret": "/accounts/confirm-email/Confirm-K3y-Secret/",
        "Alert-Tok3n-Secret": "/jobs/alerts/confirm/Alert-Tok3n-Secret/",
        # A path that matches no route is not logged either (Django's own "Not Found: <path>" line).
        "Unrouted-Tok3n-Secret": "/housing-help/nowhere/Unrouted-Tok3n-Secret/",
    }
    for path in tokens.values():
        client.get(path)
        client.get(path + "?token=Query-Tok3n-Secret")
    written = log_lines.getvalue()
    assert "/housing-help/status/<str:token>/" in written, "the request log names the route"
    for token in [*tokens, "Query-Tok3n-Secret"]:
        assert token not in written, token


def test_a_token_with_odd_characters_is_not_logged_either(client, log_lines):
    # Django escapes such characters before logging the path, so the escaped form must be caught too.
    for path in (
        "/housing-help/status/Odd\x01Tok3n\u00e9Secret/",
        "/jobs/alerts/confirm/Odd\x01Tok3n\u00e9Secret/",
    ):
        client.get(path)
    written = log_lines.getvalue()
    assert "Tok3n" not in written


def test_django_logs_only_through_our_filtered_handler(settings):
    # Django's default handlers would print request lines unfiltered (DEBUG) or email them with form data to
    # ADMINS (production); the "django" logger must use ours alone.
    django_logger = settings.LOGGING["loggers"]["django"]
    assert django_logger["handlers"] == ["console"]
    assert django_logger["propagate"] is False
    handlers = logging.getLogger("django").handlers
    assert handlers, "Django's logger has our handler"
    assert not [h for h in handlers if type(h).__name__ == "AdminEmailHandler"]
    assert [h for h in handlers if any(type(f).__name__ == "RequestIdFilter" for f in h.filters)]
    django_default = {"RequireDebugTrue", "RequireDebugFalse"}
    assert not [h for h in handlers if {type(f).__name__ for f in h.filters} & django_default]
