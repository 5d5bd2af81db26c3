"""Render Django forms in GOV.UK Frontend markup, with the GOV.UK error pattern, and money and dates.

{% govuk_error_summary form %} lists every error, each linking to its field; {% govuk_field form.x %}
renders one field as input, textarea, select, radios, checkboxes, single checkbox, file or date.
"""

import re

from django import forms, template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from hackney_portal.frontend.formatting import (
    clock,
    long_date,
    long_datetime,
    pence,
    pence_abs,
    table_date,
    table_datetime,
)
from hackney_portal.frontend.forms import DateInputWidget

register = template.Library()

# Money and dates (see formatting.py). Dates are given in local time, as Django's own `date` filter is.
register.filter("pence", pence, is_safe=False)
register.filter("pence_abs", pence_abs, is_safe=False)
for _filter in (clock, long_date, long_datetime, table_date, table_datetime):
    register.filter(_filter.__name__, _filter, expects_localtime=True, is_safe=False)


def _kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, DateInputWidget):
        return "date"
    # Any question that takes several answers is a list of checkboxes. This comes before the radios test:
    # Django's CheckboxSelectMultiple is a subclass of RadioSelect, and drawn as radios it keeps one answer.
    if getattr(widget, "allow_multiple_selected", False):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
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
    # A group of inputs is reached through its first.
    if _kind(field) in ("radios", "checkboxes", "date"):
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


def _text(value) -> str:
    """What {{ value }} prints in a template: localised, then escaped unless already safe."""
    return conditional_escape(localize(value))


def _attr(name: str, value) -> str:
    return f' {name}="{_text(value)}"' if value else ""


def _if(condition, text: str) -> str:
    return text if condition else ""


def _marked_by(f):
    """The field whose error message also covers this one (a pair that does not match), or None."""
    partner = getattr(f.form, "marked_fields", {}).get(f.name)
    return f.form[partner] if partner else None


def _error_ids(f) -> list[str]:
    return [f"{f.auto_id}-error" + _if(i, f"-{i + 1}") for i in range(len(f.errors))]


def _errors(f) -> str:
    return "".join(
        f'<p id="{_text(eid)}" class="govuk-error-message">'
        f'<span class="govuk-visually-hidden">Error:</span> {_text(error)}</p>'
        for eid, error in zip(_error_ids(f), f.errors, strict=True)
    )


def _hint(f, extra_class: str = "") -> str:
    if not f.help_text:
        return ""
    return f'<div id="{_text(f.auto_id)}-hint" class="govuk-hint{extra_class}">{_text(f.help_text)}</div>'


def _choices(f):
    """(id, value, label, checked, hint) for each choice, checked from the bound or initial value."""
    value = f.value()
    if isinstance(value, list | tuple | set | frozenset):
        selected = {str(getattr(v, "pk", v)) for v in value}
    else:
        selected = {str(value)}
    hints = getattr(f.field, "choice_hints", {}) or {}
    for i, (v, label) in enumerate(f.field.choices):
        yield f"{f.auto_id}_{i}", "" if v is None else v, label, str(v) in selected, hints.get(v, "")


# A date question about the person's own birthday fills each box from the browser (WCAG 1.3.5): bday-day...
DATE_PART_TOKENS = ("day", "month", "year")


def _date_inputs(f, autocomplete: str = "") -> str:
    fid, name = _text(f.auto_id), _text(f.html_name)
    value = f.value()
    if isinstance(value, list | tuple):
        parts = list(value) + [None] * (3 - len(value))
    else:
        parts = f.field.widget.decompress(value)
    error = _if(f.errors, " govuk-input--error")
    items = "".join(
        '<div class="govuk-date-input__item"><div class="govuk-form-group">'
        f'<label class="govuk-label govuk-date-input__label" for="{fid}_{i}">{label}</label>'
        f'<input class="govuk-input govuk-date-input__input govuk-input--width-{width}{error}" '
        f'id="{fid}_{i}" name="{name}_{i}" type="text" inputmode="numeric" '
        f'value="{"" if part is None else _text(part)}"{_date_autocomplete(autocomplete, i)}></div></div>'
        for i, (label, width, part) in enumerate(zip(("Day", "Month", "Year"), (2, 2, 4), parts, strict=True))
    )
    return f'<div class="govuk-date-input" id="{fid}">{items}</div>'


def _date_autocomplete(autocomplete: str, i: int) -> str:
    if autocomplete == "bday":
        return f' autocomplete="bday-{DATE_PART_TOKENS[i]}"'
    if autocomplete == "off":
        return ' autocomplete="off"'
    return ""


# Spellcheck only where it helps: never on what is not words (addresses for email, references, codes,
# postcodes, numbers, names), and left to the browser on text a person writes.
NO_SPELLCHECK_TYPES = {"email", "tel", "password", "number", "url", "search"}
NO_SPELLCHECK_NAME = re.compile(
    r"(^|_)(email|login|reference|ref|code|postcode|phone|tel|number|amount|name|ni_number)(_|\d|$)"
)


def _spellcheck(f, o: dict) -> str:
    value = o.get("spellcheck", f.field.widget.attrs.get("spellcheck"))
    if value is None and (o["input_type"] in NO_SPELLCHECK_TYPES or NO_SPELLCHECK_NAME.search(f.html_name)):
        value = "false"
    if value in (None, ""):
        return ""
    return _attr("spellcheck", "true" if str(value).lower() == "true" else "false")


EXCLUSIVE = ' data-behaviour="exclusive"'


def _exclusive(f) -> set[str]:
    """Choices that answer "none of these": GOV.UK draws them after an "or" divider, and its script clears
    the other boxes when one is chosen (the form checks the same without JavaScript)."""
    value = getattr(f.field, "exclusive", None)
    if not value:
        return set()
    return {str(value)} if isinstance(value, str) else {str(v) for v in value}


def _options(f, kind: str, o: dict) -> str:
    name = _text(f.html_name)
    input_type = "radio" if kind == "radios" else "checkbox"
    exclusive = _exclusive(f) if kind == "checkboxes" else set()
    items = []
    for cid, value, label, checked, hint in _choices(f):
        cid = _text(cid)
        alone = str(value) in exclusive
        if alone and items:
            items.append(f'<div class="govuk-{kind}__divider">or</div>')
        items.append(
            f'<div class="govuk-{kind}__item">'
            f'<input class="govuk-{kind}__input" id="{cid}" name="{name}" type="{input_type}" '
            f'value="{_text(value)}"{_if(checked, " checked")}{_if(alone, EXCLUSIVE)}'
            f"{_attr('aria-describedby', hint and f'{cid}-hint')}>"
            f'<label class="govuk-label govuk-{kind}__label" for="{cid}">{_text(label)}</label>'
            + _if(hint, f'<div id="{cid}-hint" class="govuk-hint govuk-{kind}__hint">{_text(hint)}</div>')
            + "</div>"
        )
    small = _if(o.get("small"), f" govuk-{kind}--small")
    return f'<div class="govuk-{kind}{small}" data-module="govuk-{kind}">{"".join(items)}</div>'


def _fieldset(f, kind: str, o: dict) -> str:
    label = _text(f.label)
    if o.get("is_page_heading"):
        label = f'<h1 class="govuk-fieldset__heading">{label}</h1>'
    role = ' role="group"' if kind == "date" else ""
    return (
        f'<fieldset class="govuk-fieldset"{_attr("aria-describedby", o["describedby"])}{role}>'
        f'<legend class="govuk-fieldset__legend {_text(o["legend_class"])}">{label}</legend>'
        f"{_hint(f)}{_errors(f)}"
        f"{_date_inputs(f, o.get('autocomplete', '')) if kind == 'date' else _options(f, kind, o)}</fieldset>"
    )


def _checkbox(f, o: dict) -> str:
    fid = _text(f.auto_id)
    return (
        f'{_errors(f)}<div class="govuk-checkboxes" data-module="govuk-checkboxes">'
        f'<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="{fid}" '
        f'name="{_text(f.html_name)}" type="checkbox" value="on"{_if(f.value(), " checked")}'
        f"{_attr('aria-describedby', o['describedby'])}>"
        f'<label class="govuk-label govuk-checkboxes__label" for="{fid}">{_text(f.label)}</label>'
        f"{_hint(f, ' govuk-checkboxes__hint')}</div></div>"
    )


def _control(f, kind: str, o: dict) -> str:
    fid, name, error = _text(f.auto_id), _text(f.html_name), bool(f.errors) or o.get("marked", False)
    described = _attr("aria-describedby", o["describedby"])
    autocomplete = _attr("autocomplete", o.get("autocomplete"))
    value = f.value()
    value = "" if value is None else _text(value)
    if kind == "textarea":
        limit = getattr(f.field, "max_length", None)
        if limit:
            # GOV.UK character count: the limit is said in the hint without JavaScript, counted with it.
            described = _attr("aria-describedby", " ".join(filter(None, [o["describedby"], f"{fid}-info"])))
        textarea = (
            f'<textarea class="govuk-textarea{_if(limit, " govuk-js-character-count")}'
            f'{_if(error, " govuk-textarea--error")}" id="{fid}" '
            f'name="{name}" rows="{_text(o.get("rows") or f.field.widget.attrs.get("rows") or 5)}"'
            f"{described}{autocomplete}{_spellcheck(f, o)}>{value}</textarea>"
        )
        if not limit:
            return textarea
        return (
            '<div class="govuk-character-count" data-module="govuk-character-count" '
            f'data-maxlength="{limit}">{textarea}'
            f'<div id="{fid}-info" class="govuk-hint govuk-character-count__message">'
            f"You can enter up to {limit:,} characters</div></div>"
        )
    if kind == "select":
        options = "".join(
            f'<option value="{_text(v)}"{_if(checked, " selected")}>{_text(label)}</option>'
            for _, v, label, checked, _ in _choices(f)
        )
        return (
            f'<select class="govuk-select{_if(error, " govuk-select--error")}" id="{fid}" name="{name}"'
            f"{described}>{options}</select>"
        )
    if kind == "file":
        return (
            f'<input class="govuk-file-upload{_if(error, " govuk-file-upload--error")}" id="{fid}" '
            f'name="{name}" type="file"{_attr("accept", o.get("accept"))}{described}>'
        )
    prefix, suffix, width = o.get("prefix"), o.get("suffix"), o.get("width")
    if o["hide_value"]:
        value = ""
    control = (
        f'<input class="govuk-input{_if(width, f" govuk-input--width-{_text(width)}")}'
        f'{_if(error, " govuk-input--error")}" id="{fid}" name="{name}" type="{_text(o["input_type"])}" '
        f'value="{value}"{described}{autocomplete}{_attr("inputmode", o.get("inputmode"))}'
        f"{_spellcheck(f, o)}>"
    )
    if not (prefix or suffix):
        return control
    return (
        '<div class="govuk-input__wrapper">'
        + _if(prefix, f'<div class="govuk-input__prefix" aria-hidden="true">{_text(prefix)}</div>')
        + control
        + _if(suffix, f'<div class="govuk-input__suffix" aria-hidden="true">{_text(suffix)}</div>')
        + "</div>"
    )


def _single(f, kind: str, o: dict) -> str:
    fid = _text(f.auto_id)
    label = (
        f'<label class="govuk-label {_text(o.get("label_class", ""))}" for="{fid}">{_text(f.label)}</label>'
    )
    if o.get("is_page_heading"):
        label = f'<h1 class="govuk-label-wrapper">{label}</h1>'
    return f"{label}{_hint(f)}{_errors(f)}{_control(f, kind, o)}"


@register.simple_tag
def govuk_field(field, **options):
    """One field in GOV.UK markup, built in Python rather than with a template per field: a form page has a
    dozen fields or more, and rendering a template for each was most of such a page's time."""
    kind = options.pop("kind", None) or _kind(field)
    widget = field.field.widget
    options.setdefault("autocomplete", widget.attrs.get("autocomplete", ""))
    options.setdefault("legend_class", "govuk-fieldset__legend--m" if options.get("is_page_heading") else "")
    partner = _marked_by(field)
    o = {
        "describedby": " ".join(
            ([f"{field.auto_id}-hint"] if field.help_text else [])
            + _error_ids(field)
            + (_error_ids(partner) if partner else [])
        ),
        "marked": partner is not None,
        # Never echo a password back into the page.
        "hide_value": isinstance(widget, forms.PasswordInput) and not widget.render_value,
        "input_type": options.pop("type", None) or getattr(widget, "input_type", "text") or "text",
        **options,
    }
    if kind in ("radios", "checkboxes", "date"):
        body = _fieldset(field, kind, o)
    elif kind == "checkbox":
        body = _checkbox(field, o)
    else:
        body = _single(field, kind, o)
    group_class = (
        "govuk-form-group govuk-form-group--error" if field.errors or partner else "govuk-form-group"
    )
    # Every value above went through _text (escaped unless already safe); the rest is our own markup.
    return mark_safe(f'<div class="{group_class}">{body}</div>')  # noqa: S308  # nosec


def tel_uri(number) -> str:
    """A UK phone number as a tel: URI in international form: "020 8356 2300" -> "tel:+442083562300"."""
    digits = re.sub(r"[^\d+]", "", str(number or ""))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+44" + digits[1:]
    if digits.startswith("+440"):  # written "+44 (0)20 ..."
        digits = "+44" + digits[4:]
    return f"tel:{digits}"


@register.filter
def tel(number, style: str = "") -> str:
    """A phone number people can tap to call, shown as written: every phone number a page shows is one.
    `|tel:"inverse"` is for a dark background (a panel)."""
    if not number:
        return ""
    link_class = "govuk-link govuk-link--inverse" if style == "inverse" else "govuk-link"
    # Both parts are escaped; a tel: URI holds only digits and a plus sign.
    return mark_safe(  # noqa: S308  # nosec
        f'<a class="{link_class}" href="{_text(tel_uri(number))}">{_text(number)}</a>'
    )
