"""Check your answers: a row for every answer with a Change link to the page that asks it, and a row for
each person in the household with theirs."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from .household import listed
from .intake import Step, _date, applicable_steps, for_someone_else, form_class


def _household_rows(step: Step, answers: dict, behalf: bool) -> list[dict]:
    """The household on check-your-answers: who else lives there (changed on the household page, where
    people are added and removed), then a row for each person with its own Change link."""
    people = listed(answers)
    rows = [
        {
            "section": step.section,
            "question": f"People who live with {'them' if behalf else 'you'}",
            "answer": ", ".join(p.get("name", "") for p in people) or "No one else",
            "slug": step.slug,
            "field": "add_person",
        }
    ]
    for index, person in enumerate(people):
        born = _date(person.get("date_of_birth"))
        rows.append(
            {
                "section": step.section,
                "question": person.get("name", ""),
                "answer": ", ".join(
                    filter(
                        None,
                        [
                            person["relationship_label"],
                            f"born {born:%-d %B %Y}" if born else "",
                            "pregnant" if person.get("pregnant") else "",
                        ],
                    )
                ),
                "slug": step.slug,
                "field": "add_person",
                "url": reverse("homelessness:person_page", args=[index, "name"]),
            }
        )
    return rows


def check_rows(answers: dict) -> list[dict]:
    """Rows for the check-your-answers page: question, answer, change link."""
    rows = []
    behalf = for_someone_else(answers)
    for step in applicable_steps(answers):
        form = form_class(step)(behalf=behalf, answers=answers)
        if step.slug == "household":
            rows.extend(_household_rows(step, answers, behalf))
            continue
        stored = answers.get(step.store, {})
        if stored.get("skipped"):
            rows.append(
                {
                    "section": step.section,
                    "question": "Equality questions" if step.store == "equality" else step.title,
                    "answer": "Skipped",
                    "slug": step.slug,
                    "field": next(iter(form.fields)),
                }
            )
            continue
        for name, field in form.fields.items():
            value = stored.get(name)
            choices = dict(getattr(field, "choices", []) or [])
            if isinstance(value, list):
                shown = ", ".join(str(choices.get(v, v)) for v in value) or "None"
            elif isinstance(value, bool):
                # A yes/no question asked as radios shows the option chosen (the checkbox, Yes or No).
                shown = str(choices.get(str(value), "Yes" if value else "No"))
            elif value in (None, ""):
                shown = "Not given"
            else:
                shown = str(choices.get(value, value))
                if len(shown) == 10 and shown[4] == "-" and shown[7] == "-":
                    shown = dt.date.fromisoformat(shown).strftime("%-d %B %Y")
            rows.append(
                {
                    "section": step.section,
                    "question": str(field.label),
                    "answer": shown,
                    "slug": step.slug,
                    "field": name,
                }
            )
    return rows
