"""Intake pages: support needs, income, employment, equality monitoring (a question a page) and privacy."""

from __future__ import annotations

from django import forms

from hackney_portal.frontend.forms import CheckboxesField

from ..selectors import code_choices
from .base import PREFER, StepForm, _radios

NONE = "none"  # the "None of these" answer of a "select all that apply" question

# Support needs in everyday words; the H-CLIC code list's name is shown as each option's hint.
EVERYDAY_SUPPORT = {
    "young_16_17": "Aged 16 or 17",
    "young_18_25": "Aged 18 to 25 and needs support",
    "young_parent": "A young parent who needs support",
    "care_leaver_18_20": "Has left care, aged 18 to 20",
    "care_leaver_21_24": "Has left care, aged 21 to 24",
    "care_leaver_25_plus": "Has left care, aged 25 or over",
    "physical_health": "A physical illness or disability",
    "mental_health": "Mental health problems, now or in the past",
    "learning_disability": "A learning disability",
    "domestic_abuse": "Domestic abuse, now or in the past",
    "other_abuse": "Other abuse, now or in the past",
    "drugs": "Needs help with drug use",
    "alcohol": "Needs help with alcohol use",
    "offending": "Has a criminal record or has been in prison",
    "repeat_homelessness": "Has been homeless more than once before",
    "rough_sleeping": "Has slept on the street before",
    "former_asylum_seeker": "Came to the UK seeking asylum",
    "old_age": "Needs support because of older age",
    "armed_forces": "Has served in the armed forces",
    "education_employment": "Needs help to get into education, work or training",
    "modern_slavery": "Modern slavery or trafficking, now or in the past",
    "budgeting": "Needs help managing money",
}


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
        field = self.fields["support_needs"]
        codes = code_choices("support_need")
        field.choices = [
            *((code, EVERYDAY_SUPPORT.get(code, label)) for code, label in codes),
            (NONE, "None of these"),
        ]
        field.choice_hints = {
            code: label for code, label in codes if EVERYDAY_SUPPORT.get(code, label) != label
        }


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


# Why the equality questions are asked, on each of them: every one is optional, and "Skip these questions"
# on any of them skips them all with one press (nothing kept but that they skipped).
_WHY = (
    "This question is optional. We ask it to check that we treat everyone fairly. Your answer does not "
    "change the help {you} get, and the officer deciding the application does not use it."
)


def _equality(label: str, choices: list[tuple[str, str]]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=f"{label} (optional)",
        choices=choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_WHY.format(you="you"),
    )


class _EqualityForm(StepForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.behalf:
            for field in self.fields.values():
                field.help_text = _WHY.format(you="they")


class EthnicityForm(_EqualityForm):
    ethnicity = _equality(
        "What is your ethnic group?",
        [
            ("asian", "Asian or Asian British"),
            ("black", "Black, Black British, Caribbean or African"),
            ("mixed", "Mixed or multiple ethnic groups"),
            ("white", "White"),
            ("other", "Other ethnic group"),
            PREFER,
        ],
    )
    they = {"ethnicity": "What is their ethnic group? (optional)"}


class SexualOrientationForm(_EqualityForm):
    sexual_orientation = _equality(
        "Which of these best describes your sexual orientation?",
        [
            ("straight", "Straight or heterosexual"),
            ("gay_lesbian", "Gay or lesbian"),
            ("bisexual", "Bisexual"),
            ("other", "Another sexual orientation"),
            PREFER,
        ],
    )
    they = {"sexual_orientation": "Which of these best describes their sexual orientation? (optional)"}


class ReligionForm(_EqualityForm):
    religion = _equality(
        "What is your religion?",
        [
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
    )
    they = {"religion": "What is their religion? (optional)"}


class DisabilityForm(_EqualityForm):
    disability = _equality(
        "Do you consider yourself to have a disability?", [("yes", "Yes"), ("no", "No"), PREFER]
    )
    they = {"disability": "Do they consider themselves to have a disability? (optional)"}


class PrivacyForm(StepForm):
    privacy = forms.BooleanField(
        label="I have read the privacy notice and understand how my information will be used",
        error_messages={"required": "Confirm you have read the privacy notice"},
    )
    they = {"privacy": "I have read the privacy notice and understand how their information will be used"}
