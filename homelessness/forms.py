"""Forms for the intake (one question per page), the Duty to Refer referral, uploads and officers' actions."""

from __future__ import annotations

import datetime as dt
import re

from django import forms

from hackney_portal.core.forms import CheckboxesField, GovukDateField

from .models import Case, DecisionLetter, DocumentRequest, PlanStep, Referral, Review, TemporaryAccommodation
from .rules import AssessmentOutcome, CloseReason, PriorityNeed, ReviewKind
from .selectors import code_choices

YES_NO = [("yes", "Yes"), ("no", "No")]
PREFER = ("prefer_not", "Prefer not to say")
# A National Insurance number's format; "QQ" is the prefix of GOV.UK's example (QQ 12 34 56 C), never
# issued to anyone, and accepted so that a person who types the example is not told it is wrong.
NI_RE = re.compile(r"^(?:[A-CEGHJ-PR-TW-Z]{2}|QQ)\d{6}[A-D]$")


def _radios(label, choices, *, required_message, help_text=""):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": required_message},
    )


class StepForm(forms.Form):
    """A page of the intake; `as_answers()` gives JSON-safe answers to store in the draft.

    `they` gives a field's label (and `they_hints` its hint) for someone applying for another person, so
    the questions say "they", not "you".
    """

    they: dict[str, str] = {}
    they_hints: dict[str, str] = {}
    # The applicant's own details, filled in by the browser (WCAG 1.3.5); never for someone else's.
    autocomplete: dict[str, str] = {}

    def __init__(self, *args, behalf: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.behalf = behalf
        for name, token in self.autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = "off" if behalf else token
        if behalf:
            for name, label in self.they.items():
                self.fields[name].label = label
            for name, hint in self.they_hints.items():
                self.fields[name].help_text = hint

    def as_answers(self) -> dict:
        out = {}
        for name, value in self.cleaned_data.items():
            out[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return out

    def valid_answers(self) -> dict:
        """What was answered, and answered well, on a page that is not finished ("Save and come back
        later"): the fields that passed their checks and are not empty. Call after `is_valid()`."""
        return {
            name: value
            for name, value in self.as_answers().items()
            if name not in self.errors and value not in (None, "", [], False)
        }

    @classmethod
    def initial_from(cls, stored: dict) -> dict:
        """Stored answers as a form's initial values (dates are kept as ISO text in the draft)."""
        initial = dict(stored)
        for name, field in cls.base_fields.items():
            if isinstance(field, GovukDateField) and isinstance(initial.get(name), str):
                try:
                    initial[name] = dt.date.fromisoformat(initial[name])
                except ValueError:
                    initial.pop(name)
        return initial


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


class ContactForm(StepForm):
    autocomplete = {"email": "email", "phone": "tel"}
    email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="We will send your reference number and updates here",
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    phone = forms.CharField(label="Phone number", required=False, max_length=30)
    safe_method = _radios(
        "How is it safe for us to contact you?",
        [("phone", "Phone call"), ("text", "Text message"), ("email", "Email")],
        required_message="Select how it is safe to contact you",
    )
    safe_times = forms.CharField(
        label="When is it safe to contact you? (optional)",
        required=False,
        max_length=300,
        help_text="For example, weekdays after 2pm. Tell us if we must not leave a message.",
    )
    no_messages = forms.BooleanField(
        label="Do not send me any messages (no emails, texts or letters)",
        required=False,
        help_text="Choose this if someone else may see your messages. We will only call you.",
    )

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone") and "email" not in self.errors:
            self.add_error("email", "Enter an email address or a phone number so we can contact you")
        method = data.get("safe_method")
        if method in ("phone", "text") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", "Enter a phone number, or choose email")
        if method == "email" and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "Enter an email address, or choose phone")
        if data.get("no_messages") and method in ("email", "text"):
            self.add_error("no_messages", "Choose phone call if we must not send you any messages")
        return data

    def clean_phone(self):
        phone = re.sub(r"[\s()-]", "", self.cleaned_data.get("phone", ""))
        if phone and not re.fullmatch(r"\+?\d{10,13}", phone):
            raise forms.ValidationError("Enter a phone number, like 07700 900 982 or 020 8356 3000")
        return phone


class AboutForm(StepForm):
    autocomplete = {"full_name": "name", "date_of_birth": "bday"}
    full_name = forms.CharField(
        label="Full name", max_length=200, error_messages={"required": "Enter your full name"}
    )
    date_of_birth = GovukDateField(
        label="Date of birth",
        past_only=True,
        help_text="For example, 27 3 1990",
        error_messages={"required": "Enter your date of birth"},
    )
    sex = _radios(
        "Sex",
        [("female", "Female"), ("male", "Male"), ("other", "Other"), PREFER],
        required_message="Select an option for sex",
    )
    ni_number = forms.CharField(
        label="National Insurance number (optional)",
        required=False,
        max_length=13,
        help_text="It’s on your National Insurance card, benefit letter, payslip or P60. "
        "For example, QQ 12 34 56 C",
    )

    they = {
        "full_name": "Their full name",
        "date_of_birth": "Their date of birth",
        "sex": "Their sex",
        "ni_number": "Their National Insurance number (optional)",
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


class PersonForm(StepForm):
    name = forms.CharField(
        label="Their full name", max_length=200, error_messages={"required": "Enter their full name"}
    )
    date_of_birth = GovukDateField(
        label="Their date of birth", past_only=True, error_messages={"required": "Enter their date of birth"}
    )
    sex = _radios(
        "Their sex",
        [("female", "Female"), ("male", "Male"), ("other", "Other"), PREFER],
        required_message="Select an option for their sex",
    )
    relationship = forms.ChoiceField(
        label="Their relationship to you",
        choices=[
            ("", "Choose a relationship"),
            ("partner", "Partner, husband or wife"),
            ("child", "Son or daughter"),
            ("parent", "Parent"),
            ("sibling", "Brother or sister"),
            ("other_relative", "Other relative"),
            ("carer", "Carer"),
            ("other", "Other"),
        ],
        error_messages={"required": "Select their relationship to you"},
    )
    pregnant = forms.BooleanField(label="This person is pregnant", required=False)


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


def _everyday(field, codes: list[tuple[str, str]], words: dict[str, str]) -> None:
    field.choices = [(code, words.get(code, label)) for code, label in codes]
    field.choice_hints = {code: label for code, label in codes if words.get(code, label) != label}


class AccommodationForm(StepForm):
    accommodation = forms.ChoiceField(
        label="Where are you living now?",
        error_messages={"required": "Select where you are living now"},
        widget=forms.RadioSelect,
    )
    landlord = forms.CharField(
        label="Landlord or housing provider (optional)", required=False, max_length=200
    )
    they = {"accommodation": "Where are they living now?"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _everyday(self.fields["accommodation"], code_choices("accommodation"), EVERYDAY_ACCOMMODATION)


class NoticeForm(StepForm):
    notice_type = forms.ChoiceField(
        label="Have you been told to leave?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you have been told to leave"},
    )
    served_on = GovukDateField(
        label="Date you were given the notice (optional)", required=False, past_only=True
    )
    leave_by = GovukDateField(label="Date you have been told to leave by (optional)", required=False)
    they = {
        "notice_type": "Have they been told to leave?",
        "served_on": "Date they were given the notice (optional)",
        "leave_by": "Date they have been told to leave by (optional)",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _everyday(self.fields["notice_type"], code_choices("notice_type"), EVERYDAY_NOTICE)


class LastSettledForm(StepForm):
    last_address = forms.CharField(
        label="What was the address of your last settled home?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text="The last place you lived for 6 months or more. "
        "Leave it blank if it is where you live now.",
        required=False,
    )
    reason_loss = forms.ChoiceField(
        label="Why did you lose (or why are you losing) that home?",
        error_messages={"required": "Select why you lost, or are losing, your home"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_loss"].choices = code_choices("reason_loss", blank="Choose a reason")


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


# Officers' action forms in the admin ------------------------------------------------------------------


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(queryset=None, label="Assign to")

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class AssessmentForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label="Eligible for assistance (s.185)?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label="Initial assessment outcome", choices=[("", "---"), *AssessmentOutcome.choices]
    )
    priority_need = forms.ChoiceField(
        label="Priority need", choices=[("", "None established"), *PriorityNeed.choices], required=False
    )
    household_type = forms.ChoiceField(label="Household type", required=False)
    reason_loss = forms.ChoiceField(label="Reason for loss of last settled home", required=False)
    accommodation_at_application = forms.ChoiceField(label="Accommodation at application", required=False)
    support_needs = forms.MultipleChoiceField(
        label="Support needs", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household_type"].choices = code_choices("household_type", blank="---")
        self.fields["reason_loss"].choices = code_choices("reason_loss", blank="---")
        self.fields["accommodation_at_application"].choices = code_choices("accommodation", blank="---")
        self.fields["support_needs"].choices = code_choices("support_need")


class MoveForm(forms.Form):
    to_stage = forms.ChoiceField(label="Move to")
    end_reason = forms.ChoiceField(
        label="End reason (when closing)", required=False, choices=[("", "---"), *CloseReason.choices]
    )
    reasons = forms.CharField(
        label="Reasons (for the decision letter)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = stages


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class DocumentRequestForm(forms.Form):
    description = forms.CharField(label="What do you need?", max_length=300)
    due_on = forms.DateField(label="Due by", widget=forms.DateInput(attrs={"type": "date"}))


class PlanStepForm(forms.Form):
    owner = forms.ChoiceField(label="Whose step", choices=PlanStep.Owner.choices)
    text = forms.CharField(label="Step", max_length=500)
    due_on = forms.DateField(label="Due by", widget=forms.DateInput(attrs={"type": "date"}))


class NonCooperationForm(forms.Form):
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea(attrs={"rows": 4}))


class ReviewRequestForm(forms.Form):
    letter = forms.ModelChoiceField(queryset=DecisionLetter.objects.none(), label="Decision to review")
    kind = forms.ChoiceField(label="Kind of review", choices=ReviewKind.choices)
    requested_on = forms.DateField(label="Requested on", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, letters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letter"].queryset = letters


class ReviewDecideForm(forms.Form):
    review = forms.ModelChoiceField(queryset=Review.objects.none(), label="Review")
    outcome = forms.ChoiceField(label="Outcome", choices=Review.Outcome.choices)
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, reviews, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review"].queryset = reviews


class PlacementForm(forms.Form):
    kind = forms.ChoiceField(label="Type", choices=TemporaryAccommodation.Kind.choices)
    start_on = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    in_borough = forms.BooleanField(label="In the borough", required=False, initial=True)
    children = forms.IntegerField(label="Children in the placement", min_value=0, max_value=20, initial=0)


class RestrictForm(forms.Form):
    restriction = forms.ChoiceField(label="Restrict because", choices=Case.Restriction.choices[1:])
    officers = forms.ModelMultipleChoiceField(queryset=None, label="Officers who may see it", required=False)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = officers


class HclicForm(forms.Form):
    year = forms.IntegerField(
        label="Financial year starting",
        min_value=2018,
        max_value=2100,
        help_text="For example 2026 for April 2026 to March 2027",
    )
    quarter = forms.TypedChoiceField(
        label="Quarter",
        coerce=int,
        choices=[
            (1, "Q1 April to June"),
            (2, "Q2 July to September"),
            (3, "Q3 October to December"),
            (4, "Q4 January to March"),
        ],
    )
