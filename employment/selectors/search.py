"""Hackney Works reads: search (PostgreSQL full-text search, trigram fallback) and its facets."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorExact,
    SearchVectorField,
)
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, F, FloatField, Func, Q, QuerySet, Value, When

from hackney_portal.core.calendar import business_date

from ..models import Opportunity, Synonym
from ..search_query import Term, query_parse, query_show, synonym_groups, synonyms_for
from .listings import live
from .search_sql import (
    CANDIDATE_CAP,
    COLUMNS,
    METRES_PER_MILE,
    Condition,
    Window,
    both,
    bounding_box,
    count_text,
    distance_m,
    page_number_clean,
    page_rows,
    search_run,
)

HOURS_PER_YEAR = 37.5 * 52
PAGE_SIZE = 20
SORTS = {"relevance": "Relevance", "closing": "Closing date", "newest": "Newest", "distance": "Distance"}


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
    while out and out[-1].lower() == "or":
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
    closest title word: a word that found something is never "corrected". Each word is looked up alone."""
    words = sorted({t.text for g in groups for t in g if not t.negate and not t.phrase})[:MAX_CORRECTED_WORDS]
    if not words:
        return groups
    fixes = _corrections(words, synonyms, base)
    if not fixes:
        return groups
    return [
        [Term(fixes[t.text]) if not t.negate and not t.phrase and t.text in fixes else t for t in group]
        for group in groups
    ]


def _corrections(words: list[str], synonyms: dict[str, set[str]], base: QuerySet) -> dict[str, str]:
    """For each word that matches no listing of `base` alone (with its synonyms), the closest word of a title
    in `base` (pg_trgm similarity), in one statement for all the words.

    Each word is an indexed EXISTS, and only a word that found nothing looks in `TitleWord` (CASE evaluates
    its branch lazily), where the five closest words by trigram index are tried in order and the first that
    is a whole word of a title in `base` wins (the trigram index finds the titles, the pattern the word's
    edges). The bar is 0.4: at 0.3, `nurse` became `course`. One statement because a search of eight
    misspelt words was sixteen before (an EXISTS and a look-up a word, the EXISTS built through the ORM).
    A count of every live listing for each word, or a split of every live title, read them all (0.1 s a
    word at 100,000 listings)."""
    query = base.query
    compiler = query.get_compiler(connection=connection)
    live_sql, live_params = compiler.compile(query.where)
    table = connection.ops.quote_name(Opportunity._meta.db_table)
    columns, params = [], []
    for word in words:
        # The word's own tsquery, exactly as the search builds it (synonyms and all), as a constant in the
        # statement: the planner then knows a rare word is rare and reads the search index. (With the words
        # in a VALUES list joined to it, it could not, and read all 100,000 listings for each word.)
        term = _term_query(Term(word), synonyms).resolve_expression(query)
        tsquery, tsquery_params = compiler.compile(term)
        # Every value is a parameter; the SQL is the ORM's own compiled live() and tsquery.
        columns.append(
            f"""CASE WHEN NOT EXISTS (
                SELECT 1 FROM {table} WHERE {live_sql} AND {table}."search_vector" @@ ({tsquery})
            ) THEN (
                SELECT c.word FROM (
                    SELECT tw.word, similarity(tw.word, %s) AS closeness FROM employment_titleword tw
                    WHERE tw.word %% %s AND similarity(tw.word, %s) >= 0.4 AND tw.word <> %s
                    ORDER BY closeness DESC, tw.word LIMIT 5
                ) c
                WHERE EXISTS (
                    SELECT 1 FROM {table} WHERE {live_sql}
                    AND {table}."title" ILIKE '%%' || c.word || '%%'
                    AND lower({table}."title") ~ ('(^|[^a-z])' || c.word || '([^a-z]|$)')
                )
                ORDER BY c.closeness DESC, c.word LIMIT 1
            ) END"""  # noqa: S608  # nosec B608
        )
        params += [*live_params, *tsquery_params, word, word, word, word, *live_params]
    statement = "SELECT " + ", ".join(columns)
    with connection.cursor() as cur:
        cur.execute(statement, params)
        return {word: better for word, better in zip(words, cur.fetchone(), strict=True) if better}


def _expands(groups: list[list[Term]], synonyms: dict[str, set[str]]) -> bool:
    return any(
        len(synonyms_for(t.text, synonyms)) > 1 for g in groups for t in g if not t.negate and not t.phrase
    )


class _TitleVector(Func):
    """Only the title's lexemes (weight A in the trigger), to tell a title match from a body match."""

    template = "ts_filter(%(expressions)s, '{a}')"
    output_field = SearchVectorField()


@dataclass
class SearchResult:
    page: object
    count: int
    counts: dict = field(default_factory=dict)
    suggestion: str = ""
    fuzzy: bool = False
    capped: bool = False  # more matches than CANDIDATE_CAP: the count and filter counts are lower bounds
    cap: int = 0

    @property
    def more_than(self) -> str:
        return f"{self.cap:,}"


def _rank(query, strict, expanded: bool):
    """A title that has the words as typed, then a title with a synonym, then the text's own rank
    (bounded below 1 by normalisation 32, so it only orders within a tier)."""
    title = _TitleVector(F("search_vector"))
    return SearchRank(F("search_vector"), query, normalization=32) + Case(
        When(SearchVectorExact(title, strict), then=Value(2.0)),
        # Only when a synonym is in play: otherwise it is the same test again.
        *([When(SearchVectorExact(title, query), then=Value(1.0))] if expanded else []),
        default=Value(0.0),
        output_field=FloatField(),
    )


def opportunity_search(
    *, params: dict, page_number: int = 1, today: dt.date | None = None, page_size: int = PAGE_SIZE
) -> SearchResult:
    """One statement for the matches, every count and the page's ids, then one for the page's rows. A
    search that matched nothing tries the closest title words (did you mean), and only then."""
    today = today or business_date()
    base = live(today)
    q = search_text_normalise(params.get("q") or "")
    # A box holding only operators (":OR", "-") parses to no terms: that is the same as an empty box.
    if q and not query_parse(q):
        q = ""
    origin = params.get("origin")
    sort = params.get("sort") or ("relevance" if q else "newest")
    if (sort == "relevance" and not q) or (sort == "distance" and not origin):
        sort = "newest"
    plan = _plan(params, today=today, origin=origin)
    qs = base
    if origin:
        qs = qs.filter(latitude__isnull=False).annotate(distance_m=distance_m(origin))
        if params.get("distance"):
            # With a distance chosen, nothing beyond the widest choice is counted or shown.
            qs = qs.filter(bounding_box(origin, max(float(d) for d in DISTANCES)))
    if params.get("published_after"):
        qs = qs.filter(published_at__gt=params["published_after"])
    columns = list(COLUMNS) + (["distance_m"] if origin else [])

    def run(number: int, text=None):
        candidates, cols = qs, columns
        if text:
            query, strict, expanded = text
            candidates = qs.filter(search_vector=query).annotate(rank=_rank(query, strict, expanded))
            cols = [*columns, "rank"]
        return search_run(
            candidates=candidates,
            columns=cols,
            sort=sort,
            counts=plan["counts"],
            sector_filter=plan["sector"],
            page_filter=plan["page"],
            limit=page_size,
            offset=(number - 1) * page_size,
        )

    number = page_number_clean(page_number)
    suggestion, fuzzy, text = "", False, None
    if q:
        groups, synonyms = query_parse(q), _synonyms()
        text = _text(groups, synonyms)
        found = run(number, text)
        if not found.candidates:
            corrected = _correct(groups, synonyms, base=base)
            if corrected != groups:
                suggestion = query_show(corrected)
                again = run(number, _text(corrected, synonyms))
                if again.candidates:
                    found, text, fuzzy = again, _text(corrected, synonyms), True
    else:
        found = run(number)
    total = found.counts["total"]
    last = max(1, -(-min(total, CANDIDATE_CAP) // page_size))
    if number > last:  # past the end: the last page, as Paginator.get_page would give
        number = last
        found = run(number, text)
    rows = page_rows(found.ids, query=text[0] if text else None, origin=origin)
    paginator = Paginator(Window(rows, offset=(number - 1) * page_size), page_size)
    paginator.count = min(total, CANDIDATE_CAP)  # known already: saves the paginator its own COUNT(*)
    return SearchResult(
        page=paginator.get_page(number),
        count=total,
        counts=_shown(found, origin=origin),
        suggestion=suggestion,
        fuzzy=fuzzy,
        capped=found.capped,
        cap=CANDIDATE_CAP,
    )


def _text(groups: list[list[Term]], synonyms: dict[str, set[str]]):
    """(the query with synonyms, the query as typed, whether a synonym is in play)."""
    return build_tsquery(groups, synonyms), build_tsquery(groups, {}), _expands(groups, synonyms)


def _plan(params: dict, *, today: dt.date, origin) -> dict:
    """Each chosen filter as a condition over the candidates, and each count's condition. Within a group
    the counts leave out that group's own choice (disjunctive facets): ticking "Job" still says how many
    apprenticeships there are."""
    chosen: dict[str, Condition] = {}
    for name in ("kind", "sector", "contract", "hours"):
        values = [str(v) for v in params.get(name, []) if v]
        if values:
            chosen[name] = (f"{name} = ANY(%s)", [values])
    for name, condition in FLAG_SQL.items():
        if params.get(name):
            chosen[name] = condition(today)
    if params.get("posted_within"):
        chosen["posted_within"] = _posted_within(params["posted_within"], today)
    if origin and params.get("distance"):
        chosen["distance"] = _within(params["distance"])
    if params.get("min_pay"):
        chosen["min_pay"] = _min_pay(params["min_pay"])

    def others(name: str) -> Condition:
        return both([c for other, c in chosen.items() if other != name])

    counts: dict[str, Condition] = {"total": others("")}
    for name, choices in FACETS.items():
        for value in choices:
            counts[f"{name}:{value}"] = both([others(name), (f"{name} = %s", [value])])
    for name, condition in FLAG_SQL.items():
        counts[name] = both([others(name), condition(today)])
    for value in POSTED_WITHIN:
        counts[f"posted_within:{value}"] = both([others("posted_within"), _posted_within(value, today)])
    for value in MIN_PAY:
        counts[f"min_pay:{value}"] = both([others("min_pay"), _min_pay(value)])
    if origin:
        for value in DISTANCES:
            counts[f"distance:{value}"] = both([others("distance"), _within(value)])
    return {"counts": counts, "sector": others("sector"), "page": others("")}


def _shown(found, *, origin) -> dict:
    """The counts as the page shows them: exact, or lower bounds said so when the matches were capped."""

    def shown(n: int):
        return count_text(n, capped=found.capped)

    totals = found.counts
    out: dict = {
        name: {v: shown(totals[f"{name}:{v}"]) for v in choices if totals[f"{name}:{v}"]}
        for name, choices in FACETS.items()
    }
    out["sector"] = {k: shown(v) for k, v in found.sectors.items()}
    for name in FLAG_SQL:
        out[name] = shown(totals[name])
    for name, values in (("posted_within", POSTED_WITHIN), ("min_pay", MIN_PAY), ("distance", DISTANCES)):
        out[name] = {v: shown(totals[f"{name}:{v}"]) for v in values if f"{name}:{v}" in totals}
    return out


FLAGS = {
    "living_wage": lambda today: Q(london_living_wage=True),
    "disability_confident": lambda today: Q(disability_confident=True),
    "no_experience": lambda today: Q(no_experience_needed=True),
    "closing_soon": lambda today: Q(closing_date__lte=today + dt.timedelta(days=7)),
}
# The same conditions over the search statement's candidate set (search_sql).
FLAG_SQL = {
    "living_wage": lambda today: ("london_living_wage", []),
    "disability_confident": lambda today: ("disability_confident", []),
    "no_experience": lambda today: ("no_experience_needed", []),
    "closing_soon": lambda today: ("closing_date <= %s", [today + dt.timedelta(days=7)]),
}
POSTED_WITHIN = ["1", "7", "30"]
MIN_PAY = ["20000", "25000", "30000", "40000"]
DISTANCES = ["1", "2", "5", "10", "20"]


def _posted_within(days: str, today: dt.date) -> Condition:
    """Published on or after that London date: compared as an instant, so the column is used as is
    (no time zone conversion for every row in every count)."""
    from zoneinfo import ZoneInfo

    since = dt.datetime.combine(today - dt.timedelta(days=int(days)), dt.time.min, ZoneInfo("Europe/London"))
    return "published_at >= %s", [since]


def _min_pay(pounds: str) -> Condition:
    """Top of the pay range at least that much a year; hourly pay over a full-time year. Plain comparisons
    on the stored columns (no per-row arithmetic), so a dozen counts stay cheap."""
    pence = int(pounds) * 100
    per_hour = -(-pence // int(HOURS_PER_YEAR))  # rounded up: at least the yearly figure
    return (
        "(pay_period = 'year' AND pay_max_pence >= %s) OR (pay_period = 'hour' AND pay_max_pence >= %s)",
        [pence, per_hour],
    )


def _within(miles: str) -> Condition:
    return "distance_m <= %s", [float(miles) * METRES_PER_MILE]


FACETS = {
    "kind": Opportunity.Kind.values,
    "contract": Opportunity.Contract.values,
    "hours": Opportunity.Hours.values,
}
