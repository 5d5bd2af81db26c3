"""Propose a non-cooperation notice (s.193B); a second officer approves it."""

from __future__ import annotations

from ... import forms, services
from .base import CaseAction


class Noncoop(CaseAction):
    name = "noncoop"
    form_class = forms.NonCooperationForm
    done = "Non-cooperation notice proposed: a senior officer must approve it."

    def perform(self, request, case, data):
        services.noncooperation_propose(case=case, actor=request.user, **data)


action = Noncoop()
