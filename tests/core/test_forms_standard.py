"""Forms to the GOV.UK standard everywhere (issue 20 item 8): every field for a person's own name, email,
phone, postcode or date of birth says so to the browser (WCAG 1.3.5); someone else's details are never
filled from the user's own; spellcheck is off only where it does not help; limited text areas count
characters."""

import re

import pytest
from django.test import Client

from homelessness import intake
from homelessness.forms import ContactEmailForm, ContactPhoneForm, DateOfBirthForm, FullNameForm

# A person's own details, by field name. Someone else's (a referral, a household member) must say "off".
OWN_DATA = re.compile(
    r"^(referrer_)?(name|full_name|email|login|phone|postcode|date_of_birth_\d|address\w*)$"
)
TOKENS = {
    "name": {"name"},
    "full_name": {"name"},
    "email": {"email"},
    "login": {"email", "username"},
    "phone": {"tel"},
    "postcode": {"postal-code"},
    "date_of_birth_0": {"bday-day"},
    "date_of_birth_1": {"bday-month"},
    "date_of_birth_2": {"bday-year"},
}
NOT_WORDS = re.compile(r"(email|login|reference|code|postcode|phone)")
FIELD = re.compile(r"<(input|textarea)\b[^>]*>")


def _fields(html: str):
    for match in FIELD.finditer(html):
        tag = match.group(0)
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or (kind and kind.group(1) in {"hidden", "radio", "checkbox", "file", "submit"}):
            continue
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        yield match.group(1), name.group(1), attrs, match.start()


def _pages(resident, made) -> dict[str, str]:
    pages = {}
    anonymous = Client()
    for path in [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/pay-rent/",
        "/jobs/",
        "/jobs/alerts/new/",
        "/housing-help/refer/",
    ]:
        pages[path] = anonymous.get(path).content.decode()
    anonymous.get("/housing-help/apply/")
    for step in intake.STEPS:
        path = f"/housing-help/apply/{step.slug}/"
        pages[path] = anonymous.get(path).content.decode()
    signed_in = Client()
    signed_in.force_login(resident)
    for path in [
        f"/jobs/{made['application'].opportunity_id}/apply/",
        "/your-account/name/",
        f"/pay-rent/accounts/{made['account'].pk}/pay/",
        "/pay-rent/reminders/",
    ]:
        pages[path] = signed_in.get(path).content.decode()
    return pages


@pytest.fixture
def pages(resident, make_staff):
    from hackney_portal.users import roles
    from tests.core.test_your_home import resident_using_everything

    made = resident_using_everything(resident, make_staff("officer@example.org", roles.HOUSING_OFFICERS))
    return _pages(resident, made)


@pytest.mark.django_db
def test_every_own_detail_field_has_autocomplete_and_someone_elses_is_off(pages):
    wrong = []
    checked = 0
    for path, html in pages.items():
        for _, name, attrs, _ in _fields(html):
            if not OWN_DATA.match(name):
                continue
            checked += 1
            token = attrs.get("autocomplete")
            own = not path.startswith("/housing-help/refer/") or name.startswith("referrer_")
            if not own:
                if token != "off":
                    wrong.append(f"{path} {name}: someone else's detail, autocomplete={token!r}, want 'off'")
                continue
            want = TOKENS.get(name.removeprefix("referrer_"), {"street-address", "address-line1", "off"})
            if token not in want:
                wrong.append(f"{path} {name}: autocomplete={token!r}, want one of {sorted(want)}")
    assert checked > 15
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_the_intake_fills_only_the_applicants_own_details():
    from hackney_portal.frontend.templatetags.govuk import govuk_field

    assert 'autocomplete="name"' in govuk_field(FullNameForm()["full_name"])
    assert 'autocomplete="bday-year"' in govuk_field(DateOfBirthForm()["date_of_birth"])
    assert 'autocomplete="tel"' in govuk_field(ContactPhoneForm()["phone"])
    # Applying for someone else: the browser must not offer the user's own name, birthday or number.
    theirs = FullNameForm(behalf=True)
    assert 'autocomplete="name"' not in govuk_field(theirs["full_name"])
    assert 'autocomplete="off"' in govuk_field(theirs["full_name"])
    assert "bday" not in govuk_field(DateOfBirthForm(behalf=True)["date_of_birth"])
    assert 'autocomplete="off"' in govuk_field(ContactEmailForm(behalf=True)["email"])


@pytest.mark.django_db
def test_spellcheck_is_off_for_emails_references_and_codes_and_left_on_for_writing(pages):
    wrong = []
    for path, html in pages.items():
        for tag, name, attrs, _ in _fields(html):
            kind = attrs.get("type", "")
            if (NOT_WORDS.search(name) or kind in {"email", "tel", "password"}) and tag == "input":
                if attrs.get("spellcheck") != "false":
                    wrong.append(f"{path} {name}: spellcheck={attrs.get('spellcheck')!r}")
            elif tag == "textarea" and attrs.get("spellcheck") == "false":
                wrong.append(f"{path} {name}: a text area people write in has spellcheck off")
            elif (
                name in {"landlord", "language", "safe_times", "situation"}
                and attrs.get("spellcheck") == "false"
            ):
                wrong.append(f"{path} {name}: words, yet spellcheck off")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_limited_text_areas_count_characters(pages):
    html = pages["/housing-help/refer/"]
    assert 'data-module="govuk-character-count" data-maxlength="4000"' in html
    assert "You can enter up to 4,000 characters" in html
    area = re.search(r'<textarea[^>]*name="situation"[^>]*>', html).group(0)
    assert "govuk-js-character-count" in area
    assert "id_situation-info" in re.search(r'aria-describedby="([^"]*)"', area).group(1)
    # Every text area with a limit, in every resident form, is a character count.
    from django import forms

    from employment.forms import ApplyForm
    from hackney_portal.frontend.templatetags.govuk import govuk_field
    from homelessness.forms import ReferralForm

    limited = 0
    for form_class in [ApplyForm, ReferralForm, *(intake.form_class(step) for step in intake.STEPS)]:
        form = form_class()
        for name, field in form.fields.items():
            if isinstance(field.widget, forms.Textarea) and getattr(field, "max_length", None):
                limited += 1
                rendered = govuk_field(form[name])
                assert 'data-module="govuk-character-count"' in rendered, f"{form_class.__name__}.{name}"
                assert f'data-maxlength="{field.max_length}"' in rendered
    assert limited >= 3
