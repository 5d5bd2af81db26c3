"""Record a temporary accommodation placement."""

from __future__ import annotations

from ... import forms, services
from .base import CaseAction


class Placement(CaseAction):
    name = "placement"
    form_class = forms.PlacementForm
    done = "Placement recorded."

    def perform(self, request, case, data):
        services.placement_add(case=case, actor=request.user, **data)


action = Placement()
