"""Put the case on legal hold or lift it (managers only, with a reason)."""

from __future__ import annotations

from ... import admin_forms, services
from .base import CaseAction


class Hold(CaseAction):
    name = "hold"
    form_class = admin_forms.LegalHoldForm
    done = "Legal hold updated."

    def initial(self, request, case):
        return {"hold": "0" if case.legal_hold else "1"}

    def perform(self, request, case, data):
        services.case_legal_hold_set(case=case, actor=request.user, **data)


action = Hold()
