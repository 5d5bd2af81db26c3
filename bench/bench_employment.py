"""Job search with 100,000 listings: the page beside the same query in SQL (ceiling) and a naive ILIKE search."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from .harness import LoadStats, Section

SEED_SQL = """
INSERT INTO employment_opportunity (kind, status, title, employer_name, summary, description_html, sector,
  contract, hours, pay_min_pence, pay_max_pence, pay_period, age_band, below_minimum_wage, london_living_wage,
  disability_confident, no_experience_needed, address, postcode, latitude, longitude, remote, apply_url,
  closing_date, published_at, rejection_reason, featured, created_at, updated_at, description_source,
  claims_london_living_wage, wage_problems, wage_override_reason, disability_confident_verified,
  edit_rejection_reason)
SELECT 'job', 'published',
  (ARRAY['Senior','Junior','Trainee','Lead','Assistant','Relief','Night','Weekend'])[1 + g %% 8] || ' ' ||
  (ARRAY['chef','cook','cleaner','driver','care worker','electrician','plumber','receptionist','porter',
         'cashier','gardener','teacher','nurse','warehouse operative','barista','security officer'])[1 + g %% 16]
  || CASE WHEN g %% 10000 = 0 THEN ' zoologist' ELSE '' END,
  'Employer ' || (g %% 997), 'A role in Hackney number ' || g,
  '<p>Working with a friendly team. Training provided. Shift patterns vary.</p>',
  (ARRAY['Hospitality','Care','Construction','Retail','Transport','Education'])[1 + g %% 6],
  'permanent', 'full_time', 1300 + g %% 500, 1300 + g %% 500 + g %% 700, 'hour', '21_plus', false, g %% 3 = 0,
  g %% 5 = 0, g %% 7 = 0, 'Hackney', 'E8 1EA', 51.52 + (g %% 500) / 5000.0, -0.10 + (g %% 700) / 7000.0,
  false, '', current_date + 30, now() - (g %% 60) * interval '1 day', '', false, now(), now(), '',
  false, '', '', false, ''
FROM generate_series(1, %s) g
"""

FTS_SQL = """
SELECT id, ts_rank(search_vector, q) AS r FROM employment_opportunity, websearch_to_tsquery('english', %s) q
WHERE status = 'published' AND closing_date >= current_date AND search_vector @@ q
ORDER BY r DESC, published_at DESC LIMIT 20
"""
FTS_COUNT = """
SELECT count(*) FROM employment_opportunity WHERE status = 'published' AND closing_date >= current_date
AND search_vector @@ websearch_to_tsquery('english', %s)
"""
NAIVE_SQL = """
SELECT id FROM employment_opportunity WHERE status = 'published' AND closing_date >= current_date
AND (title ILIKE %s OR summary ILIKE %s OR description_html ILIKE %s) ORDER BY published_at DESC LIMIT 20
"""
NAIVE_COUNT = """
SELECT count(*) FROM employment_opportunity WHERE status = 'published' AND closing_date >= current_date
AND (title ILIKE %s OR summary ILIKE %s OR description_html ILIKE %s)
"""


def _sql_load(dsn: str, statements, *, concurrency: int, duration_s: float) -> LoadStats:
    """Run the page's own queries (results and count) straight against PostgreSQL, same concurrency."""
    import psycopg

    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    stop_at = time.monotonic() + duration_s

    def client(i):
        with psycopg.connect(dsn) as conn:
            while time.monotonic() < stop_at:
                t = time.perf_counter()
                for sql, params in statements:
                    conn.execute(sql, params).fetchall()
                latencies[i].append((time.perf_counter() - t) * 1000)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [x for lst in latencies for x in lst]
    return LoadStats(count=len(flat), errors=0, duration_s=time.monotonic() - t0, latencies_ms=flat)


RELEVANCE = Path(__file__).resolve().parent / "results" / "relevance.json"


def relevance_section() -> Section | None:
    """The relevance set's last figures, written by tests/employment/test_relevance.py (not timed here)."""
    if not RELEVANCE.exists():
        return None
    data = json.loads(RELEVANCE.read_text())
    return Section(
        title="Job search relevance",
        intro=(
            f"{data['queries']} queries (phrases, minus, synonyms, typos, plurals) over a fixed corpus of "
            f"{data['corpus']} listings, each with the acceptable first results and the relevant set. Precision@5 "
            "is the relevant share of the first five results, out of min(5, number relevant). Produced by "
            f"`{data['command']}`."
        ),
        headers=["queries", "mean precision@5", "first result correct"],
        rows=[
            [
                data["queries"],
                data["mean_precision_at_5"],
                f"{data['first_result_correct']} of {data['queries']}",
            ]
        ],
        measured=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(RELEVANCE.stat().st_mtime)),
    )


def run(ctx) -> list[Section]:
    ctx.setup_django()
    from django.core.management import call_command
    from django.db import connection

    n = 10_000 if ctx.quick else 100_000
    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE employment_opportunity RESTART IDENTITY CASCADE")
        cur.execute(SEED_SQL, [n])
        cur.execute("ANALYZE employment_opportunity")
    call_command("load_postcodes", verbosity=0)
    seeded = time.monotonic() - started
    dsn = ctx.env["DATABASE_URL"]
    duration = 3.0 if ctx.quick else 8.0
    cases = [
        ("rare term (`zoologist`)", "zoologist"),
        ("common term (`assistant`)", "assistant"),
        ('phrase and minus (`"care worker" -night`)', '"care worker" -night'),
    ]
    rows = []
    with ctx.gunicorn(workers=2) as base:
        ceiling = ctx.http_load(base, ["/__bench__/ceiling/"], concurrency=8, duration_s=duration)
        rows.append(
            ["ceiling view (minimal Django view)", "HTTP", ceiling.rps, ceiling.p50_ms, ceiling.p95_ms]
        )
        for label, q in cases:
            from urllib.parse import quote_plus

            page = ctx.http_load(base, [f"/jobs/?q={quote_plus(q)}"], concurrency=8, duration_s=duration)
            sql = _sql_load(dsn, [(FTS_SQL, [q]), (FTS_COUNT, [q])], concurrency=8, duration_s=duration)
            like = f"%{q.strip(chr(34)).split()[0]}%"
            naive = _sql_load(
                dsn, [(NAIVE_SQL, [like] * 3), (NAIVE_COUNT, [like] * 3)], concurrency=8, duration_s=duration
            )
            rows.append(
                [f"search page, {label}", f"HTTP ({page.errors} errors)", page.rps, page.p50_ms, page.p95_ms]
            )
            rows.append(
                [f"same full-text query in SQL, {label}", "SQL (ceiling)", sql.rps, sql.p50_ms, sql.p95_ms]
            )
            rows.append(
                [f"naive ILIKE search, {label}", "SQL (basic board)", naive.rps, naive.p50_ms, naive.p95_ms]
            )
        dist = ctx.http_load(
            base, ["/jobs/?q=chef&postcode=E8+1EA&distance=2"], concurrency=8, duration_s=duration
        )
        rows.append(
            [
                "search page, `chef` within 2 miles of E8 1EA",
                f"HTTP ({dist.errors} errors)",
                dist.rps,
                dist.p50_ms,
                dist.p95_ms,
            ]
        )
    relevance = relevance_section()
    return [
        *([relevance] if relevance else []),
        Section(
            title=f"Job search with {n:,} live listings",
            intro=(
                f"{n:,} generated listings loaded in {seeded:.0f}s (the search vector is kept by a database trigger). "
                f"8 concurrent clients for {duration:.0f}s per row. The page runs the full search (results, filter "
                "counts, highlighting) under gunicorn with 2 workers; the SQL rows run just the page's results and "
                "count queries over the same GIN index (the ceiling), and a naive ILIKE search as a basic job board "
                "would, with 8 connections."
            ),
            headers=["what", "how", "per second", "p50 ms", "p95 ms"],
            rows=rows,
        ),
    ]
