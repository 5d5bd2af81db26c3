"""Record what the prevention and relief work came to, for the H-CLIC return (main activity, accommodation
secured)."""

from __future__ import annotations

from django import forms

from ... import selectors, services
from .base import CaseAction


class DutyOutcomeForm(forms.Form):
    prevention_activity = forms.ChoiceField(label="Main prevention activity", required=False)
    relief_activity = forms.ChoiceField(label="Main relief activity", required=False)
    accommodation_secured = forms.ChoiceField(
        label="Accommodation secured (when a duty ended because accommodation was secured)", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lists = selectors.code_lists("activity", "accommodation_secured")
        activities = [("", "Not recorded"), *lists["activity"]]
        self.fields["prevention_activity"].choices = activities
        self.fields["relief_activity"].choices = activities
        self.fields["accommodation_secured"].choices = [("", "Not recorded"), *lists["accommodation_secured"]]


class DutyOutcome(CaseAction):
    name = "duty_outcome"
    form_class = DutyOutcomeForm
    done = "Recorded for the H-CLIC return."

    def initial(self, request, case):
        return {
            "prevention_activity": case.prevention_activity,
            "relief_activity": case.relief_activity,
            "accommodation_secured": case.accommodation_secured,
        }

    def perform(self, request, case, data):
        services.case_duty_outcome_record(case=case, actor=request.user, **data)


action = DutyOutcome()
