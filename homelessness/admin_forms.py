"""Back-office forms for the statutory decisions (officers only; the resident intake's are in forms.py)."""

from __future__ import annotations

from django import forms

from . import forms as intake_forms
from . import rules


class DecisionMoveForm(intake_forms.MoveForm):
    """Move or close a case; closing a duty on a ground whose precondition the record cannot show needs the
    officer to confirm it (the statement for each ground is listed)."""

    confirmed = forms.BooleanField(label="I confirm the conditions for this ground are met", required=False)

    def __init__(self, *args, stage: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        ends = rules.DUTY_ENDS.get(stage, {}) if stage else {}
        statements = [
            f"{rules.CloseReason(r).label} ({e.section}): {e.confirm}" for r, e in ends.items() if e.confirm
        ]
        if statements:
            self.fields["confirmed"].help_text = " · ".join(statements)


class NonCooperationWarningForm(forms.Form):
    reasons = forms.CharField(
        label="The step not taken, and why the refusal seems deliberate and unreasonable",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class AcceptDutyForm(forms.Form):
    reasons = forms.CharField(
        label="Summary of the assessment, for the letter (s.189A(3))",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class IntentionalityForm(forms.Form):
    intentional = forms.TypedChoiceField(
        label="Did the applicant become homeless intentionally (s.191)?",
        choices=[("yes", "Yes, intentionally homeless"), ("no", "No, not intentionally homeless")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label="Reasons, for the letter", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class LocalConnectionForm(forms.Form):
    authority = forms.CharField(label="Council the case is referred to", max_length=200)
    reasons = forms.CharField(
        label="Reasons, for the letter", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    confirmed = forms.BooleanField(
        label="I confirm the conditions for referral are met",
        required=False,
        help_text=rules.RELIEF_ENDS[rules.CloseReason.LOCAL_CONNECTION_REFERRAL].confirm,
    )


class LateReviewRequestForm(intake_forms.ReviewRequestForm):
    notified_on = forms.DateField(
        label="If the applicant was told of the decision after the letter's date: the day they were told",
        help_text="For example, when the letter's email was held and it was given to them in person. The 21"
        " days to ask for a review begin that day (s.202(3)).",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    late_reason = forms.CharField(
        label="If asked for after the 21 days: why it is accepted (s.202(3))",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class LegalHoldForm(forms.Form):
    hold = forms.TypedChoiceField(
        choices=[("1", "Put on legal hold"), ("0", "Lift the legal hold")],
        coerce=lambda v: v == "1",
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label="Reason (required)",
        max_length=500,
        error_messages={"required": "Give the reason for putting the case on legal hold or lifting it."},
    )


class HclicBuildForm(intake_forms.HclicForm):
    allow_unfinished = forms.BooleanField(
        label="Build it even though the quarter has not ended (for checking only: it will be incomplete)",
        required=False,
    )
