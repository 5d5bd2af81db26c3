"""Ask the applicant for a document by a date."""

from __future__ import annotations

from ... import forms, services
from .base import CaseAction


class Docreq(CaseAction):
    name = "docreq"
    form_class = forms.DocumentRequestForm
    done = "Document requested."

    def perform(self, request, case, data):
        services.document_request_create(case=case, actor=request.user, **data)


action = Docreq()
