"""Officers' action forms in the admin."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from ..models import Case, DecisionLetter, PlanStep, Review, TemporaryAccommodation
from ..rules import AssessmentOutcome, CloseReason, PriorityNeed, ReviewKind
from ..selectors import code_lists

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
        lists = code_lists("household_type", "reason_loss", "accommodation", "support_need")
        self.fields["household_type"].choices = [("", "---"), *lists["household_type"]]
        self.fields["reason_loss"].choices = [("", "---"), *lists["reason_loss"]]
        self.fields["accommodation_at_application"].choices = [("", "---"), *lists["accommodation"]]
        self.fields["support_needs"].choices = lists["support_need"]


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


class ApplicantDetailsForm(forms.Form):
    """The lead applicant's details H-CLIC needs, recorded by the officer when the application did not
    give them (a referral, a paper form, a question skipped). A blank field leaves what is held."""

    sex = forms.ChoiceField(label="Sex", required=False)
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    nationality = forms.ChoiceField(label="Nationality", required=False)
    employment = forms.ChoiceField(label="Working", required=False)

    def __init__(self, *args, **kwargs):
        from .intake_circumstances import EmploymentForm
        from .intake_eligibility import NationalityForm
        from .intake_household import SexForm

        super().__init__(*args, **kwargs)
        keep = [("", "Leave as it is")]
        self.fields["sex"].choices = keep + list(SexForm.base_fields["sex"].choices)
        self.fields["nationality"].choices = keep + list(NationalityForm.base_fields["nationality"].choices)
        self.fields["employment"].choices = keep + list(EmploymentForm.base_fields["employment"].choices)

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and (born >= timezone.localdate() or born.year < 1900):
            raise forms.ValidationError("Enter a date of birth in the past, after 1900")
        return born
