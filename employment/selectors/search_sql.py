"""The job search page's one statement: a pre-limited candidate set, every filter count and the page's ids.

At 100,000 listings the ORM version read the matches three times (an existence check, the counts, the
results), computed the distance six times per row and spent tens of milliseconds in Python building three
dozen filtered counts. Here the matches are read once into a materialised CTE of at most
`CANDIDATE_CAP + 1` rows (the rank and distance computed once per row), and one pass over it gives the
total, each filter's disjunctive counts, the sector counts and the ids of the page shown. Headlines are
made afterwards, for those ids only. A term that matches more than the cap ("broad") costs no more than
the cap: the page then says "more than 10,000" and its counts are lower bounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape

from ..models import Opportunity
from .listings import PAGE_DEFERRED, pay_text

CANDIDATE_CAP = 10_000
METRES_PER_MILE = 1609.344
COUNT_CAP = 1_000  # shown as "more than 1,000" when the candidate set was cut short

# The columns the counts and the order need (the CTE carries nothing else).
COLUMNS = [
    "id",
    "kind",
    "contract",
    "hours",
    "sector",
    "london_living_wage",
    "disability_confident",
    "no_experience_needed",
    "closing_date",
    "published_at",
    "pay_period",
    "pay_max_pence",
]
ORDERS = {
    "relevance": "rank DESC, published_at DESC, id DESC",
    "distance": "distance_m, id DESC",
    "closing": "closing_date, id DESC",
    "newest": "published_at DESC, id DESC",
}
# Where a sort has an index, the candidates are taken in that order, so a broad search (or none) still
# shows the newest or soonest-closing listings first, not whichever 10,000 the index gave first.
CANDIDATE_ORDERS = {"closing": ("closing_date", "-id"), "newest": ("-published_at", "-id")}

Condition = tuple[str, list]  # SQL over the CTE's columns, and its parameters
TRUE: Condition = ("TRUE", [])


def both(conditions: list[Condition]) -> Condition:
    parts = [c for c in conditions if c[0] != "TRUE"]
    if not parts:
        return TRUE
    return " AND ".join(f"({sql})" for sql, _ in parts), [p for _, params in parts for p in params]


@dataclass
class Statement:
    counts: dict[str, int]
    sectors: dict[str, int]
    ids: list[int]
    candidates: int  # rows in the candidate set, CANDIDATE_CAP + 1 when cut short

    @property
    def capped(self) -> bool:
        return self.candidates > CANDIDATE_CAP


def search_run(
    *,
    candidates: QuerySet,
    columns: list[str],
    sort: str,
    counts: dict[str, Condition],
    sector_filter: Condition,
    page_filter: Condition,
    limit: int,
    offset: int,
) -> Statement:
    """`candidates` is the filtered (and annotated) queryset of matches; `counts` names each count's
    condition over the candidate set; `page_filter` is every chosen filter, for the total and the page."""
    candidates = candidates.values(*columns).order_by(*CANDIDATE_ORDERS.get(sort, ()))
    cte_sql, cte_params = candidates[: CANDIDATE_CAP + 1].query.sql_with_params()
    selects, params = [], list(cte_params)
    for i, (sql, args) in enumerate(counts.values()):
        selects.append(f"count(*) FILTER (WHERE {sql}) AS c{i}")
        params += args
    sector_sql, sector_args = sector_filter
    page_sql, page_args = page_filter
    # The extra candidate only tells that there are more: never more than the cap to page through.
    params += [*sector_args, *page_args, max(0, min(limit, CANDIDATE_CAP - offset)), offset]
    # Every fragment formatted in is ours (column names, conditions with %s); the values are parameters.
    statement = (
        f"WITH m AS MATERIALIZED ({cte_sql}) "  # noqa: S608  # nosec B608
        f"SELECT count(*), {', '.join(selects)}, "
        "(SELECT coalesce(json_object_agg(sector, n), '{}') FROM "
        f"(SELECT sector, count(*) AS n FROM m WHERE {sector_sql} GROUP BY sector) s), "
        f"ARRAY(SELECT id FROM m WHERE {page_sql} ORDER BY {ORDERS[sort]} LIMIT %s OFFSET %s) "
        "FROM m"
    )
    with connection.cursor() as cur:
        cur.execute(statement, params)
        row = cur.fetchone()
    return Statement(
        counts={name: row[1 + i] for i, name in enumerate(counts)},
        sectors=row[-2],
        ids=list(row[-1]),
        candidates=row[0],
    )


def count_text(n: int, *, capped: bool) -> int | str:
    """A count as shown: exact when every match was counted; otherwise a lower bound, said so."""
    if not capped:
        return n
    return f"more than {COUNT_CAP:,}" if n > COUNT_CAP else f"{n:,} or more"


def page_number_clean(value) -> int:
    """A page number from the address: at least 1, and never so large that its offset means anything
    (there are never more than CANDIDATE_CAP results to page through)."""
    try:
        return min(max(1, int(value)), CANDIDATE_CAP + 1)
    except (TypeError, ValueError, OverflowError):
        return 1


class Window:
    """The rows of the one page fetched, standing in for the whole list for Paginator."""

    def __init__(self, rows: list, *, offset: int):
        self.rows, self.offset = rows, offset

    def __getitem__(self, index: slice) -> list:
        return self.rows


# The great-circle distance in metres on the sphere `earthdistance` uses (its earth(), 6,378,168 m), by the
# haversine formula in plain float arithmetic: the same figure to a nanometre, a thirtieth of the cost of
# earth_distance(ll_to_earth(...)), whose cube values are built and freed for every row (2.2 against 0.08
# microseconds a row), and a search within a distance computes it for every match.
EARTH_RADIUS_M = 6_378_168
DISTANCE_SQL = (
    "(2 * %s * asin(sqrt(power(sin(radians(latitude - %s) / 2), 2) + "
    "cos(radians(%s)) * cos(radians(latitude)) * power(sin(radians(longitude - %s) / 2), 2))))"
)


def distance_m(origin: tuple[float, float]) -> RawSQL:
    """Metres from `origin` (latitude, longitude) to each listing's point."""
    lat, lon = float(origin[0]), float(origin[1])
    # A constant statement; the values are parameters.
    return RawSQL(DISTANCE_SQL, (EARTH_RADIUS_M, lat, lat, lon), output_field=FloatField())  # noqa: S611  # nosec B611


_ROW_FIELDS = [f for f in Opportunity._meta.concrete_fields if f.name not in PAGE_DEFERRED]
_ROW_COLUMNS = ", ".join(f'o."{f.column}"' for f in _ROW_FIELDS)
_ROW_NAMES = [f.attname for f in _ROW_FIELDS]
# ts_headline's options: our markers around each match (turned into <mark> after escaping), a snippet of
# 15 to 35 words from the summary, every match in the title.
_SNIPPET_OPTIONS = "StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=15"
_TITLE_OPTIONS = "StartSel=\x02, StopSel=\x03, HighlightAll=true"


def page_rows(ids: list[int], *, query, origin) -> list[Opportunity]:
    """The page's listings, in the statement's order, highlighted (only these: a headline re-parses the
    text, the dearest step per row). Written out, not built by the ORM: with its two headlines and the
    distance that cost more than running it (docs/performance.md). Not the search vector (longer than the
    text it indexes), the employer's source text or the moderators' fields: a results page shows none."""
    if not ids:
        return []
    selects, params = [_ROW_COLUMNS], []
    if origin:
        lat, lon = float(origin[0]), float(origin[1])
        selects.append(DISTANCE_SQL)
        params += [EARTH_RADIUS_M, lat, lat, lon]
    if query is not None:
        query_sql, query_params = _compiled(query)
        selects.append(f"ts_headline('english'::regconfig, o.summary, {query_sql}, %s)")
        params += [*query_params, _SNIPPET_OPTIONS]
        selects.append(f"ts_headline('english'::regconfig, o.title, {query_sql}, %s)")
        params += [*query_params, _TITLE_OPTIONS]
    statement = f"SELECT {', '.join(selects)} FROM {Opportunity._meta.db_table} o WHERE o.id = ANY(%s)"  # noqa: S608  # nosec B608
    with connection.cursor() as cur:
        cur.execute(statement, [*params, list(ids)])
        fetched = cur.fetchall()
    n = len(_ROW_NAMES)
    by_id = {}
    for row in fetched:
        opp = Opportunity.from_db(connection.alias, _ROW_NAMES, row[:n])
        extra = list(row[n:])
        if origin:
            opp.distance_m = extra.pop(0)
            opp.distance_miles = opp.distance_m / METRES_PER_MILE
        if query is not None:
            # Escape the employer's text, then turn our markers into <mark>: nothing else becomes markup.
            opp.snippet, opp.title_html = _marked(extra[0]), _marked(extra[1])
        opp.pay = pay_text(opp)
        by_id[opp.pk] = opp
    return [by_id[i] for i in ids if i in by_id]


def _compiled(query) -> tuple[str, list]:
    """The search query's own SQL and parameters (only the expression, not a whole queryset)."""
    from django.db.models.sql import Query

    sql_query = Query(Opportunity)
    compiler = sql_query.get_compiler(connection=connection)
    sql, params = compiler.compile(query.resolve_expression(sql_query))
    return sql, list(params)


def _marked(text: str) -> str:
    return escape(text).replace("\x02", "<mark>").replace("\x03", "</mark>")


def bounding_box(origin: tuple[float, float], miles: float) -> Q:
    """A latitude and longitude box around the origin holding every point within `miles` (on the indexed
    point), so the exact distance is computed only for rows inside it."""
    lat, lon = origin
    dlat = miles * METRES_PER_MILE / 111_000 * 1.01
    dlon = dlat / max(math.cos(math.radians(min(abs(lat) + dlat, 89.0))), 0.01)
    return Q(latitude__range=(lat - dlat, lat + dlat), longitude__range=(lon - dlon, lon + dlon))
