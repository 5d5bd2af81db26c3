"""The search page's results and filter checkboxes, built by employment/templatetags/jobs.py."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.employment.test_search import listing


@pytest.mark.django_db
def test_each_result_is_escaped_linked_and_highlighted_only_by_us(client):
    opp = listing(
        "Chef & cook <b>now</b>",
        'Kitchen "help" <img src=x onerror=alert(1)>',
        employer_name="Bob's <Cafe>",
        pay_min_pence=2000,
        pay_max_pence=2000,
    )
    html = client.get(reverse("employment:search"), {"q": "chef"}).content.decode()
    item = re.search(r'<li class="app-search-result">.*?</li>', html, re.S).group(0)
    assert f'href="{reverse("employment:detail", args=[opp.pk])}"' in item
    assert "<mark>Chef</mark> &amp; cook &lt;b&gt;now&lt;/b&gt;" in item
    assert "<strong>Bob&#x27;s &lt;Cafe&gt;</strong> · Job · Hospitality" in item
    assert "<img" not in item
    assert "&lt;img src=x onerror=alert(1)&gt;" in item
    assert "London Living Wage</strong>" in item
    assert re.search(r"Closes <strong>\w+day \d+ \w+ \d{4}</strong>", item)


@pytest.mark.django_db
def test_a_search_within_a_distance_says_how_far_each_result_is(client):
    listing("Chef near", postcode="E8 1EA")
    html = client.get(reverse("employment:search"), {"q": "chef", "postcode": "E8 1EA", "distance": "2"})
    assert re.search(r"· 0\.0 miles away</p>", html.content.decode())


@pytest.mark.django_db
def test_no_result_says_what_to_try(client):
    html = client.get(reverse("employment:search"), {"q": "zzzzqqqq"}).content.decode()
    assert "No opportunities match your search. Try fewer words or remove some filters." in html
    assert 'class="app-search-result"' not in html


@pytest.mark.django_db
def test_filter_checkboxes_keep_what_was_ticked_and_show_counts(client):
    listing("Chef one")
    listing("Chef two", kind="apprenticeship")
    html = client.get(
        reverse("employment:search"), {"q": "chef", "kind": ["apprenticeship"]}
    ).content.decode()
    boxes = dict(
        re.findall(
            r'<input class="govuk-checkboxes__input" id="id_kind_\d+" name="kind" '
            r'type="checkbox" value="(\w+)"( checked)?>',
            html,
        )
    )
    assert boxes["apprenticeship"] == " checked"
    assert boxes["job"] == ""
    labels = re.findall(r'for="id_kind_\d+">([^<]+)</label>', html)
    assert any(label.startswith("Job") and "(1)" in label for label in labels), labels
