"""The intake journey: its pages in order, which apply, and how answers become a case.

Answers are kept per page in the draft (`{"safety": {...}, "about": {...}, "people": [...]}`) so a page
can be changed from the check-your-answers page without losing the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .household import NEW_PERSON

EMERGENCY_FLAGS = {"unsafe_tonight", "rough_sleeping", "domestic_abuse", "other_violence"}
NO_FIXED_ADDRESS = {"rough_sleeping", "no_fixed_abode"}


@dataclass(frozen=True)
class Step:
    slug: str
    form: str  # class name in forms.py, resolved lazily to keep this module free of form imports
    title: str
    section: str
    applies: Any = None  # callable(answers) -> bool
    # Where the page's answers are kept in the draft: pages split from one page keep that page's key, so a
    # case's `details` (and whatever reads them) keep one shape.
    group: str = ""
    they_title: str = ""  # the title when applying for someone else

    @property
    def store(self) -> str:
        return self.group or self.slug

    def applies_to(self, answers: dict) -> bool:
        return self.applies is None or self.applies(answers)

    def title_for(self, answers: dict) -> str:
        return self.they_title if self.they_title and for_someone_else(answers) else self.title


def _answer(answers: dict, step: str, field: str, default=None):
    return (answers.get(step) or {}).get(field, default)


def answer_of(answers: dict, slug: str, field: str, default=""):
    """An answer by the page that asks it, wherever that page keeps its answers (a page split from a bigger
    one keeps them under that page's key: nationality under "eligibility", work under "income")."""
    step = STEP_BY_SLUG.get(slug)
    stored = answers.get(step.store if step else slug)
    value = (stored if isinstance(stored, dict) else {}).get(field)
    return default if value is None else value


def _given_notice(answers: dict) -> bool:
    return _answer(answers, "notice", "notice_type") not in (None, "", "none")


def no_fixed_address(answers: dict) -> bool:
    """Sleeping on the street or moving from place to place: no address to ask for."""
    return _answer(answers, "accommodation", "accommodation") in NO_FIXED_ADDRESS


def for_someone_else(answers: dict) -> bool:
    """Applying for another person: the questions say "they", not "you"."""
    return _answer(answers, "who", "who") == "behalf"


STEPS = [
    Step("who", "WhoForm", "Who needs help", "Your situation"),
    Step("safe-tonight", "SafeTonightForm", "Somewhere safe tonight", "Your safety"),
    Step(
        "rough-sleeping",
        "RoughSleepingForm",
        "Sleeping on the street",
        "Your safety",
        applies=lambda a: _answer(a, "safe-tonight", "safe_tonight") == "no",
    ),
    Step("risk", "RiskForm", "Risk of harm", "Your safety"),
    Step(
        "contact-method",
        "ContactMethodForm",
        "How it is safe to contact you",
        "Contacting you",
        group="contact",
        they_title="How it is safe to contact them",
    ),
    Step(
        "contact-email",
        "ContactEmailForm",
        "Your email address",
        "Contacting you",
        group="contact",
        applies=lambda a: _answer(a, "contact", "safe_method") == "email",
        they_title="Their email address",
    ),
    Step("contact-phone", "ContactPhoneForm", "Phone number", "Contacting you", group="contact"),
    Step(
        "contact-times",
        "ContactTimesForm",
        "When it is safe to contact you",
        "Contacting you",
        group="contact",
    ),
    Step(
        "no-messages",
        "NoMessagesForm",
        "Letters and messages",
        "Contacting you",
        group="contact",
        applies=lambda a: _answer(a, "contact", "safe_method") == "phone",
    ),
    Step("full-name", "FullNameForm", "Your name", "About you", group="about"),
    Step("date-of-birth", "DateOfBirthForm", "Your date of birth", "About you", group="about"),
    Step("sex", "SexForm", "Your sex", "About you", group="about"),
    Step("ni-number", "NiNumberForm", "National Insurance number", "About you", group="about"),
    Step("language", "LanguageForm", "Language", "About you", group="language"),
    Step("interpreter", "InterpreterForm", "Interpreter", "About you", group="language"),
    Step("access-needs", "AccessNeedsForm", "Access needs", "About you", group="language"),
    Step("household", "HouseholdForm", "Your household", "Your household", they_title="Their household"),
    Step("accommodation", "AccommodationForm", "Where you live now", "Your housing", group="accommodation"),
    Step(
        "current-address",
        "CurrentAddressForm",
        "Where are you staying now?",
        "Your housing",
        group="accommodation",
        they_title="Where are they staying now?",
        applies=lambda a: not no_fixed_address(a),
    ),
    Step("landlord", "LandlordForm", "Landlord", "Your housing", group="accommodation"),
    Step("notice", "NoticeForm", "Notice to leave", "Your housing", group="notice"),
    Step(
        "notice-served",
        "NoticeServedForm",
        "Date of the notice",
        "Your housing",
        group="notice",
        applies=lambda a: _given_notice(a),
    ),
    Step(
        "leave-by",
        "LeaveByForm",
        "Date to leave by",
        "Your housing",
        group="notice",
        applies=lambda a: _given_notice(a),
    ),
    Step("last-settled", "LastAddressForm", "Your last settled home", "Your housing", group="last-settled"),
    Step("reason-loss", "ReasonLossForm", "Why you lost that home", "Your housing", group="last-settled"),
    Step("nationality", "NationalityForm", "Nationality", "Eligibility", group="eligibility"),
    Step(
        "immigration-status",
        "ImmigrationStatusForm",
        "Immigration status",
        "Eligibility",
        group="eligibility",
    ),
    Step("public-funds", "PublicFundsForm", "Recourse to public funds", "Eligibility", group="eligibility"),
    Step("lived-here", "LivedHereForm", "Time in the borough", "Eligibility", group="local-connection"),
    Step("work-here", "WorkHereForm", "Work in the borough", "Eligibility", group="local-connection"),
    Step("family-here", "FamilyHereForm", "Family in the borough", "Eligibility", group="local-connection"),
    Step("previous-addresses", "PreviousAddressesForm", "Addresses", "Eligibility", group="local-connection"),
    Step("support", "SupportForm", "Support needs", "Support and money"),
    Step("income", "IncomeForm", "Income", "Support and money", group="income"),
    Step("employment", "EmploymentForm", "Work", "Support and money", group="income"),
    # The first equality page is where "Skip these questions" is kept ("Skipped" on check answers).
    Step("equality", "EthnicityForm", "Your ethnic group", "Equality monitoring", group="equality"),
    Step(
        "sexual-orientation",
        "SexualOrientationForm",
        "Your sexual orientation",
        "Equality monitoring",
        group="equality",
        applies=lambda a: not _answer(a, "equality", "skipped"),
    ),
    Step(
        "religion",
        "ReligionForm",
        "Your religion",
        "Equality monitoring",
        group="equality",
        applies=lambda a: not _answer(a, "equality", "skipped"),
    ),
    Step(
        "disability",
        "DisabilityForm",
        "Disability",
        "Equality monitoring",
        group="equality",
        applies=lambda a: not _answer(a, "equality", "skipped"),
    ),
    Step("privacy", "PrivacyForm", "Privacy notice", "Privacy"),
]
STEP_BY_SLUG = {s.slug: s for s in STEPS}


def form_class(step: Step):
    from . import forms

    return getattr(forms, step.form)


def applicable_steps(answers: dict) -> list[Step]:
    return [s for s in STEPS if s.applies_to(answers)]


def household_done(answers: dict) -> bool:
    return _answer(answers, "household", "add_person") == "no"


def page_done(step: Step, answers: dict) -> bool:
    """Every question of the page has an answer (an optional one left empty counts; a required one left
    empty does not, e.g. a phone number that became needed when they changed the safe way to contact)."""
    stored = answers.get(step.store)
    if not isinstance(stored, dict):
        return False
    if not step.group or stored.get("skipped"):
        return True
    cls = form_class(step)
    fields = cls(answers=answers).fields if getattr(cls, "uses_answers", False) else cls.base_fields
    return all(
        name in stored and not (field.required and stored[name] in (None, "", []))
        for name, field in fields.items()
    )


def prune(answers: dict) -> dict:
    """Drop the answers of pages that no longer apply since an earlier answer changed: an email address
    typed before they said only a phone call is safe, notice dates after "not told to leave", an address
    after "sleeping on the street". What is not asked is not kept, sent to or exported."""
    out = dict(answers)
    for step in STEPS:
        stored = out.get(step.store)
        if step.group and isinstance(stored, dict) and not step.applies_to(out):
            fields = form_class(step).base_fields
            out[step.store] = {k: v for k, v in stored.items() if k not in fields}
    if household_done(out):
        # "No one else": a person they started to add and left is not kept either.
        out.pop(NEW_PERSON, None)
    return out


def next_step(answers: dict) -> str | None:
    """The first page not yet answered (the household page counts once they say no one else)."""
    for step in applicable_steps(answers):
        if step.slug == "household":
            if not household_done(answers):
                return step.slug
            continue
        if not page_done(step, answers):
            return step.slug
    return None


def step_after(slug: str, answers: dict) -> str | None:
    steps = [s.slug for s in applicable_steps(answers)]
    if slug in steps and steps.index(slug) + 1 < len(steps):
        return steps[steps.index(slug) + 1]
    return None


def step_before(slug: str, answers: dict) -> str | None:
    steps = [s.slug for s in applicable_steps(answers)]
    if slug in steps and steps.index(slug) > 0:
        return steps[steps.index(slug) - 1]
    return None


def emergency_flags(answers: dict) -> list[str]:
    flags = []
    if _answer(answers, "safe-tonight", "safe_tonight") == "no":
        flags.append("unsafe_tonight")
    if _answer(answers, "rough-sleeping", "rough_sleeping") == "yes":
        flags.append("rough_sleeping")
    risk = _answer(answers, "risk", "risk")
    if risk in ("domestic_abuse", "other_violence"):
        flags.append(risk)
    return flags


def is_emergency(answers: dict) -> bool:
    """Nowhere safe tonight, sleeping rough, or at risk of harm: show the 24-hour number, mark it urgent."""
    return bool(set(emergency_flags(answers)) & EMERGENCY_FLAGS)


def _age(born: dt.date, on: dt.date) -> int:
    """Whole years by birthdays: days // 365 made a 17-year-old 18 up to five days early (leap days)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def case_fields_from_answers(answers: dict) -> dict:
    """Coded case fields from the intake; the whole of what they said goes (encrypted) into `details`."""
    answers = prune(answers)
    flags = emergency_flags(answers)
    people = answers.get("people", [])
    if any(p.get("pregnant") for p in people):
        flags.append("pregnant")
    today = timezone.localdate()
    ages = [_age(_date(p["date_of_birth"]), today) for p in people if p.get("date_of_birth")]
    if any(age < 18 for age in ages):
        flags.append("children")
    dob = _date(_answer(answers, "about", "date_of_birth"))
    if dob and _age(dob, today) < 18:
        flags.append("aged_16_17")
    notice = _answer(answers, "notice", "notice_type", "")
    risk = _answer(answers, "risk", "risk")
    return {
        "route": "behalf" if _answer(answers, "who", "who") == "behalf" else "self",
        "applicant_name": _answer(answers, "about", "full_name", ""),
        "applicant_dob": dob,
        "contact_email": _answer(answers, "contact", "email", "") or "",
        "contact_phone": _answer(answers, "contact", "phone", "") or "",
        "safe_contact": " ".join(
            filter(
                None,
                [
                    _answer(answers, "contact", "safe_method", ""),
                    _answer(answers, "contact", "safe_times", ""),
                ],
            )
        ),
        "safe_method": _answer(answers, "contact", "safe_method", "") or "",
        # Asked only with a phone call as the safe way (an answer left from before is dropped by `prune`).
        "no_messages": bool(_answer(answers, "contact", "no_messages", False)),
        "urgent": is_emergency(answers),
        "flags": flags,
        "accommodation_at_application": _answer(answers, "accommodation", "accommodation", ""),
        "reason_loss": _answer(answers, "last-settled", "reason_loss", ""),
        "notice_type": "" if notice == "none" else notice,
        # Dates typed before they changed their answer to "not told to leave" are not a notice.
        "notice_served_on": _date(_answer(answers, "notice", "served_on"))
        if _given_notice(answers)
        else None,
        "notice_expires_on": _date(_answer(answers, "notice", "leave_by"))
        if _given_notice(answers)
        else None,
        # "None of these" is an answer on the page, not a support need (H-CLIC reports each need found).
        "support_needs": sorted(
            need for need in _answer(answers, "support", "support_needs", []) or [] if need != "none"
        ),
        "people": people,
        "restricted": "domestic_abuse" if risk == "domestic_abuse" else "",
    }
