"""Restrict the case to the officers named on it."""

from __future__ import annotations

from ... import forms, services
from ..queue import _officers
from .base import CaseAction


class Restrict(CaseAction):
    name = "restrict"
    form_class = forms.RestrictForm
    done = "Case restricted."

    def form_kwargs(self, request, case, *, bound):
        return {"officers": _officers()}

    def perform(self, request, case, data):
        services.case_restrict(
            case=case, actor=request.user, restriction=data["restriction"], officers=list(data["officers"])
        )


action = Restrict()
