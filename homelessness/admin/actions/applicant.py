"""Record the lead applicant's details the H-CLIC return needs (sex, date of birth, nationality, work)."""

from __future__ import annotations

from ... import forms, services
from .base import CaseAction


class Applicant(CaseAction):
    name = "applicant"
    form_class = forms.ApplicantDetailsForm
    done = "Applicant's details recorded."

    def perform(self, request, case, data):
        services.case_applicant_details_record(case=case, actor=request.user, **data)


action = Applicant()
