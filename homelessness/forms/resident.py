"""Resident-facing forms outside the intake pages: resume email, Duty to Refer referral, uploads."""

from __future__ import annotations

from django import forms

from hackney_portal.frontend.forms import GovukDateField

from ..models import DocumentRequest, Referral


class ResumeEmailForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="We will send you a link to come back to your application. It works for 30 days.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class ReferralForm(forms.Form):
    body = forms.ChoiceField(
        label="Which public body are you referring from?",
        choices=[("", "Choose"), *Referral.Body.choices],
        error_messages={"required": "Select the public body you work for"},
    )
    organisation = forms.CharField(
        label="Name of your organisation or team",
        max_length=200,
        error_messages={"required": "Enter the name of your organisation"},
    )
    referrer_name = forms.CharField(
        label="Your name", max_length=200, error_messages={"required": "Enter your name"}
    )
    referrer_email = forms.EmailField(
        label="Your work email address",
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    referrer_phone = forms.CharField(label="Your phone number (optional)", required=False, max_length=30)
    name = forms.CharField(
        label="Full name of the person",
        max_length=200,
        error_messages={"required": "Enter the full name of the person you are referring"},
    )
    date_of_birth = GovukDateField(label="Their date of birth", past_only=True, required=False)
    phone = forms.CharField(label="Their phone number (optional)", required=False, max_length=30)
    email = forms.EmailField(
        label="Their email address (optional)",
        required=False,
        error_messages={"invalid": "Enter their email address in the correct format"},
    )
    safe_contact = forms.CharField(
        label="Safe way and time to contact them (optional)", required=False, max_length=300
    )
    safe_method = forms.ChoiceField(
        label="The only safe way to contact them, if there is one (optional)",
        choices=[("phone", "Phone call"), ("text", "Text message"), ("email", "Email")],
        widget=forms.RadioSelect,
        required=False,
    )
    no_messages = forms.BooleanField(
        label="We must not send them any messages (no emails, texts or letters)", required=False
    )
    situation = forms.CharField(
        label="Why are they homeless or at risk of homelessness?",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        error_messages={"required": "Tell us why they are homeless or at risk of homelessness"},
    )
    leaving_on = GovukDateField(
        label="Date they leave your care, custody or service (optional)", required=False
    )
    rough_sleeping = forms.BooleanField(
        label="They are sleeping rough, or will be on leaving", required=False
    )
    unsafe_tonight = forms.BooleanField(label="They have nowhere safe to stay tonight", required=False)
    consent_to_referral = forms.BooleanField(
        label="The person agrees to this referral",
        error_messages={"required": "You can only refer someone who agrees to the referral"},
    )
    consent_to_share_contact = forms.BooleanField(
        label="The person agrees to us having their contact details to get in touch",
        error_messages={
            "required": "You can only refer someone who agrees to us having their contact details"
        },
    )
    consent_to_outcome = forms.BooleanField(
        label="The person agrees to us telling you the outcome (optional)", required=False
    )

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email") and "email" not in self.errors:
            self.add_error("phone", "Enter their phone number or email address so we can contact them")
        return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="PDF, JPG, PNG or Word (.docx), smaller than 10 MB",
        error_messages={"required": "Select a file to upload"},
    )
    # Which of the case's document requests the file answers (a hidden field); only this case's are valid.
    request = forms.ModelChoiceField(
        queryset=None,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "We could not find that document request. Send the file again."},
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].queryset = (
            case.document_requests.all() if case else DocumentRequest.objects.none()
        )
