from django import forms

from .models import Opportunity
from .selectors import SORTS, postcode_centroid


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
        help_text="To see how far away each opportunity is, for example E8 1EA",
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
