"""Hackney Works reads: live listings and search (PostgreSQL full-text search, trigram fallback)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.html import escape

from payments.calendar import business_date

from .models import Opportunity, Synonym

HOURS_PER_YEAR = 37.5 * 52
PAGE_SIZE = 20
SORTS = {"relevance": "Relevance", "closing": "Closing date", "newest": "Newest", "distance": "Distance"}
METRES_PER_MILE = 1609.344


def postcode_centroid(postcode: str) -> tuple[float, float] | None:
    from .models import Postcode
    from .services import normalise_postcode

    row = (
        Postcode.objects.filter(postcode=normalise_postcode(postcode))
        .values_list("latitude", "longitude")
        .first()
    )
    return row


def live(today: dt.date | None = None) -> QuerySet[Opportunity]:
    """Published and not past their closing date (the closing date itself is still open, London time)."""
    today = today or business_date()
    return Opportunity.objects.filter(status=Opportunity.Status.PUBLISHED, closing_date__gte=today)


def live_sectors() -> list[str]:
    """The sectors of live listings, for the filter. Cached for a minute: it is the same for everyone and
    reading it means touching every live listing."""
    from django.core.cache import cache

    def read():
        return list(live().order_by("sector").values_list("sector", flat=True).distinct())

    return cache.get_or_set(f"employment:sectors:{business_date()}", read, timeout=60)


def opportunity_for_page(*, pk: int) -> Opportunity:
    """Published listings stay reachable after closing (with a notice); drafts and rejected ones do not."""
    opp = Opportunity.objects.filter(
        pk=pk, status__in=[Opportunity.Status.PUBLISHED, Opportunity.Status.CLOSED]
    ).first()
    if opp is None:
        raise Http404
    return opp


MAX_SEARCH_TERMS = 32
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_WORD = re.compile(r"\w+")


def search_text_normalise(q: str) -> str:
    """The search box's words, quoted phrases, `-word` exclusions and ORs, and nothing else, in a form
    `websearch_to_tsquery` always accepts. Runs of operators (`------`, `OR OR OR`, `!!!`, `&&&`, `:*`)
    are dropped: PostgreSQL answers a long run of them with "tsquery stack too small" (a 500 before), and
    no one means them. At most MAX_SEARCH_TERMS terms, so one query cannot ask for unbounded work."""
    out: list[str] = []
    for token in _TOKEN.findall(q or ""):
        if len(out) >= MAX_SEARCH_TERMS:
            break
        negate = token.startswith("-")
        body = token.lstrip("-")
        if body.lower() == "or" and not negate:
            if out and out[-1] != "or":
                out.append("or")
            continue
        words = _WORD.findall(body.replace("_", " "))
        if not words:
            continue
        if body.startswith('"'):
            term = '"' + " ".join(words) + '"'
            out.append(("-" if negate else "") + term)
        else:
            out.append(("-" if negate else "") + words[0])
            out.extend(words[1:])
    while out and out[-1] == "or":
        out.pop()
    return " ".join(out[:MAX_SEARCH_TERMS])


def _expand_synonyms(q: str) -> str:
    words = {w.lower().strip('"-') for w in q.split()}
    extra: list[str] = []
    for syn in Synonym.objects.all():
        group = {syn.term, *syn.words()}
        if words & group:
            extra += sorted(group - words)
    return " OR ".join(extra)


def did_you_mean(q: str) -> str:
    """The closest word from live titles when a search found nothing (pg_trgm similarity)."""
    word = q.strip().lower()
    if not word or " " in word:
        return ""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT w FROM (
              SELECT DISTINCT unnest(regexp_split_to_array(lower(title), '[^a-z]+')) AS w
              FROM employment_opportunity WHERE status = 'published'
            ) words
            WHERE length(w) > 2 AND similarity(w, %s) > 0.3 AND w <> %s
            ORDER BY similarity(w, %s) DESC LIMIT 1
            """,
            [word, word, word],
        )
        row = cur.fetchone()
    return row[0] if row else ""


@dataclass
class SearchResult:
    page: object
    count: int
    counts: dict = field(default_factory=dict)
    suggestion: str = ""
    fuzzy: bool = False


def opportunity_search(*, params: dict, page_number: int = 1, today: dt.date | None = None) -> SearchResult:
    today = today or business_date()
    qs = live(today).annotate(
        annual_pay_max=Case(
            When(pay_period="hour", then=F("pay_max_pence") * Value(int(HOURS_PER_YEAR))),
            When(pay_period="year", then=F("pay_max_pence")),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    q = search_text_normalise(params.get("q") or "")
    fuzzy = False
    suggestion = ""
    if q:
        query = SearchQuery(q, search_type="websearch", config="english")
        extra = _expand_synonyms(q)
        if extra:
            query = query | SearchQuery(extra, search_type="websearch", config="english")
        matched = qs.filter(search_vector=query)
        if not matched.exists():
            suggestion = did_you_mean(q)
            if suggestion:
                query = SearchQuery(suggestion, search_type="websearch", config="english")
                matched = qs.filter(search_vector=query)
                fuzzy = True
        qs = matched
    for name in ("kind", "sector", "contract", "hours"):
        values = [v for v in params.get(name, []) if v]
        if values:
            qs = qs.filter(**{f"{name}__in": values})
    if params.get("living_wage"):
        qs = qs.filter(london_living_wage=True)
    if params.get("disability_confident"):
        qs = qs.filter(disability_confident=True)
    if params.get("no_experience"):
        qs = qs.filter(no_experience_needed=True)
    if params.get("closing_soon"):
        qs = qs.filter(closing_date__lte=today + dt.timedelta(days=7))
    if params.get("posted_within"):
        qs = qs.filter(published_at__date__gte=today - dt.timedelta(days=int(params["posted_within"])))
    origin = params.get("origin")
    if origin:
        qs = qs.filter(latitude__isnull=False).annotate(
            distance_m=RawSQL(
                "earth_distance(ll_to_earth(%s, %s), ll_to_earth(latitude, longitude))",
                (origin[0], origin[1]),
                output_field=FloatField(),
            )
        )
        if params.get("distance"):
            qs = qs.filter(distance_m__lte=float(params["distance"]) * METRES_PER_MILE)
    if params.get("published_after"):
        qs = qs.filter(published_at__gt=params["published_after"])
    if params.get("min_pay"):
        qs = qs.filter(annual_pay_max__gte=int(params["min_pay"]) * 100)

    # Every filter's counts and the total in one pass over the matches (sectors, open-ended, in a second).
    flags = {
        "living_wage": Q(london_living_wage=True),
        "disability_confident": Q(disability_confident=True),
        "no_experience": Q(no_experience_needed=True),
    }
    aggregates = {"total": Count("id")}
    for name, choices in FACETS.items():
        for value in choices:
            aggregates[f"{name}:{value}"] = Count("id", filter=Q(**{name: value}))
    for name, condition in flags.items():
        aggregates[name] = Count("id", filter=condition)
    totals = qs.order_by().aggregate(**aggregates)
    counts = {
        name: {v: totals[f"{name}:{v}"] for v in choices if totals[f"{name}:{v}"]}
        for name, choices in FACETS.items()
    }
    counts["sector"] = dict(
        qs.order_by().values_list("sector").annotate(n=Count("id")).values_list("sector", "n")
    )
    for name in flags:
        counts[name] = totals[name]
    if q:
        # Rank and highlight only now, so the counts above do not compute them for every match.
        qs = qs.annotate(
            rank=SearchRank(F("search_vector"), query),
            headline=SearchHeadline(
                "summary",
                query,
                config="english",
                start_sel="\x02",
                stop_sel="\x03",
                max_words=35,
                min_words=15,
            ),
        )

    sort = params.get("sort") or ("relevance" if q else "newest")
    if sort == "relevance" and q:
        qs = qs.order_by("-rank", "-published_at", "-id")
    elif sort == "distance" and origin:
        qs = qs.order_by("distance_m", "-id")
    elif sort == "closing":
        qs = qs.order_by("closing_date", "-id")
    else:
        qs = qs.order_by("-published_at", "-id")
    paginator = Paginator(qs, PAGE_SIZE)
    paginator.count = totals["total"]  # known already: saves the paginator its own COUNT(*)
    page = paginator.get_page(page_number)
    for opp in page.object_list:
        if hasattr(opp, "distance_m"):
            opp.distance_miles = opp.distance_m / METRES_PER_MILE
        if hasattr(opp, "headline"):
            # Escape the employer's text, then turn our markers into <mark>: nothing else becomes markup.
            opp.snippet = escape(opp.headline).replace("\x02", "<mark>").replace("\x03", "</mark>")
    return SearchResult(page=page, count=paginator.count, counts=counts, suggestion=suggestion, fuzzy=fuzzy)


FACETS = {
    "kind": Opportunity.Kind.values,
    "contract": Opportunity.Contract.values,
    "hours": Opportunity.Hours.values,
}


def pay_text(opp: Opportunity) -> str:
    if opp.pay_period == Opportunity.PayPeriod.NONE or not opp.pay_max_pence:
        return "Unpaid"

    def money(p: int) -> str:
        return f"£{p / 100:,.2f}" if opp.pay_period == "hour" else f"£{p // 100:,}"

    period = opp.get_pay_period_display()
    if opp.pay_min_pence and opp.pay_min_pence != opp.pay_max_pence:
        return f"{money(opp.pay_min_pence)} to {money(opp.pay_max_pence)} {period}"
    return f"{money(opp.pay_max_pence)} {period}"


APPLICATION_NEWS_DAYS = 28
APPLICATION_NEWS = {
    "shortlisted": "You have been shortlisted. The employer will contact you about the next step.",
    "unsuccessful": "Your application was not successful this time.",
    "hired": "You got the job. The employer will contact you.",
}


def resident_summary(*, user, now: dt.datetime | None = None):
    """Your Hackney: the resident's job applications (with any news from the last four weeks), saved
    jobs and job alerts. None when they have used none of these."""
    from django.urls import reverse
    from django.utils import timezone

    from hackney_portal.core.models import AuditEvent
    from hackney_portal.core.resident import ResidentSummary, ResidentTask

    from .models import Application, SavedListing, SavedSearch

    applications = list(Application.objects.filter(user=user).select_related("opportunity"))
    saved = SavedListing.objects.filter(user=user).count()
    alerts = SavedSearch.objects.filter(
        user=user, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).count()
    if not (applications or saved or alerts):
        return None
    since = (now or timezone.now()) - dt.timedelta(days=APPLICATION_NEWS_DAYS)
    changed = set(
        AuditEvent.objects.filter(
            object_type="employment.application",
            object_id__in=[str(a.pk) for a in applications],
            action__in=[f"employment.application.{s}" for s in APPLICATION_NEWS],
            created_at__gte=since,
        ).values_list("object_id", flat=True)
    )
    rows, tasks = [], []
    for application in applications:
        job_url = reverse("employment:detail", args=[application.opportunity_id])
        rows.append((application.opportunity.title, application.get_status_display(), job_url))
        if str(application.pk) in changed and application.status in APPLICATION_NEWS:
            tasks.append(
                ResidentTask(
                    text=f"News about your application for {application.opportunity.title}: "
                    f"{APPLICATION_NEWS[application.status]}",
                    action_text="See the job",
                    url=job_url,
                )
            )
    links = [("Search for jobs and training", reverse("employment:search"))]
    if saved:
        rows.append(("Saved jobs", str(saved), reverse("employment:saved")))
    if alerts:
        rows.append(("Job alerts", f"{alerts} by email", ""))
    return ResidentSummary(
        service="Find work and training",
        url=reverse("employment:search"),
        rows=rows,
        links=links,
        tasks=tasks,
    )


def account_settings_rows(*, user):
    """Account settings: the resident's job alerts, each with a link that stops it."""
    from django.urls import reverse

    from hackney_portal.core.resident import SettingsRow

    from .models import SavedSearch

    alerts = SavedSearch.objects.filter(user=user, unsubscribed_at__isnull=True).order_by("created_at")
    rows = [
        SettingsRow(
            key="Job alert",
            value=f"{alert.get_frequency_display()} email: {alert.query or 'all jobs'}"
            + ("" if alert.confirmed_at else " (not confirmed yet)"),
            url=reverse("employment:alert_unsubscribe", args=[alert.token]),
            action_text="Stop",
        )
        for alert in alerts
    ]
    return rows or [
        SettingsRow(key="Job alerts", value="None", url=reverse("employment:search"), action_text="Set up")
    ]
