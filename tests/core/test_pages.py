import pytest
from django.urls import reverse

PUBLIC_PAGES = ["core:home", "core:accessibility", "core:privacy", "core:cookies"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_render_with_layout(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-skip-link"' in html
    assert 'href="/accessibility/"' in html
    assert "Sign in" in html


@pytest.mark.django_db
def test_home_links_the_three_services(client):
    html = client.get("/").content.decode()
    for href, text in [
        (reverse("payments:start"), "Pay your rent"),
        (reverse("employment:search"), "Find work and training"),
        (reverse("homelessness:start"), "Get help if you are homeless or at risk"),
    ]:
        assert f'href="{href}">{text}</a>' in html


@pytest.mark.django_db
def test_unknown_page_gets_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "govuk-footer" in response.content.decode()


def test_brand_css_carries_council_colours(client, settings):
    css = client.get(reverse("core:brand_css")).content.decode()
    assert "--govuk-brand-colour:#00664f" in css
    assert "--govuk-link-colour:#025ea6" in css
    assert "--govuk-focus-colour:#ffc845" in css


def test_brand_css_refuses_anything_but_a_hex_colour(client, settings):
    settings.COUNCIL = {**settings.COUNCIL, "brand_colour": "red;}body{display:none"}
    css = client.get(reverse("core:brand_css")).content.decode()
    assert "display:none" not in css
    assert "--govuk-brand-colour:#1d70b8" in css


SECOND_COUNCIL = {
    "name": "Camden Council",
    "short_name": "Camden",
    "logo_text": "Camden",
    "service_name": "Camden Online",
    "brand_colour": "#1b1b1b",
    "link_colour": "#0b4ea2",
    "focus_colour": "#ffbf47",
    "contact_email": "online@camden.example",
    "contact_phone": "020 7974 4444",
    "out_of_hours_phone": "020 7974 4000",
    "website": "https://camden.example",
    "address": "5 Pancras Square, London N1C 4AG",
    "rent_reference_regex": r"^[A-Z]\d{7}$",
    "rent_reference_hint": "a letter then 7 digits, for example A1234567",
    "postcode_districts": ["NW1", "NW3", "NW5", "WC1"],
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/", "/accessibility/", "/privacy/", "/cookies/", "/no-such-page/", "/accounts/login/", "/brand.css"],
)
def test_second_council_pages_show_no_trace_of_hackney(client, settings, url):
    settings.COUNCIL = SECOND_COUNCIL
    settings.DEFAULT_FROM_EMAIL = "Camden <no-reply@camden.example>"
    html = client.get(url).content.decode()
    assert "hackney" not in html.lower()
    if url != "/brand.css":
        assert "Camden" in html
