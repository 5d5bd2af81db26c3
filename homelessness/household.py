"""The household loop of the intake (GOV.UK "add another"): each person who lives with the applicant is
asked about a question a page, listed with a Change and a Remove link, and removed only once confirmed.

Someone being added is kept apart (`NEW_PERSON`) until their last page is answered, so a person half
added is never on the case; a person already added is changed in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NEW_PERSON = "person-new"


@dataclass(frozen=True)
class PersonPage:
    slug: str
    form: str  # class name in forms, resolved lazily
    applies: Any = None  # callable(person) -> bool

    def applies_to(self, person: dict) -> bool:
        return self.applies is None or self.applies(person)


PERSON_PAGES = [
    PersonPage("name", "PersonNameForm"),
    PersonPage("date-of-birth", "PersonDateOfBirthForm"),
    PersonPage("sex", "PersonSexForm"),
    PersonPage("relationship", "PersonRelationshipForm"),
    PersonPage("pregnant", "PersonPregnantForm", applies=lambda p: p.get("sex") != "male"),
]
PERSON_PAGE_BY_SLUG = {p.slug: p for p in PERSON_PAGES}


def person_form_class(page: PersonPage):
    from . import forms

    return getattr(forms, page.form)


def people(answers: dict) -> list[dict]:
    return list(answers.get("people") or [])


def person_at(answers: dict, index: int) -> dict | None:
    """The person at `index`: one already added, the one being added (index one past the end), or None."""
    added = people(answers)
    if 0 <= index < len(added):
        return added[index]
    if index == len(added):
        return dict(answers.get(NEW_PERSON) or {})
    return None


def pages_for(person: dict) -> list[str]:
    return [p.slug for p in PERSON_PAGES if p.applies_to(person)]


def page_after(slug: str, person: dict) -> str | None:
    pages = pages_for(person)
    return pages[pages.index(slug) + 1] if slug in pages and pages.index(slug) + 1 < len(pages) else None


def page_before(slug: str, person: dict) -> str | None:
    pages = pages_for(person)
    return pages[pages.index(slug) - 1] if slug in pages and pages.index(slug) > 0 else None


def without_unasked(person: dict) -> dict:
    """An answer to a page that no longer applies is dropped (a man is not recorded as pregnant)."""
    out = dict(person)
    for page in PERSON_PAGES:
        if not page.applies_to(out):
            for name in person_form_class(page).base_fields:
                out.pop(name, None)
    return out


def complete(person: dict) -> bool:
    return all(
        name in person
        for slug in pages_for(person)
        for name in person_form_class(PERSON_PAGE_BY_SLUG[slug]).base_fields
    )


def relationship_label(person: dict) -> str:
    choices = dict(person_form_class(PERSON_PAGE_BY_SLUG["relationship"]).base_fields["relationship"].choices)
    return str(choices.get(person.get("relationship"), person.get("relationship", "")))


def listed(answers: dict) -> list[dict]:
    """The people added, as the household page and check-your-answers show them."""
    return [{**p, "relationship_label": relationship_label(p)} for p in people(answers)]
