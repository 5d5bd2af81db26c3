"""Limits keyed on the account and the client, the client taken from our own proxies only, and public forms
that create records or send email limited with a GOV.UK 429 that keeps what was typed (issue 13, item 5)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.conftest import make_user

LOAD_BALANCER = "10.0.0.2"


def _sign_in(client, email, password, *, remote=LOAD_BALANCER, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def _refused(response) -> bool:
    return "Too many failed attempts to sign in" in response.content.decode()


# -- the client address -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", LOAD_BALANCER),  # no proxies of ours: the header is the client's own invention
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # entries to the left are the client's, never read
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "203.0.113.9", LOAD_BALANCER),  # shorter than our chain: did not come through it
        (1, "not-an-address", LOAD_BALANCER),
        (1, "", LOAD_BALANCER),
        (1, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),  # one household's /64 is one client
        (1, "203.0.113.9:51234", "203.0.113.9"),  # with the port some load balancers add
        (1, "[2001:db8:1:2::9]:51234", "2001:db8:1:2::"),
        (1, "::ffff:203.0.113.9", "203.0.113.9"),  # an IPv4 client on a dual-stack socket
    ],
)
def test_client_ip_reads_forwarded_for_only_from_our_own_proxies(settings, hops, forwarded, expected):
    from hackney_portal.core.ratelimit import client_ip

    settings.TRUSTED_PROXY_COUNT = hops
    request = RequestFactory().get("/", REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_allauth_keys_its_limits_on_the_same_client_address(settings):
    from allauth.account.adapter import get_adapter

    from hackney_portal.core.ratelimit import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9"
    )
    assert get_adapter(request).get_client_ip(request) == client_ip(request) == "203.0.113.9"


def test_trusted_proxy_count_comes_from_the_environment_and_defaults_to_none():
    import subprocess
    import sys

    code = (
        "from django.conf import settings; "
        "print(settings.TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    env_default = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "hackney_portal.settings.development"},
    )
    assert env_default.stdout.split() == ["0", "0"]
    env_two = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        capture_output=True,
        text=True,
        check=True,
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "hackney_portal.settings.development",
            "TRUSTED_PROXY_COUNT": "2",
        },
    )
    assert env_two.stdout.split() == ["2", "2"]


# -- signing in ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_guesser_cannot_lock_the_account_owner_out_from_another_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_user("victim@example.org", password="the-right-password-1")
    attacker = Client()
    for i in range(8):
        _sign_in(attacker, "victim@example.org", f"wrong-{i}", forwarded="203.0.113.66")
    # The guesser is slowed down, even with the right password...
    assert _refused(
        _sign_in(attacker, "victim@example.org", "the-right-password-1", forwarded="203.0.113.66")
    )
    # ...while the owner, on another client behind the same load balancer, signs in.
    owner = _sign_in(Client(), "victim@example.org", "the-right-password-1", forwarded="198.51.100.7")
    assert owner.status_code == 302, owner.content.decode()[-2000:]


@pytest.mark.django_db
def test_one_person_behind_a_shared_address_does_not_lock_out_everyone_else():
    make_user("careless@example.org", password="the-right-password-1")
    make_user("neighbour@example.org", password="another-right-password-2")
    for i in range(8):
        _sign_in(Client(), "careless@example.org", f"wrong-{i}", remote="81.2.69.160")
    response = _sign_in(Client(), "neighbour@example.org", "another-right-password-2", remote="81.2.69.160")
    assert response.status_code == 302, response.content.decode()[-2000:]


@pytest.mark.django_db
@pytest.mark.parametrize("hops", [0, 1])
def test_made_up_forwarded_for_entries_do_not_buy_more_guesses(settings, hops):
    settings.TRUSTED_PROXY_COUNT = hops
    make_user("target@example.org", password="the-right-password-1")
    client = Client()
    for i in range(6):
        # The real client is the last entry our proxy added; the rest is the client's own, changing each time.
        _sign_in(client, "target@example.org", f"wrong-{i}", forwarded=f"192.0.2.{i}, 203.0.113.66")
    assert _refused(
        _sign_in(client, "target@example.org", "the-right-password-1", forwarded="192.0.2.99, 203.0.113.66")
    )


@pytest.mark.django_db
def test_guessing_spread_over_many_clients_is_still_slowed_for_that_account(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_user("target@example.org", password="the-right-password-1")
    for i in range(30):
        _sign_in(Client(), "target@example.org", f"wrong-{i}", forwarded=f"203.0.113.{i // 5}")
    assert _refused(_sign_in(Client(), "target@example.org", "wrong-again", forwarded="198.51.100.200"))


@pytest.mark.django_db
def test_the_guesser_backs_off_rather_than_being_locked_out(settings):
    """After a burst of failures a minute's wait gives a few more tries: slowed down step by step."""
    import time as real_time
    from unittest import mock

    make_user("target@example.org", password="the-right-password-1")
    client = Client()
    now = real_time.time()
    with mock.patch("time.time", return_value=now):
        for i in range(5):
            assert not _refused(_sign_in(client, "target@example.org", f"wrong-{i}"))
        assert _refused(_sign_in(client, "target@example.org", "the-right-password-1"))
    with mock.patch("time.time", return_value=now + 61):
        response = _sign_in(client, "target@example.org", "the-right-password-1")
    assert response.status_code == 302, response.content.decode()[-2000:]


# -- public forms that create records or send email ------------------------------------------------------


def _limited_page(response, *typed: str) -> None:
    """A GOV.UK error page or message with status 429, and what the person typed still there."""
    assert response.status_code == 429
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "too many times" in html
    for value in typed:
        assert value in html


def test_every_public_form_that_creates_records_or_sends_email_has_a_limit(settings):
    from hackney_portal.core.ratelimit import parse_rates

    assert settings.PORTAL_RATE_LIMITS_ENABLED  # on unless PORTAL_RATE_LIMITS_ENABLED=0 (load tests only)
    for action in (
        "homelessness_referral",
        "homelessness_intake",
        "employment_application",
        "employment_alert",
        "rent_lookup",
        "rent_link_code_send",
    ):
        rates = parse_rates(settings.PORTAL_RATE_LIMITS[action])
        assert rates
        assert all(r.amount > 0 and r.seconds > 0 for r in rates)
        # Keyed on the client (and what is asked about), never on nothing.
        assert all(r.per for r in rates)


@pytest.mark.django_db
def test_duty_to_refer_is_limited_with_a_429_that_keeps_the_referral(client, settings):
    from homelessness.demo import FORM_REFERRAL
    from homelessness.models import Case

    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "homelessness_referral": "2/10m/client"}
    for _ in range(2):
        assert client.post("/housing-help/refer/", FORM_REFERRAL).status_code == 302
    response = client.post("/housing-help/refer/", FORM_REFERRAL)
    _limited_page(response, "Probation Hackney", "Released next week with nowhere to go.")
    assert Case.objects.count() == 2
    # Another client (another office) is not affected.
    assert Client(REMOTE_ADDR="198.51.100.3").post("/housing-help/refer/", FORM_REFERRAL).status_code == 302


@pytest.mark.django_db
def test_duty_to_refer_acknowledgements_to_one_address_are_limited_by_default(client):
    from homelessness.demo import FORM_REFERRAL

    responses = [
        Client(REMOTE_ADDR=f"198.51.100.{i}").post("/housing-help/refer/", FORM_REFERRAL) for i in range(11)
    ]
    assert [r.status_code for r in responses] == [302] * 10 + [429]
    # Slowed down, never left without a way to get help today.
    assert "call us on" in responses[-1].content.decode()


@pytest.mark.django_db
def test_intake_submission_is_limited_and_the_draft_is_kept(client, settings):
    from homelessness.models import Case
    from tests.homelessness.test_intake import _go

    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "homelessness_intake": "1/10m/client"}
    _go(client)
    assert client.post("/housing-help/apply/check-your-answers/").status_code == 302
    _go(client)
    response = client.post("/housing-help/apply/check-your-answers/")
    _limited_page(response, "Sam Rivers")
    assert Case.objects.count() == 1
    # Nothing lost: the answers are still there to send when the wait is over.
    assert client.get("/housing-help/apply/check-your-answers/").status_code == 200


@pytest.mark.django_db
def test_job_application_is_limited_with_a_429_that_keeps_the_form(client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from employment.models import Application
    from tests.employment.conftest import pdf_bytes
    from tests.employment.test_search import listing

    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "employment_application": "1/10m/client"}
    first, second = listing("Chef"), listing("Porter")

    def apply(opp):
        cv = SimpleUploadedFile("cv.pdf", pdf_bytes(), content_type="application/pdf")
        data = {"name": "Sam Jobseeker", "email": "sam@example.org", "statement": "I love cooking"}
        return client.post(
            reverse("employment:apply", args=[opp.pk]), {**data, "lives_in_borough": "on", "cv": cv}
        )

    assert apply(first).status_code == 302
    _limited_page(apply(second), "Sam Jobseeker", "I love cooking")
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_job_alert_sign_up_is_limited_with_a_429_that_keeps_the_form(client, mailbox, settings):
    from employment.models import SavedSearch

    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "employment_alert": "1/10m/client"}
    data = {"query": "q=chef", "email": "al@example.org", "frequency": "daily"}
    assert client.post(reverse("employment:alert_create"), data).status_code == 200
    response = client.post(reverse("employment:alert_create"), {**data, "email": "bo@example.org"})
    _limited_page(response, "bo@example.org")
    assert SavedSearch.objects.count() == 1


@pytest.mark.django_db
def test_job_alert_confirmations_to_one_address_are_limited_by_default(mailbox):
    statuses = [
        Client(REMOTE_ADDR=f"198.51.100.{i}")
        .post(
            reverse("employment:alert_create"),
            {"query": f"q=chef{i}", "email": "victim@example.org", "frequency": "daily"},
        )
        .status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


# -- no stranger's free text in a council email to an address the stranger chose ----------------------

PHISH = "Your account is locked, call 09098 790000 or visit http://evil.example"


@pytest.mark.django_db
def test_duty_to_refer_acknowledgement_carries_no_text_the_referrer_typed(client, mailbox, on_commit):
    from homelessness.demo import FORM_REFERRAL

    data = {**FORM_REFERRAL, "referrer_name": PHISH, "organisation": PHISH, "name": PHISH}
    with on_commit(execute=True):
        assert client.post("/housing-help/refer/", data).status_code == 302
    assert len(mailbox) == 1
    assert mailbox[0].to == ["pat@example.gov.uk"]
    assert "evil.example" not in mailbox[0].body + mailbox[0].subject


@pytest.mark.django_db
def test_referral_outcome_email_carries_no_text_the_referrer_typed(client, mailbox, on_commit, make_staff):
    from hackney_portal.users import roles
    from homelessness import services
    from homelessness.demo import FORM_REFERRAL
    from homelessness.models import Case
    from homelessness.rules import CloseReason, Stage

    officer = make_staff("officer@example.org", roles.HOUSING_OFFICERS)
    data = {**FORM_REFERRAL, "referrer_name": PHISH, "consent_to_outcome": "on"}
    client.post("/housing-help/refer/", data)
    case = Case.objects.get()
    with on_commit(execute=True):
        services.case_assign(case=case, officer=officer, actor=officer)
        services.case_move(
            case=case, actor=officer, to_stage=Stage.CLOSED, end_reason=CloseReason.ADVICE_ONLY
        )
    outcome = [m for m in mailbox if m.subject.startswith("Outcome of your referral")]
    assert len(outcome) == 1
    assert "evil.example" not in outcome[0].body


@pytest.mark.django_db
def test_application_receipt_carries_no_text_the_applicant_typed(client, mailbox, pdf_cv, on_commit):
    from tests.employment.test_search import listing

    opp = listing("Chef")
    data = {"name": PHISH, "email": "someone.else@example.org", "statement": PHISH, "lives_in_borough": "on"}
    with on_commit(execute=True):
        response = client.post(reverse("employment:apply", args=[opp.pk]), {**data, "cv": pdf_cv})
    assert response.status_code == 302
    assert len(mailbox) == 1
    assert "evil.example" not in mailbox[0].body + mailbox[0].subject


@pytest.mark.django_db
def test_job_alert_confirmation_carries_no_search_text(client, mailbox, on_commit):
    with on_commit(execute=True):
        client.post(
            reverse("employment:alert_create"),
            {"query": "q=" + PHISH, "email": "someone.else@example.org", "frequency": "daily"},
        )
    assert len(mailbox) == 1
    assert "evil.example" not in mailbox[0].body + mailbox[0].subject
    assert "09098" not in mailbox[0].body


@pytest.mark.django_db
def test_allauth_limits_answer_with_the_govuk_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    data = {"email": "new@example.org", "password1": "x", "password2": "y"}
    client.post(reverse("account_signup"), data)
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 429
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "govuk-header" in html or "govuk-template" in html


def test_limits_can_be_switched_off_only_explicitly_for_load_tests(settings):
    from hackney_portal.core.ratelimit import rate_limit_wait

    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "homelessness_intake": "1/10m/client"}
    values = {"client": "203.0.113.77"}
    assert rate_limit_wait(action="homelessness_intake", values=values) == 0
    assert rate_limit_wait(action="homelessness_intake", values=values) > 0
    settings.PORTAL_RATE_LIMITS_ENABLED = False
    assert rate_limit_wait(action="homelessness_intake", values=values) == 0


@pytest.mark.django_db
def test_close_account_password_cannot_be_guessed_without_limit(resident):
    """The close-account page checks the password: with a stolen session and no limit it would be an
    unlimited password oracle (allauth limits its own password checks; this one is ours). After a few
    wrong tries it answers with the GOV.UK 429, and the right password is not even checked until the wait
    is over (so the account is not closed by a guess that lands)."""
    from hackney_portal.users.models import User

    client = Client()
    client.force_login(resident)
    url = reverse("users:close")
    statuses = [client.post(url, {"password": f"guess-{i}"}).status_code for i in range(12)]
    assert statuses[0] == 200
    assert statuses[-1] == 429, statuses
    response = client.post(url, {"password": "correct-horse-battery"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "too many times" in html
    assert User.objects.get(pk=resident.pk).is_active
    # Another resident's tries are their own.
    other = Client()
    other.force_login(make_user("other@example.org"))
    assert other.post(url, {"password": "guess"}).status_code == 200
