"""Page titles and service names (issue 20 item 8): each public page has its own title, and each service is
named after the task it does, in the header and in the title, never "Hackney Portal"."""

import re

import pytest
from django.test import Client

from homelessness import intake

PUBLIC_PAGES = [
    "/",
    "/accessibility/",
    "/privacy/",
    "/cookies/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/pay-rent/",
    "/jobs/",
    "/jobs/alerts/new/",
    "/housing-help/",
    "/housing-help/apply/emergency/",
    "/housing-help/refer/",
]


def _title(page: str) -> str:
    return re.sub(r"\s+", " ", re.search(r"<title>(.*?)</title>", page, re.S).group(1)).strip()


def _service(page: str) -> str:
    return re.search(r'<span class="app-header__service">(.*?)</span>', page, re.S).group(1).strip()


@pytest.mark.django_db
def test_every_public_page_has_its_own_title():
    client = Client()
    titles = {path: _title(client.get(path).content.decode()) for path in PUBLIC_PAGES}
    client.get("/housing-help/apply/")
    for step in intake.STEPS:
        path = f"/housing-help/apply/{step.slug}/"
        titles[path] = _title(client.get(path).content.decode())
    seen: dict[str, str] = {}
    clashes = []
    for path, title in titles.items():
        if title in seen:
            clashes.append(f"{path} and {seen[title]}: {title}")
        seen[title] = path
    assert not clashes, "\n".join(clashes)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/pay-rent/", "Pay your rent"),
        ("/jobs/", "Find a job"),
        ("/jobs/alerts/new/", "Find a job"),
        ("/housing-help/", "Get help with housing"),
        ("/housing-help/refer/", "Get help with housing"),
    ],
)
def test_each_service_is_named_after_its_task_in_header_and_title(path, service):
    page = Client().get(path).content.decode()
    assert _service(page) == service
    title = _title(page)
    assert f"{service} – " in title or f" – {service} – " in title
    assert "Hackney Portal" not in page


@pytest.mark.django_db
def test_portal_pages_carry_no_made_up_product_name(settings):
    page = Client().get("/accessibility/").content.decode()
    assert "Hackney Portal" not in page
    assert _title(page) == "Accessibility statement – Council services online – Hackney Council"
