"""Approve a proposed non-cooperation notice, as the second officer."""

from __future__ import annotations

from django import forms
from django.http import Http404

from ... import services
from .base import CaseAction


class ApproveForm(forms.Form):
    notice = forms.IntegerField(widget=forms.HiddenInput, error_messages={"invalid": "Choose a notice."})


class NoncoopApprove(CaseAction):
    name = "noncoop_approve"
    form_class = ApproveForm
    done = "Non-cooperation notice approved."

    def perform(self, request, case, data):
        notice = case.noncooperation_notices.filter(pk=data["notice"]).first()
        if notice is None:
            raise Http404
        services.noncooperation_approve(notice=notice, actor=request.user)


action = NoncoopApprove()
