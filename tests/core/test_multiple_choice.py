"""Every question in the portal that takes several answers is drawn as GOV.UK checkboxes and keeps them all.

The field renderer once drew a CheckboxSelectMultiple as radios (Django makes it a subclass of RadioSelect):
a person could tick one support need only, and the others were lost. This walks every form of every app.
"""

import importlib
import inspect
import re

import pytest
from django import forms
from django.http import QueryDict
from django.template import Context, Template

from hackney_portal.users import roles

pytestmark = pytest.mark.django_db

FORMS_MODULES = [
    "hackney_portal.frontend.forms",
    "hackney_portal.users.forms",
    "payments.forms",
    "employment.forms",
    "homelessness.forms",
]


def _kwargs(officers) -> dict[str, dict]:
    """What each form that needs more than data is given (a new form that needs more must be added here)."""
    from homelessness.models import DecisionLetter, Review

    return {
        "SearchForm": {"sectors": ["Care", "Retail", "Construction"]},
        "AmountForm": {"balance_pence": 12345},
        "AssignForm": {"officers": officers},
        "RestrictForm": {"officers": officers},
        "MoveForm": {"stages": [("triage", "Triage")]},
        "ReviewRequestForm": {"letters": DecisionLetter.objects.none()},
        "ReviewDecideForm": {"reviews": Review.objects.none()},
        "TwoFactorAuthenticateForm": {"user": None},
        "TwoFactorReauthenticateForm": {"user": None},
        "ChangePasswordForm": {"user": officers[0]},
        "AddEmailForm": {"user": officers[0]},
        "AccountReauthenticateForm": {"user": officers[0]},
        "ResetPasswordKeyForm": {"user": officers[0], "temp_key": "key"},
    }


def _is_multiple(field) -> bool:
    return isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField) or getattr(
        field.widget, "allow_multiple_selected", False
    )


def _render(form, name: str) -> str:
    return Template("{% load govuk %}{% govuk_field form." + name + " %}").render(Context({"form": form}))


def _every_form():
    for module_name in FORMS_MODULES:
        module = importlib.import_module(module_name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            # a forms module, or a forms package and its modules
            own = cls.__module__ == module_name or cls.__module__.startswith(module_name + ".")
            if issubclass(cls, forms.BaseForm) and own:
                yield cls


@pytest.fixture
def officers(make_staff):
    from django.contrib.auth import get_user_model

    make_staff("one@example.org", roles.HOUSING_OFFICERS)
    make_staff("two@example.org", roles.HOUSING_OFFICERS)
    make_staff("three@example.org", roles.HOUSING_OFFICERS)
    return get_user_model().objects.filter(groups__name=roles.HOUSING_OFFICERS).order_by("email")


def test_every_multiple_choice_field_is_checkboxes_and_keeps_every_answer(officers):
    kwargs = _kwargs(officers)
    seen = []
    for cls in _every_form():
        extra = kwargs.get(cls.__name__, {})
        form = cls(**extra)
        for name, field in form.fields.items():
            if not _is_multiple(field):
                continue
            seen.append(f"{cls.__name__}.{name}")
            choices = [(str(v), label) for v, label in field.choices if str(v) != ""]
            assert len(choices) >= 2, f"{cls.__name__}.{name} needs two choices to test"
            html = _render(form, name)
            assert 'type="radio"' not in html, f"{cls.__name__}.{name} is drawn as radios"
            assert 'class="govuk-checkboxes"' in html or "govuk-checkboxes " in html
            assert len(re.findall(r'type="checkbox"', html)) == len(choices), f"{cls.__name__}.{name}"
            assert "<fieldset" in html
            assert "<legend" in html

            exclusive = str(getattr(field, "exclusive", "") or "")
            picked = [v for v, _ in choices if v != exclusive][:2]
            data = QueryDict(mutable=True)
            data.setlist(form.add_prefix(name), picked)
            bound = cls(data, **extra)
            assert [str(v) for v in bound[name].value()] == picked
            html = _render(bound, name)
            checked = re.findall(r'value="([^"]*)" checked', html)
            assert checked == picked, f"{cls.__name__}.{name} kept {checked}, not {picked}"
            cleaned = bound.fields[name].clean(bound[name].value())
            kept = [str(getattr(v, "pk", v)) for v in cleaned]
            assert sorted(kept) == sorted(picked), f"{cls.__name__}.{name}"
    # The walk found the questions that matter (a walk that finds nothing proves nothing).
    for expected in ("SupportForm.support_needs", "IncomeForm.income", "AssessmentForm.support_needs"):
        assert expected in seen
    assert "SearchForm.kind" in seen
    assert "RestrictForm.officers" in seen


def test_none_of_these_is_set_apart_and_cannot_be_combined():
    from homelessness.forms import IncomeForm, SupportForm

    html = _render(SupportForm(), "support_needs")
    assert '<div class="govuk-checkboxes__divider">or</div>' in html
    (none_input,) = re.findall(r"<input[^>]*value=\"none\"[^>]*>", html)
    assert 'data-behaviour="exclusive"' in none_input
    assert html.count('data-behaviour="exclusive"') == 1
    assert html.index("govuk-checkboxes__divider") < html.index('value="none"')

    both = SupportForm(QueryDict("support_needs=none&support_needs=mental_health"))
    assert not both.is_valid()
    assert "None of these" in str(both.errors["support_needs"])
    assert SupportForm(QueryDict("support_needs=none")).is_valid()
    nothing = SupportForm(QueryDict(""))
    assert not nothing.is_valid()
    assert "None of these" in str(nothing.errors["support_needs"])

    income = IncomeForm(QueryDict("income=none&income=wages&employment=part_time"))
    assert not income.is_valid()
    assert "No income" in str(income.errors["income"])
    both_kept = IncomeForm(QueryDict("income=wages&income=universal_credit&employment=part_time"))
    assert both_kept.is_valid()
    assert both_kept.cleaned_data["income"] == ["wages", "universal_credit"]
