"""Generated hostile input posted to every public form and endpoint: never a 500; always the GOV.UK error
pattern (for pages) or a 4xx (for the webhook)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homelessness.intake import STEPS, form_class

pytestmark = pytest.mark.django_db

# Text a hostile or careless user sends: markup, SQL, CRLF, NUL-free control characters, huge and empty.
NASTY = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\r\nSet-Cookie: x=1",
            '=HYPERLINK("http://x")',
            "💥" * 50,
            "A" * 5000,
            "",
            " ",
            "-1",
            "99999999999999999999",
            "31/02/2026",
        ]
    ),
).map(lambda s: s.replace("\x00", ""))

FORMS = {
    "/pay-rent/": ["reference", "postcode"],
    "/jobs/alerts/new/?q=chef": ["email", "frequency"],
    "/housing-help/refer/": [
        "body",
        "organisation",
        "referrer_name",
        "referrer_email",
        "referrer_phone",
        "name",
        "date_of_birth_0",
        "date_of_birth_1",
        "date_of_birth_2",
        "phone",
        "email",
        "situation",
        "leaving_on_0",
        "consent_to_referral",
        "consent_to_share_contact",
    ],
    "/accounts/login/": ["login", "password"],
    "/accounts/signup/": ["email", "password1", "password2"],
    "/accounts/password/reset/": ["email"],
}
for step in STEPS:
    FORMS[f"/housing-help/apply/{step.slug}/"] = [
        *form_class(step).base_fields,
        "date_of_birth_0",
        "served_on_0",
    ]

SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("url", sorted(FORMS))
def test_public_forms_never_fail_on_generated_input(client, url):
    fields = FORMS[url]

    @SETTINGS
    @given(st.fixed_dictionaries(dict.fromkeys(fields, NASTY)))
    def post(data):
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)
        if response.status_code == 200:
            body = response.content.decode()
            # A page that did not accept the input says why, in the GOV.UK pattern.
            assert "govuk-error-summary" in body or "<script>alert(1)</script>" not in body

    post()


def test_job_search_never_fails_on_generated_queries(client):
    @SETTINGS
    @given(
        st.fixed_dictionaries(
            {"q": NASTY, "postcode": NASTY, "distance": NASTY, "sort": NASTY, "min_pay": NASTY, "page": NASTY}
        )
    )
    def search(params):
        assert client.get("/jobs/", params).status_code < 500

    search()


def test_job_application_never_fails_on_generated_input_or_files(client):
    from tests.employment.test_search import listing

    opp = listing("Chef")

    @SETTINGS
    @given(
        st.fixed_dictionaries({"name": NASTY, "email": NASTY, "phone": NASTY, "statement": NASTY}),
        st.binary(max_size=2000),
        st.sampled_from(["cv.pdf", "cv.docx", "cv.exe", "../../etc/passwd", ""]),
    )
    def apply(data, content, filename):
        upload = SimpleUploadedFile(filename or "x", content)
        response = client.post(f"/jobs/{opp.pk}/apply/", {**data, "cv": upload, "lives_in_borough": "on"})
        assert response.status_code < 500

    apply()


def test_webhook_answers_4xx_to_anything_unsigned(client):
    @SETTINGS
    @given(st.binary(max_size=2000), st.one_of(st.none(), NASTY))
    def hook(body, signature):
        headers = {} if signature is None else {"HTTP_STRIPE_SIGNATURE": signature}
        response = client.post("/payments/stripe/webhook/", body, content_type="application/json", **headers)
        assert 400 <= response.status_code < 500

    hook()


def test_signed_in_forms_never_fail_on_generated_input(client, resident, account, make_case):
    """The forms behind sign-in: paying, the statement period, a case's upload and an employer's listing."""
    from employment.forms import ListingForm
    from hackney_portal.users import roles
    from payments import services
    from tests.conftest import make_user

    services.account_link(user=resident, account=account, actor=resident)
    case = make_case(actor=resident)
    employer = make_user("employer@example.org", groups=[roles.EMPLOYERS])
    targets = [
        (resident, "post", f"/pay-rent/accounts/{account.pk}/pay/", ["choice", "amount", "attempt_key"]),
        (
            resident,
            "get",
            f"/pay-rent/accounts/{account.pk}/statement/",
            ["months", "start_0", "end_0", "format"],
        ),
        (resident, "post", f"/housing-help/cases/{case.reference}/", ["request", "file"]),
        (employer, "post", "/jobs/employers/new/", list(ListingForm.base_fields)),
    ]
    for user, method, url, fields in targets:
        client.force_login(user)
        _fuzz(client, method, url, fields)


def _fuzz(client, method: str, url: str, fields: list[str]) -> None:
    @SETTINGS
    @given(st.fixed_dictionaries(dict.fromkeys(fields, NASTY)))
    def send(data):
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, (url, data)
        if method == "post" and response.status_code == 200:
            assert "govuk-error-summary" in response.content.decode(), (url, data)

    send()
