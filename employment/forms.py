from decimal import Decimal

from django import forms

from hackney_portal.frontend.forms import GovukDateField

from .models import Opportunity
from .selectors import SORTS, postcode_centroid

MAX_PAY_POUNDS = Decimal("1000000")


class SearchForm(forms.Form):
    q = forms.CharField(
        label="What are you looking for?",
        required=False,
        max_length=200,
        help_text='For example chef, "customer service" or care -night',
    )
    kind = forms.MultipleChoiceField(
        label="Type", choices=Opportunity.Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    sector = forms.MultipleChoiceField(
        label="Sector", choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    contract = forms.MultipleChoiceField(
        label="Contract",
        choices=Opportunity.Contract.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hours = forms.MultipleChoiceField(
        label="Hours", choices=Opportunity.Hours.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    min_pay = forms.ChoiceField(
        label="Minimum pay a year",
        required=False,
        choices=[
            ("", "Any"),
            ("20000", "£20,000"),
            ("25000", "£25,000"),
            ("30000", "£30,000"),
            ("40000", "£40,000"),
        ],
    )
    living_wage = forms.BooleanField(label="London Living Wage or above", required=False)
    disability_confident = forms.BooleanField(label="Disability Confident employers", required=False)
    no_experience = forms.BooleanField(label="No experience needed", required=False)
    closing_soon = forms.BooleanField(label="Closing in the next 7 days", required=False)
    posted_within = forms.ChoiceField(
        label="Posted",
        required=False,
        choices=[
            ("", "Any time"),
            ("1", "In the last day"),
            ("7", "In the last 7 days"),
            ("30", "In the last 30 days"),
        ],
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        help_text="To see how far away each opportunity is: a full postcode like E8 1EA, or just E8",
    )
    distance = forms.ChoiceField(
        label="Distance",
        required=False,
        choices=[
            ("", "Any distance"),
            ("1", "Within 1 mile"),
            ("2", "Within 2 miles"),
            ("5", "Within 5 miles"),
            ("10", "Within 10 miles"),
            ("20", "Within 20 miles"),
        ],
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=list(SORTS.items()))

    def __init__(self, *args, sectors: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [(s, s) for s in sectors]

    def show_counts(self, counts: dict) -> None:
        """Put the number of results each choice would give beside it, as the checkboxes have."""
        for name in ("posted_within", "min_pay", "distance"):
            known = counts.get(name) or {}
            self.fields[name].choices = [
                (value, f"{label} ({known[value]})" if value in known else label)
                for value, label in self.fields[name].choices
            ]
        # The checkbox groups show a count on every choice, 0 included; worked out here once rather than
        # by a search through the counts in the template for every box (a third of the page's time).
        for name in ("kind", "sector", "contract", "hours"):
            known = counts.get(name) or {}
            self.fields[name].choices = [
                (value, f"{label} ({known.get(value, 0)})") for value, label in self.fields[name].choices
            ]

    def clean(self):
        data = super().clean()
        postcode = (data.get("postcode") or "").strip()
        if postcode:
            centroid = postcode_centroid(postcode)
            if centroid is None:
                self.add_error(
                    "postcode", "We do not recognise that postcode. Check it, or search without one"
                )
            else:
                data["origin"] = centroid
        elif data.get("distance"):
            self.add_error("postcode", "Enter a postcode to search by distance")
        if data.get("sort") == "distance" and not data.get("origin"):
            data["sort"] = ""
        return data


class ApplyForm(forms.Form):
    name = forms.CharField(
        label="Full name", max_length=200, error_messages={"required": "Enter your full name"}
    )
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    phone = forms.CharField(label="Phone number (optional)", max_length=30, required=False)
    cv = forms.FileField(
        label="Upload your CV",
        help_text="A PDF or Word document (.docx), smaller than 5 MB",
        error_messages={"required": "Select your CV"},
    )
    statement = forms.CharField(
        label="Why do you want this job?",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Tell the employer why you want this job"},
    )
    lives_in_borough = forms.BooleanField(label="I live in the borough", required=False)


class AlertForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    frequency = forms.ChoiceField(
        label="How often?",
        widget=forms.RadioSelect,
        choices=[("daily", "Daily"), ("weekly", "Weekly")],
        error_messages={"required": "Select how often you want alerts"},
    )


class ListingForm(forms.Form):
    """What an employer fills in. Pay is structured (amounts and a period), never free text."""

    kind = forms.ChoiceField(
        label="Type of opportunity",
        choices=Opportunity.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of opportunity"},
    )
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        help_text="One or two sentences for search results",
        error_messages={"required": "Enter a summary"},
    )
    description = forms.CharField(
        label="Full description",
        widget=forms.Textarea,
        max_length=20000,
        help_text="You can use Markdown for lists and bold text",
        error_messages={"required": "Enter a description"},
    )
    sector = forms.CharField(label="Sector", max_length=60, error_messages={"required": "Enter a sector"})
    contract = forms.ChoiceField(label="Contract", choices=Opportunity.Contract.choices)
    hours = forms.ChoiceField(label="Hours", choices=Opportunity.Hours.choices)
    pay_period = forms.ChoiceField(label="Pay is", choices=Opportunity.PayPeriod.choices)
    # Pay is kept in pence in a 32-bit column; no job here pays a million pounds: a bigger figure is a typo.
    pay_min = forms.DecimalField(
        label="Pay from, in pounds",
        required=False,
        min_value=0,
        max_value=MAX_PAY_POUNDS,
        max_digits=9,
        decimal_places=2,
        error_messages={
            "max_value": "Pay from must be £1,000,000 or less",
            "max_digits": "Pay from must be £1,000,000 or less",
            "min_value": "Pay from must be £0 or more",
            "max_decimal_places": "Pay from must be in pounds and pence, like 12.60",
            "invalid": "Pay from must be a number, like 12.60",
        },
    )
    pay_max = forms.DecimalField(
        label="Pay up to, in pounds",
        required=False,
        min_value=0,
        max_value=MAX_PAY_POUNDS,
        max_digits=9,
        decimal_places=2,
        error_messages={
            "max_value": "Pay up to must be £1,000,000 or less",
            "max_digits": "Pay up to must be £1,000,000 or less",
            "min_value": "Pay up to must be £0 or more",
            "max_decimal_places": "Pay up to must be in pounds and pence, like 12.60",
            "invalid": "Pay up to must be a number, like 12.60",
        },
    )
    hours_per_week = forms.DecimalField(
        label="Hours a week",
        required=False,
        min_value=1,
        max_value=60,
        decimal_places=1,
        help_text="Needed for yearly pay, to work out the hourly pay",
        error_messages={
            "min_value": "Hours a week must be 1 or more",
            "max_value": "Hours a week must be 60 or fewer",
        },
    )
    age_band = forms.ChoiceField(label="Age of the people you will employ", choices=[])
    london_living_wage = forms.BooleanField(
        label="We pay the London Living Wage or above",
        required=False,
        help_text="We check this against your pay and the current rate before showing it",
    )
    disability_confident = forms.BooleanField(label="We are a Disability Confident employer", required=False)
    no_experience_needed = forms.BooleanField(label="No experience needed", required=False)
    postcode = forms.CharField(
        label="Postcode of the workplace",
        max_length=10,
        error_messages={"required": "Enter the postcode of the workplace"},
    )
    apply_url = forms.URLField(
        label="Apply on your website (optional)",
        required=False,
        assume_scheme="https",
        help_text="Leave empty for people to apply on this site",
    )
    closing_date = GovukDateField(
        label="Closing date", future_only=True, error_messages={"required": "Enter the closing date"}
    )
    start_date = GovukDateField(
        label="Start date (events and courses)",
        required=False,
        future_only=True,
        help_text="The day an event or course starts, for example 27 3 2027",
    )
    start_time = forms.CharField(
        label="Start time (events)",
        required=False,
        max_length=10,
        help_text="For example 9:30am or 6pm",
    )

    def __init__(self, *args, **kwargs):
        from .wages import AGE_BANDS

        super().__init__(*args, **kwargs)
        self.fields["age_band"].choices = AGE_BANDS

    def clean_title(self):
        # One line: a title is a heading, an email subject and a feed item's title.
        return " ".join(self.cleaned_data["title"].split())

    def clean_start_time(self):
        from .text import time_parse

        value = (self.cleaned_data.get("start_time") or "").strip()
        if not value:
            return None
        parsed = time_parse(value)
        if parsed is None:
            raise forms.ValidationError("Enter a start time like 9:30am or 6pm")
        return parsed

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (Opportunity.Kind.EVENT, Opportunity.Kind.TRAINING):
            what = "event" if kind == Opportunity.Kind.EVENT else "course"
            if not data.get("start_date") and "start_date" not in self.errors:
                self.add_error("start_date", f"Enter the date the {what} starts")
            if (
                kind == Opportunity.Kind.EVENT
                and not data.get("start_time")
                and "start_time" not in self.errors
            ):
                self.add_error("start_time", "Enter the time the event starts")
            if kind == Opportunity.Kind.TRAINING:
                data["start_time"] = None
        else:
            data["start_date"] = data["start_time"] = None
        if "pay_min" in self.errors or "pay_max" in self.errors:
            data["pay_min_pence"] = data["pay_max_pence"] = 0  # the form is shown again with the errors
        elif data.get("pay_period") and data["pay_period"] != "none":
            if not data.get("pay_max") and not data.get("pay_min"):
                self.add_error("pay_min", "Enter the pay")
            lo, hi = data.get("pay_min") or data.get("pay_max"), data.get("pay_max") or data.get("pay_min")
            if lo and hi and lo > hi:
                self.add_error("pay_max", "Pay up to must be the same as or more than pay from")
            data["pay_min_pence"], data["pay_max_pence"] = int((lo or 0) * 100), int((hi or 0) * 100)
            if (
                data["pay_period"] == "year"
                and not data.get("hours_per_week")
                and "hours_per_week" not in self.errors
            ):
                self.add_error("hours_per_week", "Enter the hours a week, so we can work out the hourly pay")
        else:
            data["pay_min_pence"] = data["pay_max_pence"] = 0
        return data


class ApplicationStatusForm(forms.Form):
    """An employer (or moderator) moves an application on; the applicant is emailed with any feedback."""

    status = forms.ChoiceField(
        label="Status",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a status", "invalid_choice": "Select a status"},
    )
    feedback = forms.CharField(
        label="Feedback for the applicant (optional)",
        help_text="We email this to the applicant with the new status",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        error_messages={"max_length": "Feedback must be 5,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        from .models import Application

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = Application.Status.choices
