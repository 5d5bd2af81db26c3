"""Record an assessment (s.184, s.189A); each one is kept in the case's history."""

from __future__ import annotations

from ... import forms, services
from .base import CaseAction


class Assessment(CaseAction):
    name = "assessment"
    form_class = forms.AssessmentForm
    done = "Assessment recorded."

    def initial(self, request, case):
        return {
            "eligible": {True: "yes", False: "no"}.get(case.eligible, ""),
            "outcome": case.assessment_outcome,
            "priority_need": case.priority_need,
            "household_type": case.household_type,
            "reason_loss": case.reason_loss,
            "accommodation_at_application": case.accommodation_at_application,
            "support_needs": case.support_needs,
        }

    def perform(self, request, case, data):
        services.case_record_assessment(case=case, actor=request.user, **data)


action = Assessment()
