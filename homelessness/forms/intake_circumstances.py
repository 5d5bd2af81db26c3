"""Intake pages: support needs, income, employment, equality monitoring and privacy."""

from __future__ import annotations

from django import forms

from hackney_portal.frontend.forms import CheckboxesField

from ..selectors import code_choices
from .base import PREFER, StepForm, _radios

NONE = "none"  # the "None of these" answer of a "select all that apply" question


class SupportForm(StepForm):
    support_needs = CheckboxesField(
        label="Do you or anyone you live with need support with any of these?",
        help_text="Select all that apply.",
        exclusive=NONE,
        exclusive_message="Select ‘None of these’ on its own, or the kinds of support you need",
        error_messages={"required": "Select the kinds of support you need, or ‘None of these’"},
    )

    they = {"support_needs": "Do they or anyone they live with need support with any of these?"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_needs"].choices = [*code_choices("support_need"), (NONE, "None of these")]


class IncomeForm(StepForm):
    income = CheckboxesField(
        label="What income do you have?",
        help_text="Select all that apply.",
        exclusive=NONE,
        exclusive_message="Select ‘No income’ on its own, or the income you have",
        choices=[
            ("wages", "Wages"),
            ("universal_credit", "Universal Credit"),
            ("housing_benefit", "Housing Benefit"),
            ("pip", "Personal Independence Payment or Disability Living Allowance"),
            ("pension", "Pension"),
            ("other", "Other income"),
            (NONE, "No income"),
        ],
        error_messages={"required": "Select your income, or ‘No income’"},
    )
    they = {"income": "What income do they have?"}


class EmploymentForm(StepForm):
    employment = _radios(
        "Are you working?",
        [
            ("full_time", "Yes, full time"),
            ("part_time", "Yes, part time"),
            ("not_working", "No"),
            ("student", "Student"),
            ("retired", "Retired"),
            ("unable", "Unable to work"),
        ],
        required_message="Select whether you are working",
    )
    they = {"employment": "Are they working?"}


class EqualityForm(StepForm):
    ethnicity = forms.ChoiceField(
        label="What is your ethnic group?",
        choices=[
            ("", "Choose"),
            ("asian", "Asian or Asian British"),
            ("black", "Black, Black British, Caribbean or African"),
            ("mixed", "Mixed or multiple ethnic groups"),
            ("white", "White"),
            ("other", "Other ethnic group"),
            PREFER,
        ],
        error_messages={"required": "Select your ethnic group, or ‘Prefer not to say’"},
    )
    sexual_orientation = _radios(
        "Which of these best describes your sexual orientation?",
        [
            ("straight", "Straight or heterosexual"),
            ("gay_lesbian", "Gay or lesbian"),
            ("bisexual", "Bisexual"),
            ("other", "Another sexual orientation"),
            PREFER,
        ],
        required_message="Select your sexual orientation, or ‘Prefer not to say’",
    )
    religion = forms.ChoiceField(
        label="What is your religion?",
        choices=[
            ("", "Choose"),
            ("none", "No religion"),
            ("christian", "Christian"),
            ("muslim", "Muslim"),
            ("jewish", "Jewish"),
            ("hindu", "Hindu"),
            ("sikh", "Sikh"),
            ("buddhist", "Buddhist"),
            ("other", "Another religion"),
            PREFER,
        ],
        error_messages={"required": "Select your religion, or ‘Prefer not to say’"},
    )
    disability = _radios(
        "Do you consider yourself to have a disability?",
        [("yes", "Yes"), ("no", "No"), PREFER],
        required_message="Select yes if you have a disability, or ‘Prefer not to say’",
    )
    they = {
        "ethnicity": "What is their ethnic group? (optional)",
        "sexual_orientation": "Which of these best describes their sexual orientation? (optional)",
        "religion": "What is their religion? (optional)",
        "disability": "Do they consider themselves to have a disability? (optional)",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every equality question is optional: leave any unanswered, or skip them all with one button.
        for field in self.fields.values():
            field.required = False
            if not self.behalf:
                field.label = f"{field.label} (optional)"
        self.fields["ethnicity"].choices = [("", "Not answered"), *self.fields["ethnicity"].choices[1:]]
        self.fields["religion"].choices = [("", "Not answered"), *self.fields["religion"].choices[1:]]


class PrivacyForm(StepForm):
    privacy = forms.BooleanField(
        label="I have read the privacy notice and understand how my information will be used",
        error_messages={"required": "Confirm you have read the privacy notice"},
    )
