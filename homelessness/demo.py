"""Demo cases at several stages (idempotent: a second run finds the demo resident's case and stops)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .intake import applicable_steps, page_done
from .models import Case, IntakeDraft
from .rules import AssessmentOutcome, Stage
from .services import (
    case_assign,
    case_move,
    case_record_assessment,
    intake_draft_save,
    intake_submit,
    plan_step_add,
    referral_submit,
)

# What a person types into each page of the online intake, by page slug (tests and the load benchmark).
FORM_PAGES = {
    "who": {"who": "self"},
    "safe-tonight": {"safe_tonight": "yes"},
    "risk": {"risk": "no"},
    "contact-method": {"safe_method": "email"},
    "contact-email": {"email": "sam@example.org"},
    "contact-phone": {"phone": ""},
    "contact-times": {"safe_times": ""},
    "no-messages": {"no_messages": "False"},
    "full-name": {"full_name": "Sam Rivers"},
    "date-of-birth": {"date_of_birth_0": "3", "date_of_birth_1": "4", "date_of_birth_2": "1992"},
    "sex": {"sex": "male"},
    "ni-number": {"ni_number": ""},
    "language": {"language": "English"},
    "interpreter": {"interpreter": "no"},
    "access-needs": {"access_needs": ""},
    "household": {"add_person": "no"},
    "accommodation": {"accommodation": "private_rented"},
    "current-address": {"current_address": "Flat 3, 5 Amhurst Road, London", "current_postcode": "e8 1ea"},
    "landlord": {"landlord": ""},
    "notice": {"notice_type": "section_21"},
    "notice-served": {"served_on_0": "1", "served_on_1": "10", "served_on_2": "2026"},
    "leave-by": {},
    "last-settled": {"last_address": "1 Mare Street"},
    "reason-loss": {"reason_loss": "private_ast_end"},
    "nationality": {"nationality": "british_irish"},
    "immigration-status": {"immigration_status": ""},
    "public-funds": {"public_funds": "yes"},
    "lived-here": {"lived_here": "3_of_5"},
    "work-here": {"work_here": "no"},
    "family-here": {"family_here": "no"},
    "previous-addresses": {"previous_addresses": ""},
    "support": {"support_needs": ["mental_health", "budgeting"]},
    "income": {"income": ["wages"]},
    "employment": {"employment": "part_time"},
    "equality": {"ethnicity": "prefer_not"},
    "sexual-orientation": {"sexual_orientation": "prefer_not"},
    "religion": {"religion": "prefer_not"},
    "disability": {"disability": "prefer_not"},
    "privacy": {"privacy": "on"},
}

# A complete Duty to Refer form, with both consents.
FORM_REFERRAL = {
    "body": "probation",
    "organisation": "Probation Hackney",
    "referrer_name": "Pat Lee",
    "referrer_email": "pat@example.gov.uk",
    "name": "Chris Doe",
    "phone": "07700900123",
    "situation": "Released next week with nowhere to go.",
    "consent_to_referral": "on",
    "consent_to_share_contact": "on",
}


def demo_answers(
    *,
    name: str,
    email: str,
    safe_tonight: str = "yes",
    risk: str = "no",
    dob: str = "1990-03-27",
    people: list[dict] | None = None,
    accommodation: str = "private_rented",
    notice: str = "section_21",
    reason: str = "private_ast_end",
) -> dict:
    """A complete set of intake answers, as the pages would store them."""
    answers = {
        "who": {"who": "self"},
        "safe-tonight": {"safe_tonight": safe_tonight},
        "risk": {"risk": risk},
        "contact": {"email": email, "phone": "07700900982", "safe_method": "email", "safe_times": ""},
        "about": {"full_name": name, "date_of_birth": dob, "sex": "female", "ni_number": ""},
        "language": {"language": "English", "interpreter": "no", "access_needs": ""},
        "people": people or [],
        "household": {"add_person": "no"},
        "accommodation": {
            "accommodation": accommodation,
            "current_address": "Flat 3, 5 Amhurst Road, London",
            "current_postcode": "E8 1EA",
            "landlord": "",
        },
        "notice": {"notice_type": notice, "served_on": None, "leave_by": None},
        "last-settled": {"last_address": "Flat 2, 10 Mare Street, London E8 1EA", "reason_loss": reason},
        "eligibility": {"nationality": "british_irish", "immigration_status": "", "public_funds": "yes"},
        "local-connection": {
            "lived_here": "3_of_5",
            "work_here": "no",
            "family_here": "yes",
            "previous_addresses": "",
        },
        "support": {"support_needs": ["none"]},
        "income": {"income": ["universal_credit"], "employment": "part_time"},
        "equality": {
            "ethnicity": "prefer_not",
            "sexual_orientation": "prefer_not",
            "religion": "prefer_not",
            "disability": "prefer_not",
        },
        "privacy": {"privacy": True},
    }
    if safe_tonight == "no":
        answers["rough-sleeping"] = {"rough_sleeping": "no"}
    missing = {s.slug for s in applicable_steps(answers) if not page_done(s, answers)}
    if missing:
        raise ValueError(f"demo answers must cover every page; missing {sorted(missing)}")
    return answers


def _submit(answers: dict, actor) -> Case:
    draft = IntakeDraft.objects.create(answers={})
    for step, value in answers.items():
        draft = intake_draft_save(draft=draft, step=step, answers=value, actor=actor)
    return intake_submit(draft=draft, actor=actor)


def demo_load(*, users: dict) -> None:
    resident = users["resident"]
    officer = users["housing officer"]
    manager = users["housing manager"]
    if officer.manager_id != manager.pk:
        officer.manager = manager
        officer.save(update_fields=["manager"])
    if Case.objects.filter(applicant=resident).exists():
        return
    # The demo resident's own case, in prevention with a plan.
    case = _submit(
        demo_answers(
            name=resident.name or "Jane Smith",
            email=resident.email,
            people=[
                {
                    "name": "Sam Smith",
                    "date_of_birth": "2016-05-01",
                    "sex": "male",
                    "relationship": "child",
                    "pregnant": False,
                }
            ],
        ),
        resident,
    )
    case_assign(case=case, officer=officer, actor=officer)
    case_record_assessment(
        case=case,
        actor=officer,
        eligible=True,
        outcome=AssessmentOutcome.THREATENED_BY_NOTICE,
        priority_need="children",
        household_type="single_parent_female",
        reason_loss="private_ast_end",
        accommodation_at_application="private_rented",
        support_needs=["budgeting"],
    )
    case = case_move(case=case, actor=officer, to_stage=Stage.PREVENTION, reasons="The duty is owed.")
    today = timezone.localdate()
    plan_step_add(
        case=case,
        actor=officer,
        owner="applicant",
        text="Send us your section 21 notice",
        due_on=today + dt.timedelta(days=7),
    )
    plan_step_add(
        case=case,
        actor=officer,
        owner="applicant",
        text="Register with three letting agents",
        due_on=today + dt.timedelta(days=14),
    )
    plan_step_add(
        case=case,
        actor=officer,
        owner="council",
        text="Contact your landlord about the arrears",
        due_on=today + dt.timedelta(days=5),
    )
    # New and urgent, waiting in the triage queue.
    _submit(
        demo_answers(
            name="Alex Rivers",
            email="alex.rivers@example.com",
            safe_tonight="no",
            accommodation="no_fixed_abode",
            notice="none",
            reason="family_friends",
        ),
        None,
    )
    # Restricted: domestic abuse; routed to the restricted cases team (the demo manager is in it) only.
    _submit(
        demo_answers(
            name="Priya Shah",
            email="priya.shah@example.com",
            risk="domestic_abuse",
            accommodation="refuge",
            notice="none",
            reason="domestic_abuse",
        ),
        None,
    )
    # A Duty to Refer referral from probation.
    referral_submit(
        data={
            "body": "probation",
            "organisation": "London Probation Service, Hackney",
            "referrer_name": "Pat Lee",
            "referrer_email": "pat.lee@example.gov.uk",
            "referrer_phone": "",
            "name": "Chris Doe",
            "date_of_birth": dt.date(1985, 1, 2),
            "phone": "07700900123",
            "email": "",
            "safe_contact": "",
            "situation": "Leaving approved premises next month with nowhere to go.",
            "leaving_on": today + dt.timedelta(days=20),
            "rough_sleeping": False,
            "unsafe_tonight": False,
            "consent_to_referral": True,
            "consent_to_share_contact": True,
            "consent_to_outcome": True,
        },
        actor=None,
    )
