"""Accept the prevention duty (s.195(2)) and send the letter with the plan."""

from __future__ import annotations

from ... import admin_forms, services
from .base import CaseAction


class AcceptPrevention(CaseAction):
    name = "accept_prevention"
    form_class = admin_forms.AcceptDutyForm
    done = "Prevention duty accepted: the letter has been sent."

    def perform(self, request, case, data):
        services.case_accept_prevention_duty(case=case, actor=request.user, **data)


action = AcceptPrevention()
