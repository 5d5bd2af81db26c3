"""Form fields drawn in GOV.UK patterns, shared by every service: the date input and "select all that
apply" checkboxes (their markup is in templatetags/govuk.py)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes, as the GOV.UK date input pattern asks."""

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput, forms.TextInput, forms.TextInput], attrs)

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    widget = DateInputWidget

    def __init__(self, *, past_only: bool = False, future_only: bool = False, **kwargs):
        self.past_only = past_only
        self.future_only = future_only
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields=fields, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        day, month, year = (str(v or "").strip() for v in data_list)
        label = str(self.label or "Date").lower()
        missing = [name for name, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise ValidationError(f"{self.label or 'Date'} must include a {' and '.join(missing)}")
        try:
            value = dt.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # "99999999999" overflows the C date, "9" * 5000 int()
            raise ValidationError(f"{self.label or 'Date'} must be a real date") from None
        if len(year) != 4:
            raise ValidationError(f"Year must include 4 numbers in the {label}")
        today = dt.date.today()  # noqa: DTZ011 - business dates are local dates
        if self.past_only and value > today:
            raise ValidationError(f"{self.label or 'Date'} must be today or in the past")
        if self.future_only and value < today:
            raise ValidationError(f"{self.label or 'Date'} must be today or in the future")
        return value


class CheckboxesField(forms.MultipleChoiceField):
    """A "select all that apply" question, drawn as GOV.UK checkboxes.

    `exclusive` names the "None of these" answer: the GOV.UK renderer sets it apart after an "or" with
    `data-behaviour="exclusive"`, and, since the page must work without JavaScript, choosing it together with
    another answer is refused here with `exclusive_message`.
    """

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, exclusive: str = "", exclusive_message: str = "", **kwargs):
        self.exclusive = exclusive
        self.exclusive_message = (
            exclusive_message or "Select ‘None of these’ on its own, or the answers that apply"
        )
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if self.exclusive and self.exclusive in value and len(set(value)) > 1:
            raise ValidationError(self.exclusive_message, code="exclusive")
