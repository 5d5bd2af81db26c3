"""The accessibility statement says what is known not to meet WCAG 2.2 AA, rather than claiming full
compliance (issue 20 item 9)."""

import re

import pytest
from django.test import Client


@pytest.mark.django_db
def test_statement_is_partially_compliant_and_lists_the_known_problems():
    page = Client().get("/accessibility/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "fully compliant" not in text
    assert (
        "This website is partially compliant with the Web Content Accessibility Guidelines version 2.2"
        in text
    )
    problems = re.search(
        r'<ul class="govuk-list govuk-list--bullet" id="known-problems">(.*?)</ul>', page, re.S
    )
    items = re.findall(r"<li id=\"problem-[\w-]+\">(.*?)</li>", problems.group(1), re.S)
    assert len(items) >= 5
    for rule in ("2.2.1", "1.4.10", "4.1.2", "1.3.1"):
        assert f"WCAG {rule}" in problems.group(1)
    # Each problem says what to do instead or what we are doing, and the statement is dated.
    assert "call" in problems.group(1)
    assert "This statement was prepared on" in text
    assert "Equality Advisory and Support Service" in text
