"""Send the non-cooperation warning letter (s.193B(4))."""

from __future__ import annotations

from ... import admin_forms, services
from .base import CaseAction


class NoncoopWarn(CaseAction):
    name = "noncoop_warn"
    form_class = admin_forms.NonCooperationWarningForm
    done = "Warning letter sent (s.193B(4))."

    def perform(self, request, case, data):
        services.case_noncooperation_warn(case=case, actor=request.user, **data)


action = NoncoopWarn()
