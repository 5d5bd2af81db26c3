"""The GOV.UK field renderer builds markup by hand, so what it prints must be escaped by hand too."""

import re

import pytest
from django import forms
from django.template import Context, Template
from django.utils.safestring import mark_safe

from hackney_portal.frontend.forms import GovukDateField

HOSTILE = '<script>alert("x")</script>&'


class EveryKindForm(forms.Form):
    name = forms.CharField(label="Your <b>name</b>", help_text="As on <i>your tenancy</i>", max_length=5)
    story = forms.CharField(label="What happened", widget=forms.Textarea)
    colour = forms.ChoiceField(label="Colour", choices=[("red", "Red <1>"), ("blue", "Blue")])
    tonight = forms.ChoiceField(
        label="Safe tonight?", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect
    )
    needs = forms.MultipleChoiceField(
        label="Needs", choices=[("a", "A & B"), ("c", "C")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(label="I agree")
    secret = forms.CharField(label="Password", widget=forms.PasswordInput)
    born = GovukDateField(label="Date of birth")
    safe_help = forms.CharField(label="Linked", help_text=mark_safe('<a href="/x">help</a>'), required=False)


def _render(form, name: str, options: str = "") -> str:
    return Template("{% load govuk %}{% govuk_field form." + name + " " + options + " %}").render(
        Context({"form": form})
    )


@pytest.mark.parametrize("name", ["name", "story", "colour", "tonight", "needs", "agree", "secret", "born"])
def test_what_a_person_typed_is_escaped_in_every_kind_of_field(name):
    form = EveryKindForm(
        {
            "name": HOSTILE,
            "story": HOSTILE,
            "colour": HOSTILE,
            "tonight": HOSTILE,
            "needs": [HOSTILE],
            "secret": HOSTILE,
            "born_0": HOSTILE,
            "born_1": "1",
            "born_2": "2000",
        }
    )
    form.is_valid()
    html = _render(form, name)
    assert "<script>" not in html
    assert 'alert("x")' not in html
    # Labels and hints are ours but still escaped unless marked safe; choice labels too.
    for ours in ("<b>", "<i>", "Red <1>", "A & B"):
        assert ours not in html


def test_errors_follow_the_govuk_pattern_and_are_announced_with_the_field():
    form = EveryKindForm({"name": "too long a name"})
    form.is_valid()
    html = _render(form, "name")
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert 'class="govuk-input govuk-input--error"' in html
    assert re.search(
        r'<p id="id_name-error" class="govuk-error-message"><span class="govuk-visually-hidden">'
        r"Error:</span> Ensure this value has at most 5 characters",
        html,
    )
    assert 'aria-describedby="id_name-hint id_name-error"' in html
    # The value is kept so nothing typed is lost.
    assert 'value="too long a name"' in html


def test_a_password_is_never_echoed_back():
    form = EveryKindForm({"secret": "hunter2"})
    form.is_valid()
    assert "hunter2" not in _render(form, "secret")


def test_choices_keep_what_was_chosen():
    form = EveryKindForm({"colour": "blue", "tonight": "no", "needs": ["a", "c"], "agree": "on"})
    form.is_valid()
    assert '<option value="blue" selected>' in _render(form, "colour")
    assert re.search(r'value="no" checked>', _render(form, "tonight"))
    assert len(re.findall(r" checked>", _render(form, "needs"))) == 2
    assert " checked" in _render(form, "agree")


def test_a_date_is_three_inputs_in_a_group_with_the_typed_parts_kept():
    form = EveryKindForm({"born_0": "31", "born_1": "2", "born_2": "2001"})
    form.is_valid()
    html = _render(form, "born")
    assert re.search(r'<fieldset class="govuk-fieldset"[^>]* role="group">', html)
    assert list(re.findall(r'name="born_(\d)" type="text" inputmode="numeric" value="([^"]*)"', html)) == [
        ("0", "31"),
        ("1", "2"),
        ("2", "2001"),
    ]
    assert "govuk-input--error" in html


def test_a_question_page_puts_the_label_in_the_heading_and_options_pass_through():
    form = EveryKindForm()
    html = _render(form, "name", 'is_page_heading=True label_class="govuk-label--l" prefix="£" width=10')
    assert html.count("<h1") == 1
    assert 'class="govuk-label govuk-label--l"' in html
    assert '<div class="govuk-input__prefix" aria-hidden="true">£</div>' in html
    assert "govuk-input--width-10" in html
    assert '<a href="/x">help</a>' in _render(form, "safe_help")
