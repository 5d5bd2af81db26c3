"""Add a step to the personalised housing plan (s.189A)."""

from __future__ import annotations

from ... import forms, services
from .base import CaseAction


class Plan(CaseAction):
    name = "plan"
    form_class = forms.PlanStepForm
    done = "Step added."

    def perform(self, request, case, data):
        services.plan_step_add(case=case, actor=request.user, **data)


action = Plan()
