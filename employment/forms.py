from django import forms

from .models import Opportunity
from .selectors import SORTS


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
    sort = forms.ChoiceField(label="Sort by", required=False, choices=list(SORTS.items()))

    def __init__(self, *args, sectors: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [(s, s) for s in sectors]
