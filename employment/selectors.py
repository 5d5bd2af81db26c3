"""Hackney Works reads: live listings and search (PostgreSQL full-text search, trigram fallback)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorExact,
    SearchVectorField,
)
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, Count, F, FloatField, Func, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.html import escape

from hackney_portal.core.calendar import business_date

from .models import Opportunity, Synonym
from .search_query import Term, query_parse, query_show, synonym_groups, synonyms_for

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


def pay_rates() -> list[tuple[str, dt.date, int]]:
    """Every pay rate row as (kind, effective_from, pence per hour): a few dozen rows at most."""
    from .models import PayRate

    return list(PayRate.objects.values_list("kind", "effective_from", "pence_per_hour"))


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


def _synonyms() -> dict[str, set[str]]:
    """The moderators' synonym groups (a short list, read once per search)."""
    return synonym_groups((s.term, s.words()) for s in Synonym.objects.all())


def _leaf(text: str, *, negate: bool = False) -> SearchQuery:
    kind = "phrase" if " " in text else "plain"
    return SearchQuery(text, search_type=kind, config="english", invert=negate)


def _any(queries: list) -> SearchQuery:
    out = queries[0]
    for q in queries[1:]:
        out = out | q
    return out


def _term_query(term: Term, synonyms: dict[str, set[str]]):
    """A negated or quoted term stays exactly as typed; a plain word is itself OR any of its synonyms."""
    if term.negate:
        return _leaf(term.text, negate=True)
    if term.phrase:
        return _leaf(term.text)
    return _any([_leaf(t) for t in synonyms_for(term.text, synonyms)])


def build_tsquery(groups: list[list[Term]], synonyms: dict[str, set[str]]):
    """OR of the groups, each the AND of its terms (websearch precedence), synonyms inside each term."""
    ors = []
    for group in groups:
        both = _term_query(group[0], synonyms)
        for term in group[1:]:
            both = both & _term_query(term, synonyms)
        ors.append(both)
    return _any(ors)


MAX_CORRECTED_WORDS = 8


def _correct(groups: list[list[Term]], synonyms: dict[str, set[str]], base: QuerySet) -> list[list[Term]]:
    """Replace only the plain words that match no live listing on their own (with their synonyms) by the
    closest title word: a word that found something is never "corrected". One pass counts every word."""
    words = sorted({t.text for g in groups for t in g if not t.negate and not t.phrase})[:MAX_CORRECTED_WORDS]
    if not words:
        return groups
    hits = base.order_by().aggregate(
        **{
            f"w{i}": Count("id", filter=Q(search_vector=_term_query(Term(w), synonyms)))
            for i, w in enumerate(words)
        }
    )
    fixes = {}
    for i, w in enumerate(words):
        if not hits[f"w{i}"]:
            better = did_you_mean(w)
            if better:
                fixes[w] = better
    if not fixes:
        return groups
    return [
        [Term(fixes[t.text]) if not t.negate and not t.phrase and t.text in fixes else t for t in group]
        for group in groups
    ]


def _expands(groups: list[list[Term]], synonyms: dict[str, set[str]]) -> bool:
    return any(
        len(synonyms_for(t.text, synonyms)) > 1 for g in groups for t in g if not t.negate and not t.phrase
    )


class _TitleVector(Func):
    """Only the title's lexemes (weight A in the trigger), to tell a title match from a body match."""

    template = "ts_filter(%(expressions)s, '{a}')"
    output_field = SearchVectorField()


def did_you_mean(q: str) -> str:
    """The closest word from live titles to one word that found nothing (pg_trgm similarity). The bar is
    0.4: at 0.3, `nurse` became `course`."""
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
            WHERE length(w) > 2 AND similarity(w, %s) >= 0.4 AND w <> %s
            ORDER BY similarity(w, %s) DESC, w LIMIT 1
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


def opportunity_search(
    *, params: dict, page_number: int = 1, today: dt.date | None = None, page_size: int = PAGE_SIZE
) -> SearchResult:
    today = today or business_date()
    qs = live(today)
    q = search_text_normalise(params.get("q") or "")
    fuzzy = False
    suggestion = ""
    strict = None
    if q:
        groups = query_parse(q)
        synonyms = _synonyms()
        query, strict = build_tsquery(groups, synonyms), build_tsquery(groups, {})
        expanded = _expands(groups, synonyms)
        matched = qs.filter(search_vector=query)
        if not matched.exists():
            corrected = _correct(groups, synonyms, base=qs)
            if corrected != groups:
                suggestion = query_show(corrected)
                again = build_tsquery(corrected, synonyms)
                if qs.filter(search_vector=again).exists():
                    query, strict, fuzzy = again, build_tsquery(corrected, {}), True
                    expanded = _expands(corrected, synonyms)
                    matched = qs.filter(search_vector=again)
        qs = matched
    origin = params.get("origin")
    if origin:
        qs = qs.filter(latitude__isnull=False).annotate(
            distance_m=RawSQL(
                "earth_distance(ll_to_earth(%s, %s), ll_to_earth(latitude, longitude))",
                (origin[0], origin[1]),
                output_field=FloatField(),
            )
        )
    if params.get("published_after"):
        qs = qs.filter(published_at__gt=params["published_after"])

    # Each filter as a condition, so that each group's counts can leave out that group's own choice
    # (disjunctive facets): ticking "Job" still says how many apprenticeships there are.
    chosen: dict[str, Q] = {}
    for name in ("kind", "sector", "contract", "hours"):
        values = [v for v in params.get(name, []) if v]
        if values:
            chosen[name] = Q(**{f"{name}__in": values})
    for name, condition in FLAGS.items():
        if params.get(name):
            chosen[name] = condition(today)
    if params.get("posted_within"):
        chosen["posted_within"] = _posted_within(params["posted_within"], today)
    if origin and params.get("distance"):
        chosen["distance"] = _within(params["distance"])
    if params.get("min_pay"):
        chosen["min_pay"] = _min_pay(params["min_pay"])

    def others(name: str) -> Q:
        out = Q()
        for other, condition in chosen.items():
            if other != name:
                out &= condition
        return out

    # The total and every count in one pass over the text matches (sectors, open-ended, in a second).
    aggregates = {"total": Count("id", filter=others(""))}
    for name, choices in FACETS.items():
        for value in choices:
            aggregates[f"{name}:{value}"] = Count("id", filter=others(name) & Q(**{name: value}))
    for name, condition in FLAGS.items():
        aggregates[name] = Count("id", filter=others(name) & condition(today))
    for value in POSTED_WITHIN:
        aggregates[f"posted_within:{value}"] = Count(
            "id", filter=others("posted_within") & _posted_within(value, today)
        )
    for value in MIN_PAY:
        aggregates[f"min_pay:{value}"] = Count("id", filter=others("min_pay") & _min_pay(value))
    if origin:
        for value in DISTANCES:
            aggregates[f"distance:{value}"] = Count("id", filter=others("distance") & _within(value))
    totals = qs.order_by().aggregate(**aggregates)
    counts: dict = {
        name: {v: totals[f"{name}:{v}"] for v in choices if totals[f"{name}:{v}"]}
        for name, choices in FACETS.items()
    }
    counts["sector"] = dict(
        qs.filter(others("sector"))
        .order_by()
        .values_list("sector")
        .annotate(n=Count("id"))
        .values_list("sector", "n")
    )
    for name in FLAGS:
        counts[name] = totals[name]
    for name, values in (("posted_within", POSTED_WITHIN), ("min_pay", MIN_PAY), ("distance", DISTANCES)):
        counts[name] = {v: totals[f"{name}:{v}"] for v in values if f"{name}:{v}" in totals}
    qs = qs.filter(others(""))
    if q:
        # Rank and highlight only now, so the counts above do not compute them for every match.
        # A title that has the words as typed, then a title with a synonym, then the text's own rank
        # (bounded below 1 by normalisation 32, so it only orders within a tier).
        title = _TitleVector(F("search_vector"))
        qs = qs.annotate(
            rank=SearchRank(F("search_vector"), query, normalization=32)
            + Case(
                When(SearchVectorExact(title, strict), then=Value(2.0)),
                # Only when a synonym is in play: otherwise it is the same test again.
                *([When(SearchVectorExact(title, query), then=Value(1.0))] if expanded else []),
                default=Value(0.0),
                output_field=FloatField(),
            ),
            headline=SearchHeadline(
                "summary",
                query,
                config="english",
                start_sel="\x02",
                stop_sel="\x03",
                max_words=35,
                min_words=15,
            ),
            title_headline=SearchHeadline(
                "title", query, config="english", start_sel="\x02", stop_sel="\x03", highlight_all=True
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
    paginator = Paginator(qs, page_size)
    paginator.count = totals["total"]  # known already: saves the paginator its own COUNT(*)
    page = paginator.get_page(page_number)
    for opp in page.object_list:
        if hasattr(opp, "distance_m"):
            opp.distance_miles = opp.distance_m / METRES_PER_MILE
        opp.pay = pay_text(opp)
        if hasattr(opp, "headline"):
            # Escape the employer's text, then turn our markers into <mark>: nothing else becomes markup.
            opp.snippet = _marked(opp.headline)
            opp.title_html = _marked(opp.title_headline)
    return SearchResult(page=page, count=paginator.count, counts=counts, suggestion=suggestion, fuzzy=fuzzy)


def _marked(text: str) -> str:
    return escape(text).replace("\x02", "<mark>").replace("\x03", "</mark>")


FLAGS = {
    "living_wage": lambda today: Q(london_living_wage=True),
    "disability_confident": lambda today: Q(disability_confident=True),
    "no_experience": lambda today: Q(no_experience_needed=True),
    "closing_soon": lambda today: Q(closing_date__lte=today + dt.timedelta(days=7)),
}
POSTED_WITHIN = ["1", "7", "30"]
MIN_PAY = ["20000", "25000", "30000", "40000"]
DISTANCES = ["1", "2", "5", "10", "20"]


def _posted_within(days: str, today: dt.date) -> Q:
    """Published on or after that London date: compared as an instant, so the index column is used as is
    (no time zone conversion for every row in every count)."""
    from zoneinfo import ZoneInfo

    since = dt.datetime.combine(today - dt.timedelta(days=int(days)), dt.time.min, ZoneInfo("Europe/London"))
    return Q(published_at__gte=since)


def _min_pay(pounds: str) -> Q:
    """Top of the pay range at least that much a year; hourly pay over a full-time year. Plain comparisons
    on the stored columns (no per-row arithmetic), so a dozen counts stay cheap."""
    pence = int(pounds) * 100
    per_hour = -(-pence // int(HOURS_PER_YEAR))  # rounded up: at least the yearly figure
    return Q(pay_period="year", pay_max_pence__gte=pence) | Q(pay_period="hour", pay_max_pence__gte=per_hour)


def _within(miles: str) -> Q:
    return Q(distance_m__lte=float(miles) * METRES_PER_MILE)


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


_POSTCODE_OR_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?( ?[0-9][A-Z]{2})?$")


def search_describe(query: str, *, typed_text: bool = True) -> str:
    """A saved search in words, for the emails and pages about it: “chef”, Job, within 2 miles of E8 1EA.

    `typed_text=False` is for the confirmation email, which goes to an address nobody has confirmed yet: it
    must carry nothing the requester typed (the search words, a sector or postcode that is not one), or the
    portal would send anyone's words to anyone (“call 0909…”). Only the portal's own labels are named then."""
    from django.core.exceptions import TooManyFieldsSent

    from hackney_portal.core.hostile import querystring_parse

    try:
        data = querystring_parse(query)
    except TooManyFieldsSent:
        return "your search"
    labels = {
        "kind": dict(Opportunity.Kind.choices),
        "contract": dict(Opportunity.Contract.choices),
        "hours": dict(Opportunity.Hours.choices),
    }
    parts: list[str] = []
    q = search_text_normalise(data.get("q", ""))
    if q:
        parts.append(f"“{q}”" if typed_text else "the words you searched for")
    for name in ("kind", "sector", "contract", "hours"):
        values = data.getlist(name)[:10]
        if name == "sector" and not typed_text:
            if values:
                parts.append("the sectors you chose")
            continue
        for value in values:
            label = labels[name].get(value) if name in labels else value
            if label:
                parts.append(str(label)[:60])
    flags = {
        "living_wage": "London Living Wage or above",
        "disability_confident": "Disability Confident employers",
        "no_experience": "no experience needed",
        "closing_soon": "closing in the next 7 days",
    }
    parts += [label for name, label in flags.items() if data.get(name)]
    if data.get("min_pay", "") in MIN_PAY:
        parts.append(f"£{int(data['min_pay']):,} a year or more")
    postcode = data.get("postcode", "").strip().upper()[:10]
    if data.get("distance", "") in DISTANCES and postcode:
        if not typed_text and not _POSTCODE_OR_DISTRICT.match(postcode):
            postcode = "your postcode"
        parts.append(f"within {data['distance']} mile{'s' if data['distance'] != '1' else ''} of {postcode}")
    return ", ".join(parts) if parts else "all opportunities"


def applications_for_user(*, user) -> QuerySet:
    """A signed-in jobseeker's own applications, newest first (never anyone else's)."""
    from .models import Application

    return Application.objects.filter(user=user).select_related("opportunity").order_by("-created_at")


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
