"""The household loop's pages: a question a page about each person who lives with the applicant."""

from __future__ import annotations

from django import forms

from hackney_portal.frontend.forms import GovukDateField

from .base import PREFER, StepForm, _radios


class PersonNameForm(StepForm):
    name = forms.CharField(
        label="What is their full name?", max_length=200, error_messages={"required": "Enter their full name"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Someone else's name: the browser must not offer the user's own.
        self.fields["name"].widget.attrs["autocomplete"] = "off"


class PersonDateOfBirthForm(StepForm):
    date_of_birth = GovukDateField(
        label="What is their date of birth?",
        past_only=True,
        help_text="For example, 27 3 2015",
        error_messages={"required": "Enter their date of birth"},
    )


class PersonSexForm(StepForm):
    sex = _radios(
        "What is their sex?",
        [("female", "Female"), ("male", "Male"), ("other", "Other"), PREFER],
        required_message="Select an option for their sex",
    )


class PersonRelationshipForm(StepForm):
    relationship = _radios(
        "What is their relationship to you?",
        [
            ("partner", "Partner, husband or wife"),
            ("child", "Son or daughter"),
            ("parent", "Parent"),
            ("sibling", "Brother or sister"),
            ("other_relative", "Other relative"),
            ("carer", "Carer"),
            ("other", "Other"),
        ],
        required_message="Select their relationship to you",
    )
    they = {"relationship": "What is their relationship to the person you are applying for?"}


class PersonPregnantForm(StepForm):
    """Pregnancy in the household is a priority need (s.189(1)(a)): asked of everyone but a man."""

    pregnant = forms.TypedChoiceField(
        label="Are they pregnant?",
        choices=[("True", "Yes"), ("False", "No")],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if they are pregnant"},
    )
