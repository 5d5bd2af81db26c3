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
