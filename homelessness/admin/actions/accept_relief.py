"""Accept the relief duty (s.189B(2)) and send the letter with the plan."""

from __future__ import annotations

from ... import admin_forms, services
from .base import CaseAction


class AcceptRelief(CaseAction):
    name = "accept_relief"
    form_class = admin_forms.AcceptDutyForm
    done = "Relief duty accepted: the letter has been sent."

    def perform(self, request, case, data):
        services.case_accept_relief_duty(case=case, actor=request.user, **data)


action = AcceptRelief()
