"""Intake pages, a question each: accommodation, current address, notice, last settled home, nationality,
local connection."""

from __future__ import annotations

from django import forms

from hackney_portal.core.postcodes import is_full_postcode, normalise_postcode
from hackney_portal.frontend.forms import GovukDateField

from ..selectors import code_choices
from .base import YES_NO, StepForm, _radios

# Options in everyday words; the code list's (legal or statistical) name is shown as each option's hint.
EVERYDAY_ACCOMMODATION = {
    "private_rented": "Renting from a private landlord or letting agent",
    "social_rented": "Renting from the council or a housing association",
    "owner_occupier": "In a home that is owned, or part-owned",
    "family": "Staying with family",
    "friends": "Staying with friends",
    "no_fixed_abode": "Moving from place to place, for example sofa surfing",
    "rough_sleeping": "Sleeping on the street",
    "temporary": "In temporary accommodation from a council",
    "refuge": "In a refuge",
    "institution": "In hospital, prison or another institution",
    "supported": "In supported housing or a hostel",
    "other": "Somewhere else",
}
EVERYDAY_NOTICE = {
    "section_21": "A notice from the landlord to leave, without giving a reason",
    "section_8": "A notice from the landlord to leave, giving reasons such as rent arrears",
    "notice_to_quit": "A letter ending the tenancy or licence",
    "asked_to_leave": "Asked to leave by family or friends",
    "other": "Another kind of notice",
    "none": "No, not been told to leave",
}
# Why the last settled home was lost (H-CLIC's reasons): everyday words, the department's name as the hint.
EVERYDAY_REASON_LOSS = {
    "family_friends": "Family or friends could no longer provide a home",
    "private_ast_end": "A tenancy with a private landlord or letting agent ended",
    "private_other_end": "Another kind of private tenancy or lodging ended",
    "social_end": "A council or housing association tenancy ended",
    "supported_eviction": "Had to leave supported housing or a hostel",
    "domestic_abuse": "Abuse from a partner, ex-partner or family member",
    "relationship_breakdown": "A relationship with a partner ended, without violence",
    "other_violence": "Violence, threats or harassment from someone else",
    "left_custody": "Leaving prison",
    "left_hospital": "Leaving hospital",
    "left_psychiatric": "Leaving a mental health hospital",
    "left_care": "Leaving care, such as a foster home or children’s home",
    "asylum_accommodation": "Had to leave Home Office housing for people seeking asylum",
    "unsuitable_disability": "The home was no longer suitable because of disability or ill health",
    "resettlement_loss": "A place or sponsorship under a resettlement scheme ended",
    "other": "Something else",
}


def _everyday(field, codes: list[tuple[str, str]], words: dict[str, str]) -> None:
    field.choices = [(code, words.get(code, label)) for code, label in codes]
    field.choice_hints = {code: label for code, label in codes if words.get(code, label) != label}


class AccommodationForm(StepForm):
    accommodation = forms.ChoiceField(
        label="Where are you living now?",
        error_messages={"required": "Select where you are living now"},
        widget=forms.RadioSelect,
    )
    they = {"accommodation": "Where are they living now?"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _everyday(self.fields["accommodation"], code_choices("accommodation"), EVERYDAY_ACCOMMODATION)


class CurrentAddressForm(StepForm):
    """Where they are staying now: one address (GOV.UK's address pattern). Not asked of someone who said
    they sleep on the street or move from place to place (no fixed address)."""

    autocomplete = {"current_address": "street-address", "current_postcode": "postal-code"}

    current_address = forms.CharField(
        label="Address (optional)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The building and street, and the town or city",
    )
    current_postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)

    def clean_current_postcode(self):
        value = self.cleaned_data.get("current_postcode", "")
        if value and not is_full_postcode(value):
            raise forms.ValidationError("Enter a full UK postcode, like E8 1EA")
        return normalise_postcode(value) if value else ""


class LandlordForm(StepForm):
    landlord = forms.CharField(
        label="Who is your landlord or housing provider? (optional)", required=False, max_length=200
    )
    they = {"landlord": "Who is their landlord or housing provider? (optional)"}


class NoticeForm(StepForm):
    notice_type = forms.ChoiceField(
        label="Have you been told to leave?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you have been told to leave"},
    )
    they = {"notice_type": "Have they been told to leave?"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _everyday(self.fields["notice_type"], code_choices("notice_type"), EVERYDAY_NOTICE)


class NoticeServedForm(StepForm):
    served_on = GovukDateField(
        label="When were you given the notice? (optional)",
        required=False,
        past_only=True,
        help_text="For example, 27 3 2026",
    )
    they = {"served_on": "When were they given the notice? (optional)"}


class LeaveByForm(StepForm):
    leave_by = GovukDateField(
        label="What date have you been told to leave by? (optional)",
        required=False,
        help_text="For example, 27 3 2026",
    )
    they = {"leave_by": "What date have they been told to leave by? (optional)"}


class LastAddressForm(StepForm):
    last_address = forms.CharField(
        label="What was the address of your last settled home? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text="The last place you lived for 6 months or more. "
        "Leave it blank if it is where you live now.",
        required=False,
    )
    they = {"last_address": "What was the address of their last settled home? (optional)"}
    they_hints = {
        "last_address": "The last place they lived for 6 months or more. "
        "Leave it blank if it is where they live now."
    }


class ReasonLossForm(StepForm):
    reason_loss = forms.ChoiceField(
        label="Why did you lose (or why are you losing) your last settled home?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you lost, or are losing, your home"},
    )
    they = {"reason_loss": "Why did they lose (or why are they losing) their last settled home?"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _everyday(self.fields["reason_loss"], code_choices("reason_loss"), EVERYDAY_REASON_LOSS)


class NationalityForm(StepForm):
    nationality = _radios(
        "What is your nationality?",
        [
            ("british_irish", "British or Irish"),
            ("eea_settled", "EU, EEA or Swiss, with settled or pre-settled status"),
            ("other", "Another nationality"),
        ],
        required_message="Select your nationality",
    )
    they = {"nationality": "What is their nationality?"}


class ImmigrationStatusForm(StepForm):
    immigration_status = forms.CharField(
        label="What is your immigration status? (optional)",
        required=False,
        max_length=200,
        help_text="For example, indefinite leave to remain or refugee status",
    )
    they = {"immigration_status": "What is their immigration status? (optional)"}


class PublicFundsForm(StepForm):
    public_funds = _radios(
        "Can you get benefits and other help paid for by the government?",
        [("yes", "Yes"), ("no", "No"), ("unknown", "I do not know")],
        required_message="Select whether you can get benefits and other help paid for by the government",
        help_text="This is called ‘recourse to public funds’. Your visa or residence permit says if you have "
        "‘no recourse to public funds’.",
    )
    they = {"public_funds": "Can they get benefits and other help paid for by the government?"}
    they_hints = {
        "public_funds": "This is called ‘recourse to public funds’. Their visa or residence permit says if "
        "they have ‘no recourse to public funds’."
    }


class LivedHereForm(StepForm):
    lived_here = _radios(
        "How long have you lived in the borough?",
        [
            ("6_of_12", "6 of the last 12 months or more"),
            ("3_of_5", "3 of the last 5 years or more"),
            ("less", "Less than that"),
            ("never", "I have not lived here"),
        ],
        required_message="Select how long you have lived in the borough",
    )
    they = {"lived_here": "How long have they lived in the borough?"}


class WorkHereForm(StepForm):
    work_here = _radios(
        "Do you work in the borough?", YES_NO, required_message="Select yes if you work in the borough"
    )
    they = {"work_here": "Do they work in the borough?"}


class FamilyHereForm(StepForm):
    family_here = _radios(
        "Do you have close family who have lived in the borough for 5 years or more?",
        YES_NO,
        required_message="Select yes if you have close family in the borough",
    )
    they = {"family_here": "Do they have close family who have lived in the borough for 5 years or more?"}


class PreviousAddressesForm(StepForm):
    previous_addresses = forms.CharField(
        label="Your addresses in the last 5 years (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    they = {"previous_addresses": "Their addresses in the last 5 years (optional)"}
