"""Writes for homelessness casework. Each function is atomic, takes `actor=`, and records an audit event.

Case-changing services lock the case row first (SELECT ... FOR UPDATE), so two officers acting on the same
case at once are serialised and every rule below is checked against the current state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from hackney_portal.core.append_only import RETENTION_SETTING
from hackney_portal.core.audit import audit_log
from hackney_portal.core.forms import ApplicationError
from hackney_portal.core.hostile import strip_control
from hackney_portal.core.notifications import notification_send
from hackney_portal.core.uploads import upload_check
from hackney_portal.users import roles

from . import rules, selectors
from .contact import Channel, case_contact_check, draft_contact_check
from .intake import case_fields_from_answers
from .models import (
    Assessment,
    Case,
    CaseMessage,
    CaseNote,
    DecisionLetter,
    Document,
    DocumentRequest,
    HouseholdMember,
    IntakeDraft,
    NonCooperationNotice,
    PlanStep,
    Referral,
    Review,
    TemporaryAccommodation,
)
from .rules import CloseReason, Stage

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
        details={k: v for k, v in draft.answers.items() if k != PARTIAL},
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
    ago), or waits in the team's queue if the team has nobody. The team is told a case has arrived, and no
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
        case.save(update_fields=["assigned_to", "assigned_at"])
        audit_log(
            actor=actor,
            action="homelessness.case.assigned",
            obj=case,
            data={"to": officer.email, "from": None, "by": "restricted team routing"},
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
    message, created = CaseMessage.objects.get_or_create(
        notification=note,
        defaults={"case": case, "channel": channel, "template": note.template, "held_reason": held_reason},
    )
    if created and held_reason:
        audit_log(
            actor=actor,
            action="homelessness.message.held",
            obj=case,
            data={"template": template, "reason": held_reason},
        )
    return message


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


# ---------------------------------------------------------------------------------------------------------
# Officers


def letter_download_record(*, letter: DecisionLetter, actor, fmt: str) -> None:
    """An applicant or officer opened a letter (on the page or as a PDF): a read of case data, logged."""
    audit_log(
        actor=actor,
        action="homelessness.letter.opened",
        obj=letter.case,
        data={"letter": letter.pk, "format": fmt},
    )


def case_view_record(*, case: Case, actor, what: str = "viewed", data: dict | None = None) -> None:
    """Every read of a case by staff is logged (who, when, what), in its own transaction."""
    audit_log(
        actor=actor, action=f"homelessness.case.{what}", obj=case, data=data or {"reference": case.reference}
    )


def case_list_record(*, actor, references: list[str], query: str) -> None:
    audit_log(
        actor=actor, action="homelessness.case.listed", data={"references": references, "query": query[:500]}
    )


def case_access_denied(*, actor, case_id) -> None:
    """A member of staff asked for a case they may not see: refused (the 404 is logged by
    AccessDeniedLogMiddleware), and the attempt kept in the audit log."""
    audit_log(actor=actor, action="homelessness.case.access_denied", data={"case_id": str(case_id)[:20]})


def hclic_download_record(*, actor, export, which: str, withheld: int = 0) -> None:
    audit_log(
        actor=actor,
        action="homelessness.hclic.downloaded",
        obj=export,
        data={"file": which, "withheld_restricted_cases": withheld},
    )


@transaction.atomic
def case_assign(*, case: Case, officer, actor) -> Case:
    _require_officer(actor)
    if not _is_housing_staff(officer):
        raise ApplicationError("Cases can only be assigned to housing officers.", field="officer")
    case = _lock(case)
    if case.restricted_team and not selectors.restricted_team_officers().filter(pk=officer.pk).exists():
        raise ApplicationError(
            "This case can only be assigned to an officer of the restricted cases team.", field="officer"
        )
    if case.stage == Stage.CLOSED:
        raise ApplicationError("This case is closed.")
    if case.restriction and not case.named_officers.filter(pk=officer.pk).exists():
        case.named_officers.add(officer)  # the assignee must be able to see the case they are given
    previous = case.assigned_to
    case.assigned_to = officer
    case.assigned_at = timezone.now()
    update = ["assigned_to", "assigned_at"]
    if case.stage == Stage.RECEIVED:
        # Picking up a new case starts triage (s.184: inquiries begin when there is reason to believe).
        case.stage = Stage.TRIAGE
        case.triage_started_on = _today()
        update += ["stage", "triage_started_on"]
    case.save(update_fields=update)
    audit_log(
        actor=actor,
        action="homelessness.case.assigned",
        obj=case,
        data={"to": officer.email, "from": previous.email if previous else None},
    )
    return case


@transaction.atomic
def case_record_assessment(
    *,
    case: Case,
    actor,
    eligible: bool,
    outcome: str,
    priority_need: str = "",
    household_type: str = "",
    reason_loss: str = "",
    accommodation_at_application: str = "",
    support_needs: list[str] | None = None,
) -> Case:
    """The s.184 inquiries and s.189A assessment: eligibility, homelessness, priority need, needs."""
    _require_officer(actor)
    case = _lock(case)
    if case.stage not in (Stage.TRIAGE, Stage.ASSESSMENT, Stage.PREVENTION, Stage.RELIEF):
        raise ApplicationError("An assessment is recorded at triage, or kept under review during a duty.")
    if outcome not in rules.AssessmentOutcome.values:
        raise ApplicationError("Choose the outcome of the assessment.", field="outcome")
    if not eligible and outcome != rules.AssessmentOutcome.NOT_ELIGIBLE:
        raise ApplicationError(
            "An applicant who is not eligible has the outcome “Not eligible”.", field="outcome"
        )
    case.eligible = eligible
    case.assessment_outcome = outcome
    case.priority_need = priority_need
    for name, value in (
        ("household_type", household_type),
        ("reason_loss", reason_loss),
        ("accommodation_at_application", accommodation_at_application),
    ):
        if value:
            setattr(case, name, value)
    if support_needs is not None:
        case.support_needs = sorted(support_needs)
    first = case.assessed_on is None
    if first:
        case.assessed_on = _today()
    if case.stage == Stage.TRIAGE:
        case.stage = Stage.ASSESSMENT
    if priority_need and "priority_need" not in case.flags:
        case.flags = [*case.flags, "priority_need"]
    if (
        eligible
        and outcome == rules.AssessmentOutcome.HOMELESS
        and priority_need
        and "interim_s188" not in case.flags
    ):
        # s.188: reason to believe homeless, eligible and in priority need means accommodation now.
        case.flags = [*case.flags, "interim_s188"]
        case.urgent = True
    case.save()
    # s.189A: the initial assessment and each review of it is kept, dated, with who made it.
    assessment = Assessment.objects.create(
        case=case,
        kind=Assessment.Kind.INITIAL
        if first or not case.assessments.filter(kind=Assessment.Kind.INITIAL).exists()
        else Assessment.Kind.REVIEW,
        assessed_on=_today(),
        made_by=actor,
        eligible=eligible,
        outcome=outcome,
        priority_need=priority_need,
        household_type=case.household_type,
        accommodation_at_application=case.accommodation_at_application,
        reason_loss=case.reason_loss,
        support_needs=list(case.support_needs or []),
    )
    audit_log(
        actor=actor,
        action="homelessness.case.assessed",
        obj=case,
        data={
            "eligible": eligible,
            "outcome": outcome,
            "priority_need": priority_need,
            "assessment": assessment.pk,
            "kind": assessment.kind,
        },
    )
    return case


def _render_letter(
    case: Case, kind: str, decision: str, reasons: str, issued_on: dt.date, extra: dict | None = None
) -> str:
    return render_to_string(
        f"homelessness/letters/{kind}.txt",
        {
            "case": case,
            "decision": CloseReason(decision).label if decision in CloseReason.values else "",
            "reasons": reasons,
            "issued_on": issued_on,
            "review_deadline": rules.review_request_deadline(issued_on),
            "council": settings.COUNCIL,
            **(extra or {}),
        },
    )


def letter_issue(
    *, case: Case, actor, kind: str, reasons: str, decision: str = "", extra: dict | None = None
) -> DecisionLetter:
    """Decision letters always carry reasons, review rights and the 21-day deadline (s.184(3), s.202)."""
    reasons = strip_control(reasons or "").strip()  # views strip them too; services can be called directly
    if not reasons:
        raise ApplicationError("A decision letter must give the reasons for the decision.", field="reasons")
    issued_on = _today()
    letter = DecisionLetter.objects.create(
        case=case,
        kind=kind,
        decision=decision,
        reasons=reasons,
        body=_render_letter(case, kind, decision, reasons, issued_on, extra),
        issued_on=issued_on,
        issued_by=actor,
        review_deadline=rules.review_request_deadline(issued_on),
    )
    audit_log(
        actor=actor, action="homelessness.letter.issued", obj=case, data={"kind": kind, "letter": letter.pk}
    )
    case_message_send(
        case=case,
        template="letter",
        key=f"homelessness.letter:{letter.pk}",
        actor=actor,
        context={"letter": letter},
    )
    return letter


# A review decision is appealed, not reviewed again (s.202(2)); a warning is not a decision.
NOT_REVIEWABLE = {DecisionLetter.Kind.REVIEW_DECISION, DecisionLetter.Kind.NONCOOP_WARNING}

_LETTER_KIND = {
    Stage.ASSESSMENT: DecisionLetter.Kind.S184,
    Stage.PREVENTION: DecisionLetter.Kind.DUTY_END,
    Stage.RELIEF: DecisionLetter.Kind.DUTY_END,
    Stage.MAIN_DUTY_DECISION: DecisionLetter.Kind.MAIN_DUTY,
    Stage.MAIN_DUTY: DecisionLetter.Kind.DISCHARGE,
}


@transaction.atomic
def case_move(
    *,
    case: Case,
    actor,
    to_stage: str,
    end_reason: str = "",
    reasons: str = "",
    confirmed: bool = False,
    letter_extra: dict | None = None,
) -> Case:
    """Move a case to its next stage, or close it with an end reason, stamping the dates H-CLIC needs.

    `confirmed`: the officer confirms the preconditions of the end reason that the record cannot show
    (`rules.DutyEnd.confirm`); the notice names the section and the ground (s.189B(6), s.195(5))."""
    _require_officer(actor)
    case = _lock(case)
    today = _today()
    move = rules.move_allowed(
        case=case, to_stage=to_stage, end_reason=end_reason, today=today, confirmed=confirmed
    )
    if not move.allowed:
        raise ApplicationError(move.reason)
    from_stage = case.stage
    # Every end of a prevention or relief duty is by notice (s.189B(5)-(6), s.195(5)), withdrawal included.
    rule = rules.duty_end_rule(from_stage, end_reason) if to_stage == Stage.CLOSED else None
    letter_needed = (
        (to_stage == Stage.CLOSED and end_reason in rules.NEEDS_NOTICE)
        or rule is not None
        or to_stage == Stage.MAIN_DUTY
    )
    if letter_needed:
        kind = _LETTER_KIND.get(Stage(from_stage), DecisionLetter.Kind.S184)
        if end_reason == CloseReason.NON_COOPERATION:
            kind = DecisionLetter.Kind.NON_COOPERATION
        extra = {"section": rule.section, "ground": rule.ground} if rule else {}
        extra.update(letter_extra or {})
        letter_issue(case=case, actor=actor, kind=kind, reasons=reasons, decision=end_reason, extra=extra)

    # Stamp the end of the duty being left, then the start of the one entered.
    if from_stage == Stage.PREVENTION:
        case.prevention_end = today
        # Moving on to relief means the applicant became homeless; H-CLIC derives that from the dates.
        case.prevention_end_reason = end_reason if to_stage == Stage.CLOSED else ""
    if from_stage == Stage.RELIEF:
        case.relief_end = today
        # Moving on to the main duty decision: the duty ended by itself after 56 days (s.189B(4)).
        case.relief_end_reason = end_reason if to_stage == Stage.CLOSED else CloseReason.DAYS_ELAPSED
    if to_stage == Stage.PREVENTION:
        case.prevention_start = today
    elif to_stage == Stage.RELIEF:
        case.relief_start = today
    elif to_stage == Stage.MAIN_DUTY:
        case.main_duty_decided_on = today
        case.main_duty_start = today
    if from_stage == Stage.MAIN_DUTY_DECISION:
        case.main_duty_decided_on = today
    case.stage = to_stage
    case.duty_deadline = rules.duty_deadline(case) if to_stage in (Stage.PREVENTION, Stage.RELIEF) else None
    if to_stage == Stage.CLOSED:
        case.closed_on = today
        case.close_reason = end_reason
    case.save()
    audit_log(
        actor=actor,
        action="homelessness.case.moved",
        obj=case,
        data={
            "from": from_stage,
            "to": to_stage,
            "end_reason": end_reason,
            "preconditions_confirmed": bool(confirmed),
        },
    )
    _tell_applicant_stage(case, actor)
    if to_stage == Stage.CLOSED:
        _tell_referrer_outcome(case, actor)
    return case


def _accept_duty(*, case: Case, actor, to_stage: str, kind: str, reasons: str) -> Case:
    case = _lock(case)
    if not (reasons or "").strip():
        raise ApplicationError(
            "Write the summary of the assessment for the letter (s.189A(3)).", field="reasons"
        )
    case = case_move(case=case, actor=actor, to_stage=to_stage)
    letter_issue(
        case=case,
        actor=actor,
        kind=kind,
        reasons=reasons,
        extra={
            "duty_start": case.prevention_start if to_stage == Stage.PREVENTION else case.relief_start,
            "duty_deadline": case.duty_deadline,
            "my_steps": list(case.plan_steps.filter(owner="applicant")),
            "council_steps": list(case.plan_steps.filter(owner="council")),
        },
    )
    return case


@transaction.atomic
def case_accept_prevention_duty(*, case: Case, actor, reasons: str) -> Case:
    """s.195(2): eligible and threatened with homelessness within 56 days, so the prevention duty is owed.
    The applicant is told in writing, with the assessment and the personalised housing plan (s.189A(3))."""
    _require_officer(actor)
    return _accept_duty(
        case=case,
        actor=actor,
        to_stage=Stage.PREVENTION,
        kind=DecisionLetter.Kind.PREVENTION_ACCEPTED,
        reasons=reasons,
    )


@transaction.atomic
def case_accept_relief_duty(*, case: Case, actor, reasons: str) -> Case:
    """s.189B(2): eligible and homeless, so the relief duty is owed for at least 56 days; from assessment,
    or from prevention when the applicant became homeless (s.195(8)(c)). Told in writing, with the plan."""
    _require_officer(actor)
    return _accept_duty(
        case=case,
        actor=actor,
        to_stage=Stage.RELIEF,
        kind=DecisionLetter.Kind.RELIEF_ACCEPTED,
        reasons=reasons,
    )


@transaction.atomic
def case_decide_intentionality(*, case: Case, actor, intentional: bool, reasons: str) -> Case:
    """s.191: whether the applicant became homeless intentionally. A s.184 decision with review rights
    (s.202(1)(b)); it decides between the main duty (s.193) and s.190 at the end of relief."""
    _require_officer(actor)
    case = _lock(case)
    if case.stage not in (Stage.RELIEF, Stage.MAIN_DUTY_DECISION):
        raise ApplicationError(
            "Intentionality (s.191) is decided while the relief duty is owed or at the main duty decision."
        )
    if case.intentionally_homeless is not None and case.intentionally_homeless == intentional:
        raise ApplicationError("This decision has already been made.")
    letter_issue(
        case=case,
        actor=actor,
        kind=DecisionLetter.Kind.INTENTIONALITY,
        reasons=reasons,
        extra={"intentional": intentional, "priority_need": bool(case.priority_need)},
    )
    case.intentionally_homeless = intentional
    case.save(update_fields=["intentionally_homeless"])
    audit_log(
        actor=actor,
        action="homelessness.case.intentionality_decided",
        obj=case,
        data={"intentional": intentional},
    )
    return case


@transaction.atomic
def case_refer_local_connection(
    *, case: Case, actor, authority: str, reasons: str, confirmed: bool = False
) -> Case:
    """s.198: refer the case to an authority the household has a local connection with (s.199), at the relief
    stage (s.198(A1)) or at the main duty decision (s.198(1)). The case ends here with the referral as its
    outcome; the applicant can ask for a review (s.202(1)(c)), decided in 10 weeks."""
    _require_officer(actor)
    authority = " ".join((authority or "").split())[:200]
    if not authority:
        raise ApplicationError("Enter the council the case is referred to.", field="authority")
    if not confirmed:
        raise ApplicationError(
            "Confirm that this is true before referring the case (s.198): "
            + rules.RELIEF_ENDS[CloseReason.LOCAL_CONNECTION_REFERRAL].confirm,
            field="confirmed",
        )
    case = _lock(case)
    case.referred_to = authority
    case.save(update_fields=["referred_to"])
    return case_move(
        case=case,
        actor=actor,
        to_stage=Stage.CLOSED,
        end_reason=CloseReason.LOCAL_CONNECTION_REFERRAL,
        reasons=reasons,
        confirmed=True,
        letter_extra={"authority": authority},
    )


def _tell_applicant_stage(case: Case, actor) -> None:
    case_message_send(
        case=case,
        template="stage",
        key=f"homelessness.stage:{case.pk}:{case.stage}",
        actor=actor,
        context={"stage": case.get_stage_display()},
    )


def _tell_referrer_outcome(case: Case, actor) -> None:
    referral = Referral.objects.filter(
        case=case, consent_to_outcome=True, outcome_sent_on__isnull=True
    ).first()
    if referral is None:
        return
    referral.outcome_sent_on = _today()
    referral.save(update_fields=["outcome_sent_on"])
    notification_send(
        template="homelessness/email/referral_outcome",
        to=referral.referrer_email,
        context={"case": case, "referral": referral, "outcome": case.get_close_reason_display()},
        key=f"homelessness.referral_outcome:{case.pk}",
        actor=actor,
    )


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


@transaction.atomic
def case_restrict(*, case: Case, actor, restriction: str, officers) -> Case:
    if officer_seniority(actor) < 2:
        raise ApplicationError("Only a housing manager can restrict a case.")
    case = _lock(case)
    _restrict(case, restriction, [actor, *officers], actor)
    return case


@transaction.atomic
def case_legal_hold_set(*, case: Case, actor, hold: bool, reason: str) -> Case:
    """Keep a case past its retention date (a review, an appeal, a claim), or let it go again: a housing
    manager's decision, with the reason kept on the case and in the audit log."""
    if officer_seniority(actor) < 2:
        raise ApplicationError("Only a housing manager can put a case on legal hold or lift the hold.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError(
            "Give the reason for putting the case on legal hold or lifting it.", field="reason"
        )
    if len(reason) > 500:
        raise ApplicationError("The reason must be 500 characters or fewer.", field="reason")
    case = _lock(case)
    if case.legal_hold == hold:
        raise ApplicationError(
            "The case is already on legal hold." if hold else "The case is not on legal hold."
        )
    case.legal_hold = hold
    case.legal_hold_reason = reason
    case.legal_hold_by = actor
    case.legal_hold_on = _today()
    case.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_by", "legal_hold_on"])
    audit_log(
        actor=actor, action="homelessness.case.legal_hold", obj=case, data={"hold": hold, "reason": reason}
    )
    return case


@transaction.atomic
def case_note_add(*, case: Case, actor, text: str) -> CaseNote:
    _require_officer(actor)
    if not text.strip():
        raise ApplicationError("Enter the note.", field="text")
    note = CaseNote.objects.create(case=case, author=actor, text=text.strip())
    audit_log(actor=actor, action="homelessness.note.added", obj=case, data={"note": note.pk})
    return note


@transaction.atomic
def document_request_create(*, case: Case, actor, description: str, due_on: dt.date) -> DocumentRequest:
    _require_officer(actor)
    request = DocumentRequest.objects.create(
        case=case, description=description, due_on=due_on, requested_by=actor
    )
    audit_log(actor=actor, action="homelessness.document.requested", obj=case, data={"request": request.pk})
    case_message_send(
        case=case,
        template="document_request",
        key=f"homelessness.docreq:{request.pk}",
        actor=actor,
        context={"request": request},
    )
    return request


@transaction.atomic
def document_upload(*, case: Case, actor, upload, request: DocumentRequest | None = None) -> Document:
    """Applicants answer a request (or send something unasked) with a PDF, photo or Word file."""
    ext = upload_check(
        upload,
        allowed=DOCUMENT_TYPES,
        max_bytes=settings.HOMELESSNESS_UPLOAD_MAX_BYTES,
        field="file",
        what="The file",
        kinds="a PDF, JPG, PNG or Word document (.docx)",
    )
    if request is not None and request.case_id != case.pk:
        raise ApplicationError("That request is not for this case.")
    doc = Document(
        case=case,
        request=request,
        original_name=(upload.name or f"document.{ext}")[:200],
        content_type=next(mime for mime, e in DOCUMENT_TYPES.items() if e == ext),
        size=upload.size,
        uploaded_by_applicant=not getattr(actor, "is_staff", False),
    )
    doc.file.save(f"upload.{ext}", upload, save=False)
    doc.save()
    if request is not None and request.answered_at is None:
        request.answered_at = timezone.now()
        request.save(update_fields=["answered_at"])
    audit_log(actor=actor, action="homelessness.document.uploaded", obj=case, data={"document": doc.pk})
    return doc


@transaction.atomic
def plan_step_add(*, case: Case, actor, owner: str, text: str, due_on: dt.date) -> PlanStep:
    """A step of the Personalised Housing Plan (s.189A(4)): what the applicant and the council will do."""
    _require_officer(actor)
    step = PlanStep.objects.create(case=case, owner=owner, text=text, due_on=due_on, created_by=actor)
    audit_log(
        actor=actor, action="homelessness.plan.step_added", obj=case, data={"step": step.pk, "owner": owner}
    )
    return step


@transaction.atomic
def plan_step_complete(*, step: PlanStep, actor, done: bool = True) -> PlanStep:
    step = PlanStep.objects.select_for_update().get(pk=step.pk)
    step.done_at = timezone.now() if done else None
    step.save(update_fields=["done_at"])
    audit_log(
        actor=actor, action="homelessness.plan.step_done", obj=step.case, data={"step": step.pk, "done": done}
    )
    return step


@transaction.atomic
def case_noncooperation_warn(*, case: Case, actor, reasons: str) -> DecisionLetter:
    """s.193B(4): before a non-cooperation notice, a written warning of what will happen if the applicant
    still refuses, and a reasonable period (`rules.NONCOOPERATION_WARNING_DAYS`) to put it right."""
    _require_officer(actor)
    case = _lock(case)
    if case.stage not in (Stage.PREVENTION, Stage.RELIEF):
        raise ApplicationError(
            "A non-cooperation warning is given during a prevention or relief duty (s.193B)."
        )
    return letter_issue(
        case=case,
        actor=actor,
        kind=DecisionLetter.Kind.NONCOOP_WARNING,
        reasons=reasons,
        extra={
            "duty": Stage(case.stage).label,
            "respond_by": _today() + dt.timedelta(days=rules.NONCOOPERATION_WARNING_DAYS),
        },
    )


@transaction.atomic
def noncooperation_propose(*, case: Case, actor, reasons: str) -> NonCooperationNotice:
    _require_officer(actor)
    case = _lock(case)
    if case.stage not in (Stage.PREVENTION, Stage.RELIEF):
        raise ApplicationError("A non-cooperation notice ends a prevention or relief duty (s.193B).")
    if not reasons.strip():
        raise ApplicationError("Give the reasons for the notice.", field="reasons")
    notice = NonCooperationNotice.objects.create(case=case, proposed_by=actor, reasons=reasons.strip())
    audit_log(
        actor=actor, action="homelessness.noncooperation.proposed", obj=case, data={"notice": notice.pk}
    )
    return notice


@transaction.atomic
def noncooperation_approve(*, notice: NonCooperationNotice, actor) -> NonCooperationNotice:
    """s.193B: a second officer, at least as senior and not involved, must approve the notice."""
    notice = NonCooperationNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.approved_at:
        return notice
    if notice.proposed_by_id == actor.pk:
        raise ApplicationError("A second officer must approve a notice you proposed.")
    if not actor.has_perm("homelessness.approve_noncooperation"):
        raise ApplicationError("Only a senior officer can approve a non-cooperation notice.")
    if officer_seniority(actor) < officer_seniority(notice.proposed_by):
        raise ApplicationError("The approving officer must be at least as senior as the proposing officer.")
    notice.approved_by = actor
    notice.approved_at = timezone.now()
    notice.save(update_fields=["approved_by", "approved_at"])
    audit_log(
        actor=actor,
        action="homelessness.noncooperation.approved",
        obj=notice.case,
        data={"notice": notice.pk},
    )
    return notice


@transaction.atomic
def review_request(
    *, letter: DecisionLetter, actor, requested_on: dt.date, kind: str, late_reason: str = ""
) -> Review:
    """s.202(3): a review requested within 21 days of the decision, or later if the council allows it in
    writing: a late request is accepted at the officer's discretion, with the reason recorded."""
    _require_officer(actor)
    if letter.kind in NOT_REVIEWABLE:
        raise ApplicationError(
            "This letter is not a decision that can be reviewed (a review decision is appealed to the county"
            " court, s.204).",
            field="letter",
        )
    late_reason = (late_reason or "").strip()
    late = requested_on > letter.review_deadline
    if late and not late_reason:
        raise ApplicationError(
            f"The request is out of time: reviews must be asked for by {letter.review_deadline:%-d %B %Y}."
            " To accept it anyway (s.202(3)), give the reason.",
            field="late_reason",
        )
    if requested_on < letter.issued_on:
        raise ApplicationError(
            "A review cannot be requested before the decision was made.", field="requested_on"
        )
    if Review.objects.filter(letter=letter, decided_on__isnull=True).exists():
        raise ApplicationError("A review of this decision is already open.")
    review = Review.objects.create(
        case=letter.case,
        letter=letter,
        kind=kind,
        requested_on=requested_on,
        due_on=rules.review_decision_due(requested_on=requested_on, kind=kind),
        original_decider=letter.issued_by,
        late_reason=late_reason if late else "",
        late_accepted_by=actor if late else None,
    )
    audit_log(
        actor=actor,
        action="homelessness.review.requested",
        obj=letter.case,
        data={"review": review.pk, "late": late, "late_reason": late_reason if late else ""},
    )
    return review


@transaction.atomic
def review_decide(*, review: Review, actor, outcome: str, reasons: str) -> Review:
    _require_officer(actor)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.decided_on:
        raise ApplicationError("This review has been decided.")
    if review.original_decider_id == actor.pk:
        raise ApplicationError("A review must be decided by someone who did not take the original decision.")
    if not reasons.strip():
        raise ApplicationError("Give the reasons for the review decision.", field="reasons")
    review.reviewer = actor
    review.outcome = outcome
    review.reasons = reasons.strip()
    review.decided_on = _today()
    review.save()
    audit_log(actor=actor, action="homelessness.review.decided", obj=review.case, data={"outcome": outcome})
    if outcome != Review.Outcome.WITHDRAWN:
        # s.203(3)-(5): the applicant is notified of the review decision, with reasons, and of the right to
        # appeal to the county court on a point of law within 21 days (s.204(2)).
        letter_issue(
            case=review.case,
            actor=actor,
            kind=DecisionLetter.Kind.REVIEW_DECISION,
            reasons=review.reasons,
            extra={"original": review.letter, "outcome": review.get_outcome_display()},
        )
    return review


@transaction.atomic
def placement_add(
    *, case: Case, actor, kind: str, start_on: dt.date, in_borough: bool, children: int
) -> TemporaryAccommodation:
    _require_officer(actor)
    placement = TemporaryAccommodation.objects.create(
        case=case, kind=kind, start_on=start_on, in_borough=in_borough, children=children
    )
    audit_log(actor=actor, action="homelessness.placement.added", obj=case, data={"placement": placement.pk})
    return placement


# ---------------------------------------------------------------------------------------------------------
# Scheduled work


def _officer_and_manager(case: Case) -> list[str]:
    people = [case.assigned_to] if case.assigned_to else []
    if case.assigned_to and case.assigned_to.manager:
        people.append(case.assigned_to.manager)
    return [p.email for p in people if p.is_active]


def _staff_recipients(case: Case, emails: list[str]) -> list[str]:
    """Staff emails about a restricted case go only to people named on it; the team mailbox, read by
    everyone, is replaced by the named officers."""
    allowed = selectors.restricted_case_recipients(case, emails or [settings.HOMELESSNESS_TEAM_EMAIL])
    if case.restriction and not allowed:
        allowed = sorted(case.named_officers.filter(is_active=True).values_list("email", flat=True))
    if case.restricted_team and not allowed:
        allowed = sorted(selectors.restricted_team_officers().values_list("email", flat=True))
        if settings.HOMELESSNESS_RESTRICTED_TEAM_EMAIL:
            allowed.append(settings.HOMELESSNESS_RESTRICTED_TEAM_EMAIL)
    return allowed


def deadline_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the officer and their manager of duties ending and reviews due within 7 days, once each."""
    today = today or _today()
    soon = today + dt.timedelta(days=7)
    sent = 0
    cases = Case.objects.filter(
        stage__in=[Stage.PREVENTION, Stage.RELIEF], duty_deadline__lte=soon
    ).select_related("assigned_to__manager")
    for case in cases:
        for email in _staff_recipients(case, _officer_and_manager(case)):
            with transaction.atomic():
                notification_send(
                    template="homelessness/email/deadline",
                    to=email,
                    context={
                        "case": case,
                        "what": "duty ends",
                        "due": case.duty_deadline,
                        "overdue": case.duty_deadline < today,
                    },
                    key=f"homelessness.deadline:{case.pk}:{case.duty_deadline}:{email}",
                )
            sent += 1
    for review in Review.objects.filter(decided_on__isnull=True, due_on__lte=soon).select_related(
        "case__assigned_to__manager"
    ):
        for email in _staff_recipients(review.case, _officer_and_manager(review.case)):
            with transaction.atomic():
                notification_send(
                    template="homelessness/email/deadline",
                    to=email,
                    context={
                        "case": review.case,
                        "what": "review decision due",
                        "due": review.due_on,
                        "overdue": review.due_on < today,
                    },
                    key=f"homelessness.review_due:{review.pk}:{email}",
                )
            sent += 1
    return sent


def add_working_days(moment: dt.datetime, days: int) -> dt.datetime:
    """Saturdays and Sundays do not count (bank holidays are not modelled)."""
    moment = timezone.localtime(moment)
    while days:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def unassigned_escalate(*, now: dt.datetime | None = None) -> int:
    """Cases nobody has picked up within a working day go to the housing managers, once per case."""
    now = now or timezone.now()
    managers = [u.email for u in _housing_managers()] or [settings.HOMELESSNESS_TEAM_EMAIL]
    count = 0
    due = Case.objects.filter(
        assigned_to__isnull=True, escalated_at__isnull=True, created_at__lt=now - dt.timedelta(days=1)
    ).exclude(stage=Stage.CLOSED)
    for pk, created_at in list(due.values_list("pk", "created_at")):
        if add_working_days(created_at, 1) > now:
            continue
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.escalated_at or case.assigned_to_id:
                continue
            recipients = _staff_recipients(case, managers)
            for email in recipients:
                notification_send(
                    template="homelessness/email/unassigned",
                    to=email,
                    context={"case": case},
                    key=f"homelessness.unassigned:{case.pk}:{email}",
                )
            case.escalated_at = now
            case.save(update_fields=["escalated_at"])
            audit_log(actor=None, action="homelessness.case.escalated", obj=case, data={"to": recipients})
        count += 1
    return count


def cases_retention_delete(*, today: dt.date | None = None) -> int:
    """Delete cases closed longer ago than the retention period, unless on legal hold or under review."""
    today = today or _today()
    years = settings.HOMELESSNESS_RETENTION_YEARS
    cutoff = selectors.years_before(today, years)
    due = (
        Case.objects.filter(stage=Stage.CLOSED, closed_on__lt=cutoff, legal_hold=False)
        .exclude(reviews__decided_on__isnull=True, reviews__isnull=False)
        .values_list("pk", flat=True)
    )
    deleted = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(pk=pk).first()
            if case is None or case.legal_hold:
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {RETENTION_SETTING} = 'on'")
            for doc in case.documents.all():
                doc.file.delete(save=False)
            reference = case.reference
            closed_on = case.closed_on
            case.delete()
            with connection.cursor() as cursor:
                # SET LOCAL lasts to the end of the outermost transaction: switch it off again at once.
                cursor.execute(f"SET LOCAL {RETENTION_SETTING} = 'off'")
            audit_log(
                actor=None,
                action="homelessness.case.deleted_by_retention",
                data={"reference": reference, "closed_on": str(closed_on), "retention_years": years},
            )
            deleted += 1
    return deleted
