"""Generated hostile input posted to every public form and endpoint: never a 500; always the GOV.UK error
pattern (for pages) or a 4xx (for the webhook)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from homelessness.intake import STEPS, form_class

pytestmark = pytest.mark.django_db

# Text a hostile or careless user sends: markup, SQL, CRLF, control characters (NUL included: PostgreSQL
# refuses it), non-finite and absurd numbers, huge years, runs of search operators, huge and empty.
CONTROL_CHARACTERS = "".join(map(chr, [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]))
NON_FINITE = [
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "-inf",
    "1e999999",
    "1E+30",
    "-0",
    "0e-9999",
]
HUGE_YEARS = ["99999", "999999999999", "0", "-1", "10000", "9" * 5000, "1e4", "2026.5"]
OPERATOR_RUNS = [
    "-" * 200,
    '"' * 200,
    "OR " * 60,
    "!" * 200,
    "&" * 200,
    "|" * 200,
    ":*" * 100,
    "(" * 200,
    "<->" * 60,
]
NASTY = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=CONTROL_CHARACTERS + "ab =-\"'", max_size=60),
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
            "\x00",
            "a\x00b",
            "\x1b[31m",
            *NON_FINITE,
            *HUGE_YEARS,
            *OPERATOR_RUNS,
        ]
    ),
)
# Text a browser can send: no lone surrogates (the test client encodes to UTF-8 and cannot).
NASTY = NASTY.map(lambda s: s.encode("utf-8", "ignore").decode("utf-8"))


def assert_govuk_page(response, context) -> None:
    """A public form either moves on (a redirect) or says what is wrong in the GOV.UK pattern: an error
    summary titled "There is a problem" and a message by the field. Never a 500.

    (This used to accept any 200 page without the summary if it did not echo `<script>` unescaped, which
    autoescaping guarantees: it could not fail.)"""
    assert response.status_code < 500, context
    if response.status_code in (301, 302, 303, 429):
        return
    assert response.status_code in (200, 400), context
    body = response.content.decode()
    assert "govuk-error-summary" in body, context
    assert "There is a problem" in body, context
    assert "govuk-error-message" in body or "govuk-error-summary__list" in body, context


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
DATE_PARTS = [
    f"{name}_{i}" for name in ("date_of_birth", "served_on", "leave_by", "leaving_on") for i in range(3)
]
for step in STEPS:
    FORMS[f"/housing-help/apply/{step.slug}/"] = [*form_class(step).base_fields, *DATE_PARTS]
FORMS["/housing-help/refer/"] += ["date_of_birth_1", "date_of_birth_2", "leaving_on_1", "leaving_on_2"]
# Pages that answer a good POST with a 200 of their own: what they say when they accepted it.
ACCEPTED = {"/jobs/alerts/new/?q=chef": "Check your email"}

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
        if url in ACCEPTED and ACCEPTED[url] in response.content.decode():
            return
        assert_govuk_page(response, (url, data))

    post()


def test_job_search_never_fails_on_generated_queries(client):
    @SETTINGS
    @given(
        st.fixed_dictionaries(
            {"q": NASTY, "postcode": NASTY, "distance": NASTY, "sort": NASTY, "min_pay": NASTY, "page": NASTY}
        )
    )
    def search(params):
        assert client.get("/jobs/", params).status_code == 200, params

    search()


def test_job_search_never_fails_on_operator_runs_or_control_characters(client):
    from tests.employment.test_search import listing

    listing("Chef", "Cooking for a nursery")
    words = st.sampled_from(
        ["chef", "cook", "OR", "or", "-", '"', "!", "&", "|", "(", ")", ":*", "<->", "\\"]
    )
    queries = st.one_of(
        st.lists(words, max_size=120).map(" ".join),
        st.lists(words, max_size=120).map("".join),
        st.text(alphabet=CONTROL_CHARACTERS + '-"!&|():*<> orOR', max_size=200),
    )

    @SETTINGS
    @given(queries)
    @example("-" * 200)
    @example("chef " + "-" * 120)
    @example('"-" OR -"" -OR- ' * 10)
    @example(":OR")  # an operator alone parses to no terms: found by CI, 4 Dec 2026
    @example("chef :or")
    def search(q):
        response = client.get("/jobs/", {"q": q, "sort": "relevance"})
        assert response.status_code == 200, q

    search()


# What PostgreSQL will store in a text column: anything but NUL (and no lone surrogates in UTF-8).
STORABLE = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1, max_size=80
)


def test_feeds_are_well_formed_whatever_a_listing_holds(client):
    """Rows written behind the forms' back (SQL, imports, old data) still give a well-formed feed."""
    import xml.etree.ElementTree as ET  # nosec B405 - parsing our own output

    from django.db import connection

    from tests.employment.test_search import listing

    opp = listing("Chef")

    @SETTINGS
    @given(STORABLE, STORABLE, STORABLE)
    def feed(title, summary, employer):
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE employment_opportunity SET title = %s, summary = %s, employer_name = %s"
                " WHERE id = %s",
                [title, summary, employer, opp.pk],
            )
        response = client.get("/jobs/feed.rss")
        assert response.status_code == 200
        ET.fromstring(response.content)  # noqa: S314 - our own output
        assert client.get("/jobs/feed.json").status_code == 200
        assert client.get("/jobs/", {"q": title[:50]}).status_code == 200

    feed()


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
        if method == "post":
            assert_govuk_page(response, (url, data))

    send()


def test_webhook_answers_4xx_to_a_form_or_multipart_body(client):
    """A form post (as a scanner or a misconfigured sender makes) has its body parsed by the control-
    character middleware before the view reads the raw bytes; a multipart one was a 500."""
    for data, content_type in (({"a": "1"}, None), ({"a": "1"}, "application/x-www-form-urlencoded")):
        kwargs = {"content_type": content_type} if content_type else {}
        if content_type:
            data = "a=1"
        response = client.post("/payments/stripe/webhook/", data, HTTP_STRIPE_SIGNATURE="t=1,v1=x", **kwargs)
        assert 400 <= response.status_code < 500, (content_type, response.status_code)


@pytest.mark.parametrize(
    "query",
    [
        "page=1&page=2&page=-1",
        "sort=distance&sort=newest&distance=5&distance=-5",
        "origin=51.5,-0.05&sort=distance",
        "origin=NaN,inf&sort=distance&distance=1e999",
        "origin=%00&postcode=E8%001DY&sort=distance",
        "page=99999999999999999999&distance=0",
        "page=0&q=" + "a" * 5000,
        "postcode=E8+1DY&postcode=SW1A+1AA&sort=distance&distance=%EF%BC%95",
    ],
)
def test_job_search_repeated_and_unknown_params_never_fail(client, query):
    # Repeated parameters and `origin` (worked out from the postcode, never read from the address bar).
    assert client.get(f"/jobs/?{query}").status_code == 200, query
