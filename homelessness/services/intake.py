"""The applicant's intake: drafts saved page by page, resume links, the status link and submission."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.notifications import notification_send
from hackney_portal.users import roles

from .. import household, selectors
from ..contact import Channel, draft_contact_check
from ..intake import case_fields_from_answers, prune
from ..models import Case, HouseholdMember, IntakeDraft
from ..rules import Stage
from .common import (
    PARTIAL,
    RESUME_DAYS,
    RESUME_SALT,
    STATUS_SALT,
    _restrict,
    _today,
    case_message_send,
    case_reference_next,
)

# ---------------------------------------------------------------------------------------------------------
# Intake and Duty to Refer


@transaction.atomic
def intake_draft_save(
    *, draft: IntakeDraft | None, step: str, answers: dict, actor, page: str = ""
) -> IntakeDraft:
    """Store one page's answers. A signed-in resident has one open draft, found again on any device."""
    if draft is None:
        user = actor if getattr(actor, "is_authenticated", False) else None
        if user is not None:
            draft = IntakeDraft.objects.select_for_update().filter(user=user, case__isnull=True).first()
        if draft is None:
            draft = IntakeDraft(user=user, answers={})
    elif draft.case_id:
        raise ApplicationError("This application has already been sent.")
    data = dict(draft.answers)
    data[step] = answers
    # An answer that changes which pages apply drops what was said on the pages it leaves out.
    data = prune(data)
    partial = {k: v for k, v in (data.get(PARTIAL) or {}).items() if k != (page or step)}
    if partial:
        data[PARTIAL] = partial
    else:
        data.pop(PARTIAL, None)
    draft.answers = data
    draft.save()
    return draft


@transaction.atomic
def intake_draft_save_partial(*, draft: IntakeDraft | None, step: str, answers: dict, actor) -> IntakeDraft:
    """ "Save and come back later" on a page not yet finished: keep what was answered (and valid) on it,
    apart from the finished pages, so the page is asked again, filled in as they left it."""
    if draft is None:
        draft = intake_draft_save(draft=None, step=PARTIAL, answers={}, actor=actor)
    elif draft.case_id:
        raise ApplicationError("This application has already been sent.")
    data = dict(draft.answers)
    data[PARTIAL] = {**(data.get(PARTIAL) or {}), step: answers}
    draft.answers = data
    draft.save()
    return draft


@transaction.atomic
def intake_draft_save_person(*, draft: IntakeDraft, index: int, answers: dict, actor) -> IntakeDraft:
    """One page's answer about a person in the household. A person already added is changed in place; the
    person being added (index one past the end) joins the household once every question about them is
    answered, and the applicant is then asked again whether anyone else lives with them."""
    draft = IntakeDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.case_id:
        raise ApplicationError("This application has already been sent.")
    data = dict(draft.answers)
    people = household.people(data)
    if 0 <= index < len(people):
        people[index] = household.without_unasked({**people[index], **answers})
        data["people"] = people
    elif index == len(people):
        person = household.without_unasked({**(data.get(household.NEW_PERSON) or {}), **answers})
        if household.complete(person):
            data["people"] = [*people, person]
            data.pop(household.NEW_PERSON, None)
            data["household"] = {}
        else:
            data[household.NEW_PERSON] = person
    else:
        raise ApplicationError("The list of people has changed. Check it, then add or change someone again.")
    draft.answers = data
    draft.save(update_fields=["answers", "updated_at"])
    return draft


@transaction.atomic
def intake_draft_remove_person(*, draft: IntakeDraft, index: int, actor) -> IntakeDraft:
    people = list(draft.answers.get("people", []))
    if 0 <= index < len(people):
        people.pop(index)
    data = dict(draft.answers)
    data["people"] = people
    draft.answers = data
    draft.save(update_fields=["answers", "updated_at"])
    return draft


def _resume_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _resume_token(draft: IntakeDraft, secret: str) -> str:
    # Signed for the expiry; the secret (kept only as a hash) makes the link single use and replaceable.
    return signing.dumps(f"{draft.public_id}:{secret}", salt=RESUME_SALT)


def _draft_for_token(token: str, *, lock: bool = False) -> IntakeDraft | None:
    try:
        value = signing.loads(token, salt=RESUME_SALT, max_age=dt.timedelta(days=RESUME_DAYS))
        public_id, secret = str(value).split(":", 1)
        uuid.UUID(public_id)
    except (signing.BadSignature, ValueError):
        return None
    drafts = IntakeDraft.objects.filter(public_id=public_id, case__isnull=True).exclude(resume_link_digest="")
    draft = (drafts.select_for_update() if lock else drafts).first()
    if draft is None or not hmac.compare_digest(draft.resume_link_digest, _resume_hash(secret)):
        return None
    return draft


def intake_draft_from_token(token: str) -> IntakeDraft | None:
    """The draft a live resume link opens, without using the link up (for the page with the button)."""
    return _draft_for_token(token)


@transaction.atomic
def intake_draft_resume(*, token: str, actor) -> IntakeDraft | None:
    """Use a resume link: once only, and the draft moves to a new id, so the browser that started it (perhaps
    a stranger who typed someone else's address) can no longer read or change what is typed from here on."""
    draft = _draft_for_token(token, lock=True)
    if draft is None:
        return None
    draft.public_id = uuid.uuid4()
    draft.resume_link_digest = ""
    draft.verified_email = draft.resume_email
    contact = draft.answers.get("contact") or {}
    if (contact.get("email") or "").lower() not in ("", draft.verified_email.lower()):
        # Contact details typed by whoever asked for the link, pointing elsewhere (perhaps at themselves):
        # asked again, so updates and later links cannot be steered away from the person who opened it.
        draft.answers = {k: v for k, v in draft.answers.items() if k != "contact"}
    draft.save(update_fields=["public_id", "resume_link_digest", "verified_email", "answers", "updated_at"])
    return draft


@transaction.atomic
def intake_draft_send_resume_link(*, draft: IntakeDraft, email: str, actor) -> None:
    """Email a link to carry on. It holds nothing they typed: the address may not be theirs."""
    draft = IntakeDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.case_id or draft.user_id:
        raise ApplicationError("Sign in to carry on with this application.")
    if draft_contact_check(draft.answers, channel=Channel.EMAIL, address=email):
        raise ApplicationError(
            "You told us email is not a safe way to contact you. To save your answers, create an account"
            " and sign in, or change how it is safe to contact you.",
            field="email",
        )
    secret = secrets.token_urlsafe(32)
    draft.resume_email = email
    draft.resume_link_digest = _resume_hash(secret)
    draft.resume_sent_at = timezone.now()
    draft.save(update_fields=["resume_email", "resume_link_digest", "resume_sent_at", "updated_at"])
    notification_send(
        template="homelessness/email/resume",
        to=email,
        context={
            "url": f"{settings.SITE_URL}/housing-help/apply/resume/{_resume_token(draft, secret)}/",
            "days": RESUME_DAYS,
        },
        key=None,
        actor=actor,
    )


@transaction.atomic
def intake_draft_discard(*, draft: IntakeDraft, actor) -> None:
    """'Exit this page': nothing of the draft is kept for whoever uses the device next."""
    IntakeDraft.objects.filter(pk=draft.pk, case__isnull=True).delete()


def case_status_token(case: Case) -> str:
    return signing.dumps(case.reference, salt=STATUS_SALT)


def case_from_status_token(token: str) -> Case | None:
    try:
        reference = signing.loads(token, salt=STATUS_SALT, max_age=dt.timedelta(days=365))
    except signing.BadSignature:
        return None
    return Case.objects.filter(reference=reference).first()


def _housing_managers():
    from django.contrib.auth import get_user_model

    return list(
        get_user_model().objects.filter(groups__name=roles.HOUSING_MANAGERS, is_active=True).distinct()
    )


@transaction.atomic
def intake_submit(*, draft: IntakeDraft, actor) -> Case:
    """Turn a finished intake into a case. Emergency answers make it urgent; abuse makes it restricted."""
    draft = IntakeDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.case_id:
        return draft.case  # a double click or a refresh after sending: the same case, not a second one
    fields = case_fields_from_answers(draft.answers)
    user = actor if getattr(actor, "is_authenticated", False) and not actor.is_staff else None
    case = Case.objects.create(
        reference=case_reference_next(),
        route=fields.pop("route"),
        applicant=user,
        **{k: v for k, v in fields.items() if k not in ("people", "restricted")},
        # Everything they told us, encrypted (not half-answered pages they went past).
        details={k: v for k, v in prune(draft.answers).items() if k not in (PARTIAL, household.NEW_PERSON)},
    )
    restricted = fields.get("restricted")
    HouseholdMember.objects.create(
        case=case,
        name=case.applicant_name,
        date_of_birth=case.applicant_dob,
        sex=draft.answers.get("about", {}).get("sex", ""),
        relationship="applicant",
        is_applicant=True,
    )
    for person in fields.get("people", []):
        HouseholdMember.objects.create(
            case=case,
            name=person["name"],
            date_of_birth=person.get("date_of_birth") or None,
            sex=person.get("sex", ""),
            relationship=person["relationship"],
        )
    if restricted:
        _restricted_team_route(case, restricted, actor)
    draft.case = case
    draft.save(update_fields=["case", "updated_at"])
    audit_log(
        actor=actor,
        action="homelessness.case.created",
        obj=case,
        data={"route": case.route, "urgent": case.urgent, "flags": case.flags},
    )
    _send_received(case, actor)
    return case


def _restricted_team_route(case: Case, restriction: str, actor) -> None:
    """A restricted case from the intake goes to the restricted-cases team, and only to it: it is given at
    once to the team's least-loaded officer (fewest open cases; between equals, the one given a case longest
    ago), named on the case, with triage started; or, if the team has nobody, it waits (received) in the
    team's queue, urgent, for whoever joins. The team is told a case has arrived, and no
    more: alerts carry no name, reference or circumstance, since mail is read on phones and shared screens.
    """
    from django.contrib.auth import get_user_model

    # Lock the team's rows: two cases arriving at once go to two officers, not both to the least loaded.
    team = list(
        get_user_model()
        .objects.select_for_update()
        .filter(pk__in=selectors.restricted_team_officers().values("pk"))
        .order_by("pk")
    )
    loads = selectors.restricted_team_loads([o.pk for o in team])
    never = dt.datetime.min.replace(tzinfo=dt.UTC)

    def load(officer):
        open_cases, last = loads.get(officer.pk, (0, None))
        return (open_cases, last or never, officer.pk)

    officer = min(team, key=load) if team else None
    case.restricted_team = True
    case.urgent = True  # a restricted case from the intake is someone at risk of harm
    case.save(update_fields=["restricted_team", "urgent"])
    _restrict(case, restriction, [officer] if officer else [], actor)
    if officer is not None:
        case.assigned_to = officer
        case.assigned_at = timezone.now()
        # Given to a named officer, it is picked up: triage starts now, as it does when an officer presses
        # Assign (s.184: inquiries begin when there is reason to believe), so nobody has to press it first.
        case.stage = Stage.TRIAGE
        case.triage_started_on = _today()
        case.save(update_fields=["assigned_to", "assigned_at", "stage", "triage_started_on"])
        audit_log(
            actor=actor,
            action="homelessness.case.assigned",
            obj=case,
            data={"to": officer.email, "from": None, "by": "restricted team routing", "stage": case.stage},
        )
    recipients = [o.email for o in team]
    if settings.HOMELESSNESS_RESTRICTED_TEAM_EMAIL:
        recipients.append(settings.HOMELESSNESS_RESTRICTED_TEAM_EMAIL)
    for email in recipients:
        notification_send(
            template="homelessness/email/restricted_alert",
            to=email,
            context={
                "queue_url": f"{settings.SITE_URL}/{settings.ADMIN_URL}homelessness/case/?queue=team",
                "yours": officer is not None and email == officer.email,
                "unassigned": officer is None,
            },
            key=f"homelessness.restricted_alert:{case.pk}:{email}",
            actor=actor,
        )
    audit_log(
        actor=actor,
        action="homelessness.case.team_alerted",
        obj=case,
        data={"team": selectors.restricted_team_name(), "alerted": len(recipients)},
    )


def _send_received(case: Case, actor) -> None:
    case_message_send(
        case=case,
        template="received",
        key=f"homelessness.received:{case.pk}",
        actor=actor,
        context={
            "status_url": f"{settings.SITE_URL}/housing-help/status/{case_status_token(case)}/",
            "emergency": case.urgent,
        },
    )
