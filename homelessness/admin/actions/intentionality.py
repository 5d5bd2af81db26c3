"""Decide whether the applicant became homeless intentionally (s.191)."""

from __future__ import annotations

from ... import admin_forms, services
from .base import CaseAction


class Intentionality(CaseAction):
    name = "intentionality"
    form_class = admin_forms.IntentionalityForm
    done = "Intentionality decision recorded: the letter has been sent."

    def perform(self, request, case, data):
        services.case_decide_intentionality(case=case, actor=request.user, **data)


action = Intentionality()
