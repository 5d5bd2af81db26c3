"""Add a note to the case."""

from __future__ import annotations

from ... import forms, services
from .base import CaseAction


class Note(CaseAction):
    name = "note"
    form_class = forms.NoteForm
    done = "Note added."

    def perform(self, request, case, data):
        services.case_note_add(case=case, actor=request.user, **data)


action = Note()
