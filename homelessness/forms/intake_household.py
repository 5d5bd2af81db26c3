"""Intake pages: who is applying, safety tonight, about you (a page a question), language, household."""

from __future__ import annotations

import re

from django import forms

from hackney_portal.frontend.forms import GovukDateField

from .base import NI_RE, PREFER, YES_NO, StepForm, _radios


class WhoForm(StepForm):
    who = _radios(
        "Who needs help with housing?",
        [("self", "Me"), ("behalf", "Someone else, and they have agreed I can apply for them")],
        required_message="Select who needs help",
    )


class SafeTonightForm(StepForm):
    safe_tonight = _radios(
        "Do you have somewhere safe to stay tonight?",
        YES_NO,
        required_message="Select yes if you have somewhere safe to stay tonight",
    )
    they = {"safe_tonight": "Do they have somewhere safe to stay tonight?"}


class RoughSleepingForm(StepForm):
    rough_sleeping = _radios(
        "Are you sleeping on the street, or will you be tonight?",
        YES_NO,
        required_message="Select yes if you are sleeping on the street",
    )
    they = {"rough_sleeping": "Are they sleeping on the street, or will they be tonight?"}


class RiskForm(StepForm):
    risk = _radios(
        "Are you at risk of harm where you live, or from someone you know?",
        [
            ("domestic_abuse", "Yes, from a partner, ex-partner or family member (domestic abuse)"),
            ("other_violence", "Yes, from someone else (violence, threats or harassment)"),
            ("no", "No"),
            PREFER,
        ],
        required_message="Select whether you are at risk of harm",
        help_text="We ask so we can keep you safe. We will not contact anyone without asking you.",
    )
    they = {"risk": "Are they at risk of harm where they live, or from someone they know?"}
    they_hints = {"risk": "We ask so we can keep them safe. We will not contact anyone without asking them."}


class FullNameForm(StepForm):
    autocomplete = {"full_name": "name"}
    full_name = forms.CharField(
        label="What is your full name?", max_length=200, error_messages={"required": "Enter your full name"}
    )
    they = {"full_name": "What is their full name?"}


class DateOfBirthForm(StepForm):
    autocomplete = {"date_of_birth": "bday"}
    date_of_birth = GovukDateField(
        label="What is your date of birth?",
        past_only=True,
        help_text="For example, 27 3 1990",
        error_messages={"required": "Enter your date of birth"},
    )
    they = {"date_of_birth": "What is their date of birth?"}


class SexForm(StepForm):
    sex = _radios(
        "What is your sex?",
        [("female", "Female"), ("male", "Male"), ("other", "Other"), PREFER],
        required_message="Select an option for sex",
    )
    they = {"sex": "What is their sex?"}


class NiNumberForm(StepForm):
    ni_number = forms.CharField(
        label="What is your National Insurance number? (optional)",
        required=False,
        max_length=13,
        help_text="It’s on your National Insurance card, benefit letter, payslip or P60. "
        "For example, QQ 12 34 56 C",
    )
    they = {"ni_number": "What is their National Insurance number? (optional)"}
    they_hints = {
        "ni_number": "It’s on their National Insurance card, benefit letter, payslip or P60. "
        "For example, QQ 12 34 56 C"
    }

    def clean_ni_number(self):
        value = re.sub(r"\s", "", self.cleaned_data.get("ni_number", "")).upper()
        if value and not NI_RE.match(value):
            raise forms.ValidationError("Enter a National Insurance number in the correct format")
        return value


class LanguageForm(StepForm):
    language = forms.CharField(
        label="What language do you prefer to speak?",
        max_length=60,
        initial="English",
        error_messages={"required": "Enter the language you prefer to speak"},
    )
    they = {"language": "What language do they prefer to speak?"}


class InterpreterForm(StepForm):
    interpreter = _radios(
        "Do you need an interpreter?", YES_NO, required_message="Select yes if you need an interpreter"
    )
    they = {"interpreter": "Do they need an interpreter?"}


class AccessNeedsForm(StepForm):
    access_needs = forms.CharField(
        label="Do you need anything to help you contact us or come to appointments? (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea,
        help_text="For example, large print, British Sign Language or step-free access",
    )
    they = {
        "access_needs": "Do they need anything to help them contact us or come to appointments? (optional)"
    }


class HouseholdForm(StepForm):
    add_person = _radios(
        "Does anyone else live with you, or need to live with you?",
        YES_NO,
        required_message="Select yes if anyone else needs to live with you",
        help_text="For example, a partner, children or someone you care for",
    )
    they = {"add_person": "Does anyone else live with them, or need to live with them?"}
    they_hints = {"add_person": "For example, a partner, children or someone they care for"}
