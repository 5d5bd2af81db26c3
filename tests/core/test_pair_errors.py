"""A pair that does not match (rent account number and postcode) is one error: the error summary links to
the first field, and both fields are marked (issue 20 item 8)."""

import re

import pytest
from django.test import Client

from tests.core.test_your_home import _rent_account


@pytest.mark.django_db
def test_account_and_postcode_that_do_not_match_link_to_the_first_and_mark_both():
    _rent_account("4444444444", owed_pence=0)
    page = Client().post("/pay-rent/", {"reference": "4444444444", "postcode": "N16 7UJ"}).content.decode()
    summary = re.search(r'<div class="govuk-error-summary.*?</div>\s*</div>', page, re.S).group(0)
    links = re.findall(r'<a href="#([^"]+)"', summary)
    assert links == ["id_reference"]
    assert "We could not find a rent account with that account number and postcode" in summary
    # Both fields are shown in error, the message once, and the postcode points at it.
    for name in ("reference", "postcode"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert "govuk-input--error" in field
        assert "id_reference-error" in re.search(r'aria-describedby="([^"]*)"', field).group(1)
    assert page.count('class="govuk-error-message"') == 1
    assert page.count("govuk-form-group--error") == 2
    # The error summary comes first in <main>.
    main = page[page.index("<main") :]
    assert main.index("govuk-error-summary") < main.index("<h1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/jobs/", {"postcode": "not a postcode"}),
        ("post", "/jobs/alerts/new/", {}),
        ("post", "/accounts/login/", {}),
        ("post", "/pay-rent/", {"reference": "12", "postcode": ""}),
    ],
)
def test_the_error_summary_comes_first_in_main(method, path, data):
    page = getattr(Client(), method)(path, data).content.decode()
    main = page[page.index('<main class="govuk-main-wrapper"') :]
    body = main[main.index(">") + 1 :]
    # Layout wrappers (the grid) may come first; nothing a reader meets may.
    body = re.sub(r'^(\s*<div class="govuk-grid-(row|column-[\w-]+)">)*\s*', "", body)
    assert body.startswith('<div class="govuk-error-summary"'), body[:300]
