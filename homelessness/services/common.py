"""What every homelessness service shares: the case lock, the officer check, case references, and the one
way a message reaches an applicant.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.notifications import notification_send
from hackney_portal.users import roles

from ..contact import Channel, case_contact_check
from ..models import Case, CaseMessage

RESUME_SALT = "homelessness.intake.resume"
PARTIAL = "partial"  # the draft's half-answered pages, by page
STATUS_SALT = "homelessness.case.status"
RESUME_DAYS = 30
DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}


def _today() -> dt.date:
    return timezone.localdate()


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _is_housing_staff(user) -> bool:
    return roles.user_in_group(user, roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS)


def officer_seniority(user) -> int:
    if user.is_superuser:
        return 3
    if roles.user_in_group(user, roles.HOUSING_MANAGERS):
        return 2
    if roles.user_in_group(user, roles.HOUSING_OFFICERS):
        return 1
    return 0


def _require_officer(actor) -> None:
    if not _is_housing_staff(actor):
        raise ApplicationError("Only housing officers can do this.")


def case_reference_next() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('homelessness_case_reference_seq')")
        (number,) = cursor.fetchone()
    return f"{settings.HOMELESSNESS_REFERENCE_PREFIX}-{number:07d}"


def case_message_send(*, case: Case, template: str, key: str, actor, context: dict) -> CaseMessage:
    """Everything the service tells an applicant goes through here, and so through their safe-contact answers.

    A message by a channel they ruled out is recorded as it would have been sent but held, never delivered;
    the case page shows officers what was held and why, so they can pass it on in a way that is safe.
    """
    channel = Channel.EMAIL  # the only channel the portal delivers today
    held_reason = case_contact_check(case, channel=channel)
    note = notification_send(
        template=f"homelessness/email/{template}",
        to=case.contact_email,
        context={"case": case, **context},
        key=key,
        actor=actor,
        held_reason=held_reason,
    )
    return _case_message_record(case=case, note=note, channel=channel, held_reason=held_reason, actor=actor)


def _case_message_record(*, case: Case, note, channel: str, held_reason: str, actor) -> CaseMessage:
    """Keep a message about the case on it, sent or held, for the case page; a held one is audited too."""
    message, created = CaseMessage.objects.get_or_create(
        notification=note,
        defaults={"case": case, "channel": channel, "template": note.template, "held_reason": held_reason},
    )
    if created and held_reason:
        audit_log(
            actor=actor,
            action="homelessness.message.held",
            obj=case,
            data={"template": note.template.rsplit("/", 1)[-1], "reason": held_reason},
        )
    return message


def case_message_delivery_check(note) -> str:
    """At delivery, why a message about a case must not go now, or "": the applicant's answers as they are
    then, not as they were when it was queued. A message held here is kept on the case and audited, as one
    held when it was queued is."""
    if not note.template.startswith("homelessness/"):
        return ""
    message = CaseMessage.objects.select_related("case").filter(notification_id=note.pk).first()
    if message is None:
        return ""
    case = message.case
    if note.template == "homelessness/email/referral_outcome":
        reason = _referrer_contact_check(case)
    else:
        reason = case_contact_check(case, channel=message.channel)
        if not reason and message.channel == Channel.EMAIL and note.to != case.contact_email:
            reason = "Not emailed: the applicant's email address changed after this message was written"
    if reason:
        CaseMessage.objects.filter(pk=message.pk).update(held_reason=reason[:300])
        audit_log(
            actor=None,
            action="homelessness.message.held",
            obj=case,
            data={"template": note.template.rsplit("/", 1)[-1], "reason": reason, "at": "delivery"},
        )
    return reason


def _referrer_contact_check(case: Case) -> str:
    """Why the referrer may not be told about the case now, in words for officers; "" when they may.

    A stranger can make a referral in someone's name with their own address and tick the person's consent,
    and the outcome (housed, moved to another council, withdrawn) says where the person went: so what rules
    out messages to the applicant, or hides where they are, rules this out too."""
    not_sent = "Not emailed to the referrer"
    if case.restriction:
        return (
            f"{not_sent}: the case is restricted ({case.get_restriction_display().lower()}), and the outcome "
            "could tell someone where the applicant is"
        )
    if case.no_messages:
        return f"{not_sent}: the applicant said we must not send any messages about them"
    if case.address_suppressed:
        return (
            f"{not_sent}: the applicant's address is suppressed, and the outcome could tell someone where "
            "they are"
        )
    return ""


def _restrict(case: Case, restriction: str, officers, actor) -> None:
    case.restriction = restriction
    case.address_suppressed = case.address_suppressed or restriction == Case.Restriction.DOMESTIC_ABUSE
    case.save(update_fields=["restriction", "address_suppressed"])
    case.named_officers.add(*officers)
    audit_log(
        actor=actor,
        action="homelessness.case.restricted",
        obj=case,
        data={"restriction": restriction, "officers": sorted(o.email for o in officers)},
    )
