"""Render Django forms in GOV.UK Frontend markup, with the GOV.UK error pattern.

{% govuk_error_summary form %} lists every error, each linking to its field; {% govuk_field form.x %}
renders one field as input, textarea, select, radios, checkboxes, single checkbox, file or date.
"""

from django import forms, template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from hackney_portal.core.forms import DateInputWidget

register = template.Library()


def _kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, DateInputWidget):
        return "date"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    return "input"


def _anchor(field) -> str:
    kind = _kind(field)
    if kind in ("radios", "checkboxes"):
        return f"{field.auto_id}_0"
    if kind == "date":
        return f"{field.auto_id}_0"
    return field.auto_id


@register.inclusion_tag("includes/error_summary.html")
def govuk_error_summary(*forms_):
    errors = []
    for form in forms_:
        if not form or not hasattr(form, "errors"):
            continue
        for message in form.non_field_errors():
            errors.append(("", message))
        for name in form.errors:
            if name == "__all__" or name not in form.fields:
                continue
            bound = form[name]
            for message in bound.errors:
                errors.append((_anchor(bound), message))
    return {"errors": errors}


@register.simple_tag
def govuk_field(field, **options):
    kind = options.pop("kind", None) or _kind(field)
    describedby = []
    if field.help_text:
        describedby.append(f"{field.auto_id}-hint")
    for i, _ in enumerate(field.errors):
        describedby.append(f"{field.auto_id}-error" + (f"-{i + 1}" if i else ""))
    widget = field.field.widget
    options.setdefault("autocomplete", widget.attrs.get("autocomplete", ""))
    ctx = {
        "field": field,
        "kind": kind,
        # Never echo a password back into the page.
        "hide_value": isinstance(widget, forms.PasswordInput) and not widget.render_value,
        "describedby": " ".join(describedby),
        "input_type": options.pop("type", None)
        or getattr(field.field.widget, "input_type", "text")
        or "text",
        **options,
    }
    if kind in ("radios", "checkboxes", "select"):
        value = field.value()
        selected = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
        hints = getattr(field.field, "choice_hints", {}) or {}
        ctx["choices"] = [
            {
                "id": f"{field.auto_id}_{i}",
                "value": "" if v is None else v,
                "label": label,
                "checked": str(v) in selected,
                "hint": hints.get(v, ""),
            }
            for i, (v, label) in enumerate(field.field.choices)
        ]
    if kind == "date":
        value = field.value()
        if isinstance(value, list | tuple):
            parts = list(value) + [None] * (3 - len(value))
        else:
            parts = field.field.widget.decompress(value)
        ctx["date_parts"] = [
            {"label": "Day", "width": 2, "value": parts[0]},
            {"label": "Month", "width": 2, "value": parts[1]},
            {"label": "Year", "width": 4, "value": parts[2]},
        ]
    ctx.setdefault("legend_class", "govuk-fieldset__legend--m" if options.get("is_page_heading") else "")
    # The template autoescapes every value it prints; marking its finished output safe adds nothing unescaped.
    return mark_safe(render_to_string("govuk/field.html", ctx))  # noqa: S308  # nosec


@register.filter
def pence(value) -> str:
    """Format integer pence as pounds: 123456 -> £1,234.56; negative values keep their sign."""
    if value is None or value == "":
        return ""
    value = int(value)
    sign = "-" if value < 0 else ""
    pounds, p = divmod(abs(value), 100)
    return f"{sign}£{pounds:,}.{p:02d}"


@register.filter
def pence_abs(value) -> str:
    """Pounds without the sign, for "£12.00 in credit"."""
    return pence(abs(int(value))) if value not in (None, "") else ""
