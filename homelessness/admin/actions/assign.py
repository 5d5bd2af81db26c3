"""Give the case to an officer (to one of the restricted cases team for a case routed to it)."""

from __future__ import annotations

from ... import forms, selectors, services
from ..queue import _officers
from .base import CaseAction


class Assign(CaseAction):
    name = "assign"
    form_class = forms.AssignForm
    done = "Case assigned."

    def form_kwargs(self, request, case, *, bound):
        if bound or not case.restricted_team:
            return {"officers": _officers()}
        # A case routed to the restricted-cases team can only be given to one of its officers.
        return {"officers": selectors.restricted_team_officers().order_by("name", "email")}

    def initial(self, request, case):
        return {"officer": request.user.pk}

    def perform(self, request, case, data):
        services.case_assign(case=case, officer=data["officer"], actor=request.user)


action = Assign()
