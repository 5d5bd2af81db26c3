"""Homelessness at borough scale: the officers' triage queue with 100,000 cases, and the H-CLIC export."""

from __future__ import annotations

import json
import resource
import time

from .harness import Section

# Stages spread as a busy service's caseload might be; most assessed in October to December 2026 so the
# Q3 2026 return has about as many cases as the table.
SEED_SQL = """
INSERT INTO homelessness_case (reference, created_at, route, applicant_name, contact_email, contact_phone,
  safe_contact, stage, urgent, flags, restriction, address_suppressed, assigned_to_id, assigned_at,
  triage_started_on, assessed_on, prevention_start, prevention_end, prevention_end_reason, relief_start,
  relief_end, relief_end_reason, main_duty_decided_on, main_duty_start, closed_on, close_reason, duty_deadline,
  eligible, assessment_outcome, priority_need, household_type, accommodation_at_application, reason_loss,
  notice_type, support_needs, details, legal_hold, safe_method, no_messages, restricted_team, referred_to,
  legal_hold_reason, prevention_activity, relief_activity, accommodation_secured)
SELECT 'BEN-' || lpad(g::text, 7, '0'),
  timestamp '2026-10-01 09:00' + (g %% 90) * interval '1 day',
  'self', 'Applicant ' || g, 'a' || g || '@example.org', '', %(empty)s,
  s.stage, g %% 17 = 0, CASE WHEN g %% 17 = 0 THEN ARRAY['unsafe_tonight'] ELSE ARRAY[]::varchar[] END,
  '', false,
  CASE WHEN s.stage = 'received' THEN NULL ELSE %(officer)s END,
  CASE WHEN s.stage = 'received' THEN NULL ELSE now() END,
  CASE WHEN s.stage <> 'received' THEN date '2026-10-01' + (g %% 90) END,
  CASE WHEN s.stage NOT IN ('received', 'triage') THEN date '2026-10-01' + (g %% 90) END,
  CASE WHEN s.stage IN ('prevention', 'closed') THEN date '2026-10-01' + (g %% 90) END,
  CASE WHEN s.stage = 'closed' THEN date '2026-10-01' + (g %% 90) END,
  CASE WHEN s.stage = 'closed' THEN 'accommodation_secured' ELSE '' END,
  CASE WHEN s.stage = 'relief' THEN date '2026-10-01' + (g %% 90) END,
  NULL, '', NULL, NULL,
  CASE WHEN s.stage = 'closed' THEN date '2026-10-01' + (g %% 90) END,
  CASE WHEN s.stage = 'closed' THEN 'accommodation_secured' ELSE '' END,
  CASE WHEN s.stage IN ('prevention', 'relief') THEN date '2026-10-01' + (g %% 90) + 56 END,
  CASE WHEN s.stage NOT IN ('received', 'triage') THEN true END,
  CASE WHEN s.stage NOT IN ('received', 'triage') THEN 'threatened' ELSE '' END,
  '', (ARRAY['single_male','single_female','couple_children','single_parent_female'])[1 + g %% 4],
  'private_rented', (ARRAY['private_ast_end','family_friends','domestic_abuse','social_end'])[1 + g %% 4],
  'section_21', %(needs)s, %(details)s, false, '', false, false, '', '', '', '', ''
FROM generate_series(%(first)s, %(n)s) g,
LATERAL (SELECT (ARRAY['received','triage','assessment','prevention','prevention','relief','closed',
  'assessment','prevention','relief'])[1 + g %% 10] AS stage) s
"""

MEMBERS_SQL = """
INSERT INTO homelessness_householdmember (case_id, name, date_of_birth, sex, relationship, is_applicant)
SELECT id, applicant_name, date '1990-01-01' + (id % 9000)::int, 'female', 'applicant', true
FROM homelessness_case c WHERE reference LIKE 'BEN-%'
  AND NOT EXISTS (SELECT 1 FROM homelessness_householdmember m WHERE m.case_id = c.id)
"""

HCLIC_SQL = """
SELECT c.*, m.* FROM homelessness_case c JOIN homelessness_householdmember m ON m.case_id = c.id
WHERE c.assessed_on BETWEEN '2026-10-01' AND '2026-12-31' ORDER BY c.reference
"""


def _officer_session():
    import time as _time

    from django.test import Client

    from hackney_portal.users import roles
    from hackney_portal.users.services import user_ensure

    officer = user_ensure(
        email="bench.officer@example.org",
        password="bench-pass-phrase-1",
        name="Bench Officer",
        is_staff=True,
        groups=[roles.HOUSING_OFFICERS],
        totp_secret="JBSWY3DPEHPK3PXPBENCHXX2",
    )
    client = Client()
    client.force_login(officer)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": _time.time(), "email": officer.email},
        {"method": "mfa", "at": _time.time(), "type": "totp"},
    ]
    session.save()
    return officer, {"sessionid": session.session_key}


def _page_statements(cookies: dict, path: str) -> list[str]:
    """The statements the queue page itself sends about cases (its rows and its capped count), captured from
    one request with their parameters, so the SQL ceiling runs exactly what the page runs (issue 18: a
    hand-written copy counted fewer rows than the page did)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies["sessionid"] = cookies["sessionid"]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    statements = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT") and "homelessness_case" in q["sql"]
    ]
    if len(statements) < 2:
        raise RuntimeError(f"expected the page's rows and count, captured {statements}")
    return statements


def _sql_latency(dsn: str, statements, *, repeat: int) -> list[float]:
    import psycopg

    out = []
    with psycopg.connect(dsn) as conn:
        for _ in range(repeat):
            t = time.perf_counter()
            for sql in statements:
                conn.execute(sql).fetchall()
            out.append((time.perf_counter() - t) * 1000)
    return sorted(out)


QUEUES = [
    ("default list", ""),
    ("new and unassigned", "?queue=new"),
    ("assigned to me", "?queue=mine"),
    ("deadline within 7 days", "?queue=due7"),
    ("overdue", "?queue=overdue"),
    ("urgent", "?queue=urgent"),
]


def _in_process(cookies: dict, *, rounds: int, per_round: int) -> dict[str, float]:
    """The admin index and each queue through Django's whole handler in this process, one request at a time
    (no server, no client): each page's best median ms over `rounds` rounds, the rounds taking the pages in
    turn so a busy moment of the machine falls on all of them alike."""
    import statistics

    from django.test import Client

    client = Client()
    client.cookies["sessionid"] = cookies["sessionid"]
    pages = [("admin index", "/admin/")] + [(label, f"/admin/homelessness/case/{q}") for label, q in QUEUES]
    for _, url in pages:
        for _ in range(5):
            assert client.get(url).status_code == 200, url
    best = dict.fromkeys((label for label, _ in pages), float("inf"))
    for _ in range(rounds):
        for label, url in pages:
            ms = []
            for _ in range(per_round):
                started = time.perf_counter()
                client.get(url)
                ms.append((time.perf_counter() - started) * 1000)
            best[label] = min(best[label], statistics.median(ms))
    return best


def _in_process_note(in_process: dict[str, float], http_ratio: dict[str, float]) -> str:
    index = in_process["admin index"]
    # Compared as printed (two places), so a page shown as 0.50 is never listed as below 0.5.
    own_ratio = {label: round(index / in_process[label], 2) for label, _ in QUEUES}
    http_ratio = {label: round(r, 2) for label, r in http_ratio.items()}
    pages = ", ".join(
        f"{label} {in_process[label]:.1f} ms ({index / in_process[label]:.2f}; {http_ratio[label]:.2f} over HTTP)"
        for label, _ in QUEUES
    )
    served = [label for label, _ in QUEUES if http_ratio[label] < 0.5 <= own_ratio[label]]
    own = [label for label, _ in QUEUES if own_ratio[label] < 0.5]
    return (
        "In this run, in-process (Django's whole handler, one request at a time, each page the best median "
        f"of its rounds): the admin index {index:.1f} ms; {pages}."
        + (
            f" Below 0.5 in the page's own work: {', '.join(own)}."
            if own
            else " Every queue's own work is at least 0.5 of the index's."
        )
        + (
            f" Below 0.5 over HTTP only: {', '.join(served)}; what is lost there is in serving it (gunicorn's "
            "threads, PostgreSQL's processes and the load generator on the same two cores), not in the page."
            if served
            else ""
        )
    )


def _mean_stats(runs) -> dict:
    """The mean of several runs' rate and percentiles, and their errors added up."""
    return {
        "rps": sum(r.rps for r in runs) / len(runs),
        "p50_ms": sum(r.p50_ms for r in runs) / len(runs),
        "p95_ms": sum(r.p95_ms for r in runs) / len(runs),
        "errors": sum(r.errors for r in runs),
    }


def run(ctx) -> list[Section]:
    ctx.setup_django()
    from django.db import connection

    from hackney_portal.core.crypto import encrypt
    from homelessness import hclic

    n = 10_000 if ctx.quick else 100_000
    officer, cookies = _officer_session()
    details = json.dumps(
        {
            "about": {"full_name": "Applicant", "ni_number": ""},
            "last-settled": {"last_address": "1 Mare Street"},
        },
        sort_keys=True,
    )
    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM homelessness_householdmember WHERE case_id IN "
            "(SELECT id FROM homelessness_case WHERE reference LIKE 'BEN-%')"
        )
        cur.execute("DELETE FROM homelessness_case WHERE reference LIKE 'BEN-%'")
        cur.execute(
            SEED_SQL,
            {
                "first": 1,
                "n": n,
                "officer": officer.pk,
                "empty": encrypt(""),
                "details": encrypt(details),
                "needs": encrypt(json.dumps(["budgeting", "mental_health"])),
            },
        )
        cur.execute(MEMBERS_SQL)
        # Every table, as autovacuum would have by then: the due queues' plans read the reviews' statistics.
        # The cases vacuumed too: 100,000 rows inserted (and as many deleted on a second run) otherwise start
        # autovacuum in the middle of the timed runs, and on 2 cores whichever queue it lands on read as 0.3 of
        # the admin index in one run and 0.55 in the next.
        cur.execute("VACUUM ANALYZE homelessness_case, homelessness_householdmember")
        cur.execute("ANALYZE")
    seeded = time.monotonic() - started
    dsn = ctx.env["DATABASE_URL"]
    duration = 3.0 if ctx.quick else 8.0

    rows = []
    with ctx.gunicorn(workers=2) as base:
        ceiling = ctx.http_load(base, ["/__bench__/ceiling/"], concurrency=4, duration_s=duration)
        rows.append(
            ["ceiling view (minimal Django view)", "HTTP", ceiling.rps, ceiling.p50_ms, ceiling.p95_ms, "–"]
        )

        # The floor issue 18 sets: the admin index, as the same officer (session, two-factor, permissions).
        def floor():
            return ctx.http_load(base, ["/admin/"], concurrency=4, duration_s=duration, cookies=cookies)

        # Two passes over the queues with the floor before, between and after, each figure the mean of its
        # runs: one 8-second run per page swung a queue from 0.55 to 0.3 of the floor between identical runs,
        # whichever page a busy moment of the 2 cores fell on.
        floors, pages = [floor()], {label: [] for label, _ in QUEUES}
        for _ in range(2):
            for label, query in QUEUES:
                pages[label].append(
                    ctx.http_load(
                        base,
                        [f"/admin/homelessness/case/{query}"],
                        concurrency=4,
                        duration_s=duration,
                        cookies=cookies,
                    )
                )
            floors.append(floor())
        index = _mean_stats(floors)
        rows.append(
            [
                "admin index as the same officer (floor)",
                f"HTTP ({index['errors']} errors)",
                index["rps"],
                index["p50_ms"],
                index["p95_ms"],
                "1.00",
            ]
        )
        for label, _ in QUEUES:
            stats = _mean_stats(pages[label])
            rows.append(
                [
                    f"queue page: {label}",
                    f"HTTP ({stats['errors']} errors)",
                    stats["rps"],
                    stats["p50_ms"],
                    stats["p95_ms"],
                    f"{stats['rps'] / index['rps']:.2f}" if index["rps"] else "–",
                ]
            )
    in_process = _in_process(cookies, rounds=2 if ctx.quick else 6, per_round=15)
    http_ratio = {
        r[0].removeprefix("queue page: "): float(r[5]) if r[5] != "–" else 0.0
        for r in rows
        if r[0].startswith("queue page")
    }
    statements = _page_statements(cookies, "/admin/homelessness/case/")
    sql = _sql_latency(dsn, statements, repeat=50)
    rows.append(
        [
            f"the default page's own {len(statements)} statements about cases (rows, capped count) in SQL",
            "SQL (ceiling)",
            1000 / sql[len(sql) // 2],
            sql[len(sql) // 2],
            sql[int(len(sql) * 0.95)],
            "–",
        ]
    )

    # H-CLIC: the whole return streamed to files (as the snapshot is), beside reading the same rows once in SQL.
    import tempfile
    from pathlib import Path

    # Four in five generated cases were assessed in the quarter: a quarter more cases make the return the
    # 100,000 reportable cases issue 18 names.
    hclic_n = n + n // 4
    with connection.cursor() as cur:
        cur.execute(
            SEED_SQL,
            {
                "first": n + 1,
                "n": hclic_n,
                "officer": officer.pk,
                "empty": encrypt(""),
                "details": encrypt(details),
                "needs": encrypt(json.dumps(["budgeting", "mental_health"])),
            },
        )
        cur.execute(MEMBERS_SQL)
        cur.execute("ANALYZE homelessness_case")
        cur.execute("ANALYZE homelessness_householdmember")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    with tempfile.TemporaryDirectory() as folder:
        case_path, personal_path = Path(folder) / "case.xml", Path(folder) / "personal.xml"
        t = time.perf_counter()
        with (
            case_path.open("w", encoding="utf-8") as case_out,
            personal_path.open("w", encoding="utf-8") as out,
        ):
            built = hclic.build_to(case_out, out, 2026, 3)
        export_s = time.perf_counter() - t
        xml_bytes = case_path.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t = time.perf_counter()
    import psycopg

    with psycopg.connect(dsn) as conn:
        fetched = len(conn.execute(HCLIC_SQL).fetchall())
        fetch_s = time.perf_counter() - t
        # Where the build's time goes, in the same run: its special-category fields decrypted alone.
        tokens = conn.execute(
            "SELECT details, support_needs FROM homelessness_case "
            "WHERE assessed_on BETWEEN '2026-10-01' AND '2026-12-31'"
        ).fetchall()
    from hackney_portal.core.crypto import decrypt

    t = time.perf_counter()
    for details_token, needs_token in tokens:
        json.loads(decrypt(details_token))
        json.loads(decrypt(needs_token))
    decrypt_s = time.perf_counter() - t
    decrypted = 2 * len(tokens)
    del tokens
    export_rows = [
        [
            "H-CLIC return streamed to files (case XML, personal file, validation report)",
            built["case_count"],
            export_s,
            built["case_count"] / export_s,
            f"{peak / 1e6:.0f} MB (was {rss_before / 1e6:.0f} MB)",
            f"{xml_bytes / 1e6:.1f} MB XML",
        ],
        [
            "the same cases and people read once in SQL (ceiling)",
            fetched,
            fetch_s,
            fetched / fetch_s,
            "–",
            "–",
        ],
    ]
    return [
        Section(
            title=f"Homelessness triage queue with {n:,} cases",
            intro=(
                f"{n:,} generated cases across every stage ({seeded:.0f}s to load). A housing officer with "
                f"two-factor opens each queue in the back office (Django admin changelist, 100 a page, every view "
                f"audit-logged) under gunicorn with 2 workers, 4 concurrent clients for {duration:.0f}s per run; each "
                "queue runs twice, in two passes with the admin index run before, between and after, and each "
                "figure is the mean of its runs. "
                'The count stops at 1,001 (the page says "more than 1,000"). Target (issue 18): each queue at '
                "least 0.5 of the admin index as the same officer. The SQL row is the default page's own "
                "statements about cases (its rows and its capped count), captured from one request with their "
                "parameters and run directly over one connection (the ceiling)."
            ),
            headers=["what", "how", "per second", "p50 ms", "p95 ms", "vs admin index"],
            rows=rows,
            notes=[
                "Target met (every queue at least 0.5 of the admin index): "
                + (
                    "yes."
                    if all(float(r[5]) >= 0.5 for r in rows if r[0].startswith("queue page"))
                    else "no."
                ),
                "Queries: 8 a page, 9 for the two due queues (asserted in `tests/homelessness/test_queue_speed.py`); the officer's groups "
                "are read once a request (`core.roles.group_names`), where each group check was a query (13 "
                "before), and the two-factor check once a request, where the admin asked it twice (9 before).",
                _in_process_note(in_process, http_ratio),
                "Where the time goes (in-process, 2026-12-05 11:10 UTC, the same 100,000 cases, each page the "
                "best median of 6 rounds of 15 requests): the admin index 7.3 ms, the default queue 14.3 ms "
                "(0.51), new and unassigned 15.3, urgent 16.0, assigned to me 16.3, overdue 17.1, due within 7 "
                "days 18.0. The rows are built in one pass (`homelessness.admin.queue.queue_table`) and the table "
                "body is one string (a template loop over 100 rows cost 2 ms); the page is read as named rows of "
                "its own columns (`QueueChangeList`), not 100 cases and their officers as model instances; dates "
                "are written in Python. The page's SQL is about 3 ms of it (8 statements, the capped count 0.6 to "
                "0.9 ms, the rows 1.0 to 1.2 ms). What is left is the admin's changelist itself: its template "
                "(filters, search, pagination, the sidebar's app list) 5.0 ms against the index's 2.5, and its "
                "set-up and permission checks. 'Due within 7 days' and 'overdue' once scanned every case (5 to "
                "10 ms), because a case is due by its duty deadline or by an open review and PostgreSQL cannot "
                "use an index for OR over a subquery; they now read the open reviews' cases first (one more, "
                "tiny, statement) and take the duty half from a partial index (`case_duty_deadline`), so their "
                "count is a BitmapOr of two index reads (0.9 ms).",
            ],
        ),
        Section(
            title=f"H-CLIC export for {n:,} cases",
            intro=(
                f"One quarter's return of {n:,} reportable cases (a table of {hclic_n:,} cases, four in five of them "
                "assessed in the quarter), written a chunk of cases "
                "at a time to two files (decrypting special category fields, mapping every item through the "
                "versioned code lists, writing both XML files and the plain-English report). Target (issue 18): "
                "100,000 cases in 10 s with memory flat. Peak memory is the bench process's peak resident set "
                "size, before and after the build."
            ),
            headers=["what", "cases", "seconds", "cases per second", "peak memory", "size"],
            rows=export_rows,
            notes=[
                f"Target (100,000 cases in at most 10 s): {'met' if export_s <= 10 else 'missed'} "
                f"({export_s:.2f} s).",
                f"Where the {export_s:.1f} s go (each part timed in this run): reading the cases and their people "
                f"from PostgreSQL about {fetch_s:.1f} s (the ceiling row); decrypting and parsing the "
                f"{decrypted:,} special-category values (each case's answers and support needs, Fernet: "
                f"AES-CBC with HMAC-SHA256, one token each) {decrypt_s:.1f} s; the rest, "
                f"{max(export_s - fetch_s - decrypt_s, 0):.1f} s, is Python: the rows as named tuples, every "
                "item mapped through the code lists and checked, each line escaped and written, and the "
                "report. A line whose values are all codes, dates and references is checked with one match, "
                "not one a value. On 2 cores the build is one process; the decrypting is the floor a faster "
                "machine or a second process would move.",
            ],
        ),
    ]
