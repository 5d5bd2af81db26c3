"""Reads for homelessness: who may see which case, the officers' queues, and the applicant's status page."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote, quote_plus

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.db.models.lookups import Regex
from django.utils import timezone

from hackney_portal.core.models import AuditEvent, Notification
from hackney_portal.frontend.formatting import long_date
from hackney_portal.users import roles

from .models import Case, Code, CodeList, DecisionLetter, DocumentRequest, Review
from .rules import Stage

NEXT_STEP = {
    Stage.RECEIVED: (
        "A housing officer will look at your application and contact you, usually within one working day."
    ),
    Stage.TRIAGE: (
        "Your housing officer is looking at your situation and will contact you to arrange an assessment."
    ),
    Stage.ASSESSMENT: (
        "Your housing officer is assessing your situation and will agree a personalised housing plan "
        "with you."
    ),
    Stage.PREVENTION: (
        "We are working with you to stop you becoming homeless. "
        "Do the steps in your plan and tell us about any change."
    ),
    Stage.RELIEF: (
        "We are working with you to help you find somewhere to live. "
        "Do the steps in your plan and tell us about any change."
    ),
    Stage.MAIN_DUTY_DECISION: (
        "We are deciding whether we owe you the main housing duty. We will write to you."
    ),
    Stage.MAIN_DUTY: "We will provide temporary accommodation until we can offer you a settled home.",
    Stage.CLOSED: "Your case is closed. Contact us if your situation changes.",
}


def code_choices(name: str, *, blank: str | None = None) -> list[tuple[str, str]]:
    """Choices from the newest version of an H-CLIC code list, in one statement (the check-answers page
    reads four lists; reading each list's version first made that eight)."""
    return ([("", blank)] if blank is not None else []) + code_lists(name)[name]


def code_lists(*names: str) -> dict[str, list[tuple[str, str]]]:
    """The choices of each named code list, its newest version, all in one statement: a form with four
    lists (the officer's assessment) read them one statement each."""
    newest = CodeList.objects.filter(name__in=names).order_by("name", "-valid_from").distinct("name")
    out: dict[str, list[tuple[str, str]]] = {name: [] for name in names}
    rows = (
        Code.objects.filter(code_list__in=newest.values("pk"))
        .order_by("position", "pk")
        .values_list("code_list__name", "code", "label")
    )
    for name, code, label in rows:
        out[name].append((code, label))
    return out


def code_label(name: str, code: str) -> str:
    row = Code.objects.filter(code_list__name=name, code=code).order_by("-code_list__valid_from").first()
    return row.label if row else code


def restricted_team_name() -> str:
    return settings.HOMELESSNESS_RESTRICTED_TEAM


def in_restricted_team(user) -> bool:
    """In the restricted-cases team: a member of its group who is also housing staff."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not roles.user_in_group(user, roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS):
        return False
    return restricted_team_name() in roles.group_names(user)


def restricted_team_alert(user) -> tuple[int, int]:
    """For a member of the restricted-cases team: how many urgent team cases nobody has assessed yet, and
    how many of those are theirs (one query). (0, 0) for anyone else: they may not know these exist."""
    if not in_restricted_team(user):
        return 0, 0
    waiting = Case.objects.filter(
        restricted_team=True, urgent=True, stage__in=[Stage.RECEIVED, Stage.TRIAGE]
    ).aggregate(all=Count("pk"), mine=Count("pk", filter=Q(assigned_to=user)))
    return waiting["all"], waiting["mine"]


def restricted_team_officers() -> QuerySet:
    """The team's officers who can take a case now: active, in the team and in a housing group."""
    users = get_user_model().objects.filter(is_active=True)
    housing = users.filter(groups__name__in=[roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS]).values("pk")
    return users.filter(groups__name=restricted_team_name()).filter(pk__in=housing)


def restricted_team_loads(officer_ids: list[int]) -> dict[int, tuple[int, dt.datetime | None]]:
    """For each officer: how many open cases they hold, and when they were last given one."""
    rows = (
        Case.objects.filter(assigned_to_id__in=officer_ids)
        .values("assigned_to_id")
        .annotate(open=Count("pk", filter=~Q(stage=Stage.CLOSED)), last=Max("assigned_at"))
    )
    return {row["assigned_to_id"]: (row["open"], row["last"]) for row in rows}


def _can_see_restricted(user) -> Q:
    """The restricted cases this person may see: those naming them, and the team's if they are in it."""
    named = Case.named_officers.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
    condition = Q(Exists(named))
    if in_restricted_team(user):
        condition |= Q(restricted_team=True)
    return condition


def cases_visible_to(user) -> QuerySet[Case]:
    """What an officer may see: housing groups only; restricted cases only by the officers named on them
    and, for cases routed to the restricted-cases team, by the team's members."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if not (user.is_superuser or roles.user_in_group(user, roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS)):
        return Case.objects.none()
    return Case.objects.filter(Q(restriction="") | _can_see_restricted(user))


def restricted_cases_hidden_from(user) -> QuerySet[Case]:
    """Restricted cases this person may not see: every output (lists, files, logs, emails) leaves
    them out. The rule holds for administrators too, as in `cases_visible_to`."""
    restricted = Case.objects.exclude(restriction="")
    if not getattr(user, "is_authenticated", False):
        return restricted
    return restricted.exclude(_can_see_restricted(user))


def restricted_case_recipients(case: Case, emails: list[str]) -> list[str]:
    """Of the staff a message about this case would go to, those who may read it: all of them for an
    ordinary case, only those named on a restricted one (and the team, for a case routed to it)."""
    if not case.restriction:
        return emails
    named = {e.lower() for e in case.named_officers.filter(is_active=True).values_list("email", flat=True)}
    if case.restricted_team:
        named |= {e.lower() for e in restricted_team_officers().values_list("email", flat=True)}
        if settings.HOMELESSNESS_RESTRICTED_TEAM_EMAIL:
            named.add(settings.HOMELESSNESS_RESTRICTED_TEAM_EMAIL.lower())
    return [e for e in emails if e.lower() in named]


def _alternation(values) -> str:
    return "|".join(re.escape(str(v)) for v in values)


RETENTION_DELETED = "homelessness.case.deleted_by_retention"


def _as_id(text) -> SqlCase:
    """Text holding an id as a number, so the id index answers; NULL for any other text. A bare cast could
    fail on another row's text: PostgreSQL may evaluate the conditions around it in any order."""
    return SqlCase(
        When(Regex(text, r"^[0-9]{1,18}$"), then=Cast(text, BigIntegerField())),
        default=None,
        output_field=BigIntegerField(),
    )


def _deleted_restricted_references() -> list[str]:
    """The references of deleted cases that were restricted, from the retention job's rows. Its rows from
    before it recorded that count as restricted: whether they were is no longer known."""
    rows = AuditEvent.objects.filter(action=RETENTION_DELETED).filter(
        Q(data__restricted=True) | ~Q(data__has_key="restricted")
    )
    return [ref for ref in rows.values_list("data__reference", flat=True) if isinstance(ref, str) and ref]


def _about_deleted_cases() -> Q:
    """Audit rows about a case that no longer exists. Nobody is named on it any more, and whether it was
    restricted went with it, so these are hidden from everyone, administrators too (as for a restricted
    case they are not named on), like the cases the H-CLIC download withholds (`hclic.withheld`)."""
    denied_id = KeyTextTransform("case_id", OuterRef("data"))
    return (
        (Q(object_type="homelessness.case") & ~Exists(Case.objects.filter(pk=_as_id(OuterRef("object_id")))))
        # Every row of the retention job names a deleted case (its earliest rows only by reference).
        | Q(action=RETENTION_DELETED)
        # A refusal of an id that never was a case stays visible: it says nothing about a case.
        | (
            Q(action="homelessness.case.access_denied")
            & ~Exists(Case.objects.filter(pk=_as_id(denied_id)))
            & Exists(AuditEvent.objects.filter(object_type="homelessness.case", object_id=denied_id))
        )
    )


def audit_events_scope(user, qs: QuerySet) -> QuerySet:
    """Audit rows about a restricted case, for anyone not named on it: the rows on the case itself (its
    flags, named officers, moves), refusals to open it, and case lists or searches that showed its
    reference or searched for its reference or name. Rows about a deleted case, for everyone; lists and
    searches only by a deleted restricted case's reference (its name went with it). A person's own rows
    stay visible to them: they show only what that person typed or was shown, and hiding them would tell an
    outsider a guess was right."""
    hidden = list(restricted_cases_hidden_from(user).values_list("pk", "reference", "applicant_name"))
    ids = [str(pk) for pk, _, _ in hidden]
    refs = [ref for _, ref, _ in hidden] + _deleted_restricted_references()
    terms = [*refs]
    for _, _, name in hidden:
        if name.strip():
            terms += [quote_plus(name.strip()), quote(name.strip())]
    about = _about_deleted_cases()
    if ids:
        about |= Q(object_type="homelessness.case", object_id__in=ids) | Q(
            action="homelessness.case.access_denied", data__case_id__in=ids
        )
    if refs:
        about |= Q(action="homelessness.case.listed", data__references__has_any_keys=refs) | Q(
            action="homelessness.case.listed", data__query__iregex=_alternation(terms)
        )
    mine = Q(actor_id=user.pk) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    return qs.exclude(about & ~mine)


_CASE_KEYED = "received|referral_ack|stage|referral_outcome|deadline|unassigned|restricted_alert"
# What each kind of homelessness message key names, by its first id.
_KEYED_BY = (
    (Case, _CASE_KEYED),
    (DecisionLetter, "letter"),
    (DocumentRequest, "docreq"),
    (Review, "review_due"),
)


def _notification_keys(case_ids: list) -> str:
    """A pattern matching the keys of every message about these cases: each key names the case, or a
    letter, request or review of it (those ids are read now)."""
    patterns = [rf"^homelessness\.({_CASE_KEYED}):({_alternation(case_ids)})(:|$)"]
    for model, kind in _KEYED_BY[1:]:
        pks = list(model.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))
        if pks:
            patterns.append(rf"^homelessness\.{kind}:({_alternation(pks)})(:|$)")
    return "|".join(f"({p})" for p in patterns)


def _messages_about_deleted_cases() -> Q:
    """Messages whose key names a case, letter, request or review that no longer exists: about a deleted
    case, restricted or not (that is no longer known), so hidden from everyone."""
    gone = Q(pk__in=[])
    for model, kinds in _KEYED_BY:
        pattern = rf"^homelessness\.(?:{kinds}):([0-9]{{1,18}})(?::|$)"
        # substring() gives the first bracketed group: only digits, so the cast cannot fail.
        named = Cast(Func(OuterRef("key"), Value(pattern), function="substring"), BigIntegerField())
        gone |= Q(key__regex=pattern) & ~Exists(model.objects.filter(pk=named))
    return gone


def notifications_scope(user, qs: QuerySet) -> QuerySet:
    """Messages about a restricted case (to the applicant, the referrer or staff) for anyone not named
    on it, and messages about a deleted case for everyone."""
    qs = qs.exclude(_messages_about_deleted_cases())
    case_ids = list(restricted_cases_hidden_from(user).values_list("pk", flat=True))
    if not case_ids:
        return qs
    return qs.exclude(key__regex=_notification_keys(case_ids))


def notifications_about_cases(case_ids: list[int]) -> QuerySet[Notification]:
    """Every message about these cases. Which they are is worked out now, so the set still holds them once
    the cases (and their letters and requests) are deleted."""
    return Notification.objects.filter(key__regex=_notification_keys(case_ids))


def cases_for_resident(user) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(applicant=user)


def case_for_applicant(*, user, reference: str, session_refs: list[str]) -> Case | None:
    """The applicant's own case: linked to their account, or opened from the link in their email."""
    case = Case.objects.filter(reference=reference).first()
    if case is None:
        return None
    if user.is_authenticated and case.applicant_id == user.pk:
        return case
    if reference in session_refs:
        return case
    return None


class _IdIn(Func):
    """`id = ANY(%s)` with the ids as one array parameter: the OR below stays two index reads (a BitmapOr),
    and the case list, which the admin clones a dozen times a page, carries no subquery to copy (as an
    EXISTS it cost the page 6 ms of Python, three times its SQL)."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


def _due(duty: Q, reviews: QuerySet[Review]) -> Q:
    """Cases due by their duty (`duty`) or by an open review among `reviews`. With no review due, which is
    the usual day, the duty half alone: PostgreSQL then reads the deadline indexes in order and stops at the
    page's rows and the count's cap, where an OR first builds a bitmap of every case due."""
    ids = list(reviews.values_list("case_id", flat=True).distinct().order_by())
    if not ids:
        return duty
    return duty | Q(_IdIn(F("pk"), Value(ids, output_field=ArrayField(BigIntegerField()))))


# The condition of the `case_duty_deadline` partial index, word for word, so PostgreSQL reads it alone.
_OPEN_DUTY = Q(stage__in=[Stage.PREVENTION, Stage.RELIEF])


def queue(qs: QuerySet[Case], name: str, *, user, today: dt.date | None = None) -> QuerySet[Case]:
    today = today or timezone.localdate()
    open_reviews = Review.objects.filter(decided_on__isnull=True)
    if name == "new":
        return qs.filter(assigned_to__isnull=True).exclude(stage=Stage.CLOSED)
    if name == "mine":
        return qs.filter(assigned_to=user).exclude(stage=Stage.CLOSED)
    if name == "urgent":
        return qs.filter(urgent=True).exclude(stage=Stage.CLOSED)
    if name == "team":
        # The restricted-cases team's own queue (only its members can see these cases at all).
        return qs.filter(restricted_team=True).exclude(stage=Stage.CLOSED)
    # A case is due by its duty deadline or by an open review. With the reviews as EXISTS PostgreSQL scanned
    # every case and asked about its reviews one by one; with the reviewed cases' ids read first (open reviews
    # are few) both halves of the OR come from indexes, so only the cases due are read.
    if name == "due7":
        soon = today + dt.timedelta(days=7)
        return qs.filter(
            _due(
                Q(_OPEN_DUTY, duty_deadline__gte=today, duty_deadline__lte=soon),
                open_reviews.filter(due_on__gte=today, due_on__lte=soon),
            )
        )
    if name == "overdue":
        return qs.filter(_due(Q(_OPEN_DUTY, duty_deadline__lt=today), open_reviews.filter(due_on__lt=today)))
    return qs


def confirmation_emailed(case: Case) -> bool:
    """Whether the "application received" email went out: it is held when they said email is not safe,
    and the page must not then say it was sent (nor show the address)."""
    return case.messages.filter(template="homelessness/email/received", held_reason="").exists()


def days_left(case: Case, today: dt.date | None = None) -> int | None:
    if case.duty_deadline is None or case.stage not in (Stage.PREVENTION, Stage.RELIEF):
        return None
    return (case.duty_deadline - (today or timezone.localdate())).days


def status_summary(case: Case) -> dict:
    """What the applicant sees: stage, next step, named contact, their plan and what we asked them for."""
    officer = case.assigned_to
    return {
        "stage": case.get_stage_display().split(" (")[0],
        "next_step": NEXT_STEP[Stage(case.stage)],
        "contact": (officer.name or "Your housing officer") if officer else "The housing advice team",
        "duty_deadline": case.duty_deadline if case.stage in (Stage.PREVENTION, Stage.RELIEF) else None,
        "my_steps": list(case.plan_steps.filter(owner="applicant")),
        "council_steps": list(case.plan_steps.filter(owner="council")),
        "requests": list(case.document_requests.prefetch_related("documents")),
        "letters": list(case.letters.all()),
        "retention": retention_summary(case),
    }


def letters_held(case: Case) -> set[int]:
    """The ids of the case's letters whose message was held: the applicant has not been told by it, so the 21
    days to ask for a review have not begun (s.202(3))."""
    keys = case.messages.filter(
        Q(held_reason__gt="") | Q(notification__status=Notification.Status.HELD),
        notification__key__startswith="homelessness.letter:",
    ).values_list("notification__key", flat=True)
    return {int(ref) for ref in (key.rsplit(":", 1)[1] for key in keys) if ref.isdigit()}


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def retention_date(case: Case) -> dt.date | None:
    """The first day the retention job may delete the case: the retention period after it closed. None
    while it is open (the period has not started)."""
    if case.closed_on is None:
        return None
    years = settings.HOMELESSNESS_RETENTION_YEARS
    try:
        return case.closed_on.replace(year=case.closed_on.year + years) + dt.timedelta(days=1)
    except ValueError:  # closed on 29 February
        return case.closed_on.replace(year=case.closed_on.year + years, day=28) + dt.timedelta(days=1)


def retention_summary(case: Case) -> str:
    """The case's retention in plain words, for everyone who can see the case."""
    years = settings.HOMELESSNESS_RETENTION_YEARS
    if case.legal_hold:
        return "On legal hold: kept until a manager lifts the hold"
    held_by_review = case.reviews.filter(decided_on__isnull=True).exists()
    when = retention_date(case)
    if when is None:
        text = f"Kept while open, then for {years} years after the case closes"
    else:
        text = f"Kept until {long_date(when)} ({years} years after it closed), then deleted"
    if held_by_review:
        text += "; not deleted while a review is open"
    return text


def resident_summary(*, user, today: dt.date | None = None):
    """Your Hackney: the resident's own housing cases (where each is up to), the documents the housing team
    asked for and their own housing plan steps. None when they have no case. Each case shown is audited."""
    from django.urls import reverse
    from django.utils.dateformat import format as date_format

    from hackney_portal.core.resident import ResidentSummary, ResidentTask

    from .models import PlanStep

    cases = list(cases_for_resident(user).order_by("-created_at"))
    if not cases:
        return None
    today = today or timezone.localdate()
    rows, tasks = [], []
    for case in cases:
        case_url = reverse("homelessness:case", args=[case.reference])
        rows.append((f"Application {case.reference}", case.get_stage_display().split(" (")[0], case_url))
        if case.stage == Stage.CLOSED:
            continue
        for request in case.document_requests.filter(answered_at__isnull=True):
            tasks.append(
                ResidentTask(
                    text=f"Your housing officer asked you for: {request.description}. "
                    f"Send it by {date_format(request.due_on, 'l j F Y')}.",
                    action_text="Send a document",
                    url=case_url,
                    due_on=request.due_on,
                    urgent=request.due_on < today,
                )
            )
        for step in case.plan_steps.filter(owner=PlanStep.Owner.APPLICANT, done_at__isnull=True):
            tasks.append(
                ResidentTask(
                    text=f"Your housing plan says: {step.text}. "
                    f"Do this by {date_format(step.due_on, 'l j F Y')}.",
                    action_text="See your housing plan",
                    url=case_url,
                    due_on=step.due_on,
                    urgent=step.due_on < today,
                )
            )
    return ResidentSummary(
        service="Get help with housing",
        url=reverse("homelessness:my_cases"),
        rows=rows,
        links=[("Your housing applications", reverse("homelessness:my_cases"))],
        tasks=tasks,
        audit=[("homelessness.case.shown_to_applicant", case) for case in cases],
    )
