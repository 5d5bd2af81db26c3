"""Duty to Refer referrals (s.213B) from public bodies."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.notifications import notification_send

from ..models import Case, HouseholdMember, Referral
from .common import _today, case_reference_next


@transaction.atomic
def referral_submit(*, data: dict, actor) -> Case:
    """A Duty to Refer referral (s.213B): a case to contact the person, and the referrer acknowledged."""
    if not (data["consent_to_referral"] and data["consent_to_share_contact"]):
        raise ApplicationError(
            "The person must agree to the referral and to us having their contact details."
        )
    flags = [flag for flag in ("rough_sleeping", "unsafe_tonight") if data.get(flag)]
    case = Case.objects.create(
        reference=case_reference_next(),
        route=Case.Route.DUTY_TO_REFER,
        applicant_name=data["name"],
        applicant_dob=data.get("date_of_birth"),
        contact_email=data.get("email", ""),
        contact_phone=data.get("phone", ""),
        safe_contact=data.get("safe_contact", ""),
        safe_method=data.get("safe_method") or "",
        no_messages=bool(data.get("no_messages")),
        # Leaving custody or hospital within a week with nowhere to go is as urgent as nowhere tonight.
        urgent=bool(flags)
        or bool(data.get("leaving_on") and data["leaving_on"] <= _today() + dt.timedelta(days=7)),
        flags=flags,
        details={
            "referral": {"situation": data["situation"], "leaving_on": str(data.get("leaving_on") or "")}
        },
    )
    HouseholdMember.objects.create(
        case=case,
        name=case.applicant_name,
        date_of_birth=case.applicant_dob,
        relationship="applicant",
        is_applicant=True,
    )
    referral = Referral.objects.create(
        case=case,
        body=data["body"],
        organisation=data["organisation"],
        referrer_name=data["referrer_name"],
        referrer_email=data["referrer_email"],
        referrer_phone=data.get("referrer_phone", ""),
        consent_to_referral=True,
        consent_to_share_contact=True,
        consent_to_outcome=bool(data.get("consent_to_outcome")),
    )
    audit_log(actor=actor, action="homelessness.referral.received", obj=case, data={"body": referral.body})
    notification_send(
        template="homelessness/email/referral_ack",
        to=referral.referrer_email,
        context={"case": case, "referral": referral},
        key=f"homelessness.referral_ack:{case.pk}",
        actor=actor,
    )
    return case
