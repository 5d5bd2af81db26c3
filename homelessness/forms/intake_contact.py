"""Intake pages on how it is safe to contact the applicant, a question each: the safe way first, then only
the detail that way needs (a number for a call or a text, an address for email), when, and for a phone call
whether anything may be sent in writing.

The safe way decides, across the pages, which detail is required: someone who said only a phone call is
safe is never asked for an email address, and must give a number.
"""

from __future__ import annotations

import re

from django import forms

from .base import StepForm, _radios

SAFE_METHODS = [("phone", "Phone call"), ("text", "Text message"), ("email", "Email")]


def safe_method_of(answers: dict) -> str:
    return (answers.get("contact") or {}).get("safe_method") or ""


class ContactMethodForm(StepForm):
    safe_method = _radios(
        "How is it safe for us to contact you?",
        SAFE_METHODS,
        required_message="Select how it is safe to contact you",
        help_text="We will only contact you this way. Think about who else may see your phone, "
        "texts or emails.",
    )
    they = {"safe_method": "How is it safe for us to contact them?"}
    they_hints = {
        "safe_method": "We will only contact them this way. Think about who else may see their phone, "
        "texts or emails."
    }


class ContactEmailForm(StepForm):
    autocomplete = {"email": "email"}
    email = forms.EmailField(
        label="What is your email address?",
        help_text="We will send your reference number and updates here",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    they = {"email": "What is their email address?"}
    they_hints = {"email": "We will send their reference number and updates here"}


# The question, for yourself and for someone else, by the safe way they chose.
_PHONE_LABELS = {
    "phone": ("What number should we call?", "What number should we call them on?"),
    "text": ("What mobile number should we text?", "What mobile number should we text them on?"),
    "email": ("What number can we call you on? (optional)", "What number can we call them on? (optional)"),
}
_PHONE_REQUIRED = {
    "phone": "Enter the phone number we should call",
    "text": "Enter the mobile number we should text",
}


class ContactPhoneForm(StepForm):
    """Needed for a phone call or a text; optional when email is the safe way (an officer may still call)."""

    uses_answers = True
    autocomplete = {"phone": "tel"}
    phone = forms.CharField(label="What number should we call?", max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        method = safe_method_of(self.answers)
        field = self.fields["phone"]
        field.label = _PHONE_LABELS.get(method, _PHONE_LABELS["phone"])[1 if self.behalf else 0]
        field.help_text = "For example, 07700 900 982 or 020 8356 3000"
        # Not asked the safe way yet (a page opened by its address): a number is needed until they choose.
        field.required = method != "email"
        field.error_messages["required"] = _PHONE_REQUIRED.get(method, _PHONE_REQUIRED["phone"])

    def clean_phone(self):
        phone = re.sub(r"[\s()-]", "", self.cleaned_data.get("phone", ""))
        if phone and not re.fullmatch(r"\+?\d{10,13}", phone):
            raise forms.ValidationError("Enter a phone number, like 07700 900 982 or 020 8356 3000")
        return phone


class ContactTimesForm(StepForm):
    safe_times = forms.CharField(
        label="When is it safe for us to contact you? (optional)",
        required=False,
        max_length=300,
        help_text="For example, weekdays after 2pm. Tell us if we must not leave a voicemail.",
    )
    they = {"safe_times": "When is it safe for us to contact them? (optional)"}


class NoMessagesForm(StepForm):
    """Asked only of someone who chose a phone call: whether anything at all may be sent to them."""

    no_messages = forms.TypedChoiceField(
        label="Is it safe for us to send you a letter or message if we need to?",
        choices=[("False", "Yes"), ("True", "No, only phone me")],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        help_text="For example, a letter about a decision on your application. Choose ‘No’ if someone "
        "else may see your post, emails or texts.",
        error_messages={"required": "Select whether it is safe to send you a letter or message"},
    )
    they = {"no_messages": "Is it safe for us to send them a letter or message if we need to?"}
    they_hints = {
        "no_messages": "For example, a letter about a decision on the application. Choose ‘No’ if someone "
        "else may see their post, emails or texts."
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.behalf:
            self.fields["no_messages"].choices = [("False", "Yes"), ("True", "No, only phone them")]
