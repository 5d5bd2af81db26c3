"""The intake's page form and the small pieces its questions share."""

from __future__ import annotations

import datetime as dt
import re

from django import forms

from hackney_portal.frontend.forms import GovukDateField

YES_NO = [("yes", "Yes"), ("no", "No")]
PREFER = ("prefer_not", "Prefer not to say")
# A National Insurance number's format; "QQ" is the prefix of GOV.UK's example (QQ 12 34 56 C), never
# issued to anyone, and accepted so that a person who types the example is not told it is wrong.
NI_RE = re.compile(r"^(?:[A-CEGHJ-PR-TW-Z]{2}|QQ)\d{6}[A-D]$")


def _radios(label, choices, *, required_message, help_text=""):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": required_message},
    )


class StepForm(forms.Form):
    """A page of the intake; `as_answers()` gives JSON-safe answers to store in the draft.

    `they` gives a field's label (and `they_hints` its hint) for someone applying for another person, so
    the questions say "they", not "you". `answers` are the draft's answers so far, for a page whose question
    depends on an earlier one (the contact number is needed only if the safe way to contact is by phone).
    """

    they: dict[str, str] = {}
    they_hints: dict[str, str] = {}
    # The applicant's own details, filled in by the browser (WCAG 1.3.5); never for someone else's.
    autocomplete: dict[str, str] = {}

    def __init__(self, *args, behalf: bool = False, answers: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.behalf = behalf
        self.answers = answers or {}
        for name, token in self.autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = "off" if behalf else token
        if behalf:
            for name, label in self.they.items():
                self.fields[name].label = label
            for name, hint in self.they_hints.items():
                self.fields[name].help_text = hint

    def as_answers(self) -> dict:
        out = {}
        for name, value in self.cleaned_data.items():
            out[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return out

    def valid_answers(self) -> dict:
        """What was answered, and answered well, on a page that is not finished ("Save and come back
        later"): the fields that passed their checks and are not empty. Call after `is_valid()`."""
        return {
            name: value
            for name, value in self.as_answers().items()
            if name not in self.errors and value not in (None, "", [], False)
        }

    @classmethod
    def initial_from(cls, stored: dict) -> dict:
        """Stored answers as a form's initial values (dates are kept as ISO text in the draft)."""
        initial = dict(stored)
        for name, field in cls.base_fields.items():
            if isinstance(field, GovukDateField) and isinstance(initial.get(name), str):
                try:
                    initial[name] = dt.date.fromisoformat(initial[name])
                except ValueError:
                    initial.pop(name)
        return initial
