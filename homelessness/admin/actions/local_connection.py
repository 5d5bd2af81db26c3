"""Refer the case to another council (s.198)."""

from __future__ import annotations

from ... import admin_forms, services
from .base import CaseAction


class LocalConnection(CaseAction):
    name = "local_connection"
    form_class = admin_forms.LocalConnectionForm
    done = "Case referred (s.198): the letter has been sent."

    def perform(self, request, case, data):
        services.case_refer_local_connection(case=case, actor=request.user, **data)


action = LocalConnection()
