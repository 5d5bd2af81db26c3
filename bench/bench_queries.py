"""Queries per page (issue 18): the tests that assert every page's count, run here, and the counts they hold.

The counts are not measured by this module: they are written down in the tests, which open every page with a
little data and with more and fail on any other number. This section runs those tests in the same `make
bench` and shows their tables, so the figures beside the throughput ones are the ones the suite holds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from .harness import BASE_DIR, Section

TESTS = [
    "tests/core/test_page_query_budget.py",
    "tests/core/test_admin_query_budget.py",
    "tests/core/test_page_queries.py",
    "tests/homelessness/test_queue_speed.py",
]


def _pytest() -> tuple[str, float]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ROOT_URLCONF")}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *TESTS],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    counts = re.findall(r"(\d+) (passed|failed|errors?)\b", proc.stdout)
    summary = ", ".join(f"{n} {what}" for n, what in counts) or f"pytest exited {proc.returncode}"
    if proc.returncode:
        summary = f"FAILED ({summary})"
    return summary, time.monotonic() - started


def _admin_rows(pages: dict[str, int]) -> list[list]:
    """One row a model (its list, record, history and add pages, and its own pages), then the site's own."""
    kinds = ("changelist", "change", "history", "add")
    names = {name.removeprefix("admin:"): queries for name, queries in pages.items()}
    models = sorted(n.removesuffix("_changelist") for n in names if n.endswith("_changelist"))
    rows, placed = [], set()
    for model in models:
        own = [n for n in names if n.startswith(f"{model}_") and n.removeprefix(f"{model}_") not in kinds]
        # A page of a model's admin named after its app only (payments_dashboard) goes with the site's.
        placed.update(own, (f"{model}_{kind}" for kind in kinds))
        rows.append(
            [
                model,
                *(names.get(f"{model}_{kind}", "–") for kind in kinds),
                ", ".join(f"{n.removeprefix(model + '_')} {names[n]}" for n in own) or "–",
            ]
        )
    rest = [f"{n} {q}" for n, q in names.items() if n not in placed]
    rows.append(["(the site, and pages of a service)", "–", "–", "–", "–", ", ".join(rest)])
    return rows


def run(ctx) -> list[Section]:
    ctx.setup_django()
    summary, seconds = _pytest()
    from tests.core.test_admin_query_budget import ADMIN_PAGES
    from tests.core.test_admin_query_budget import NOT_COUNTED as ADMIN_NOT_COUNTED
    from tests.core.test_page_query_budget import NOT_COUNTED, PAGES

    public = Section(
        title="Queries per page",
        intro=(
            "Every page's SQL statements, as `tests/core/test_page_query_budget.py` writes them down and "
            "asserts (each page opened with a little data and again after five more of everything it lists "
            "or reads; a walk of the URL configuration fails any page in neither table). The tests of this "
            f"section ({', '.join(f'`{t}`' for t in TESTS)}) ran in this bench: {summary} in {seconds:.0f}s. "
            "Signed in, the first statement is the user (the session is in the cache). The intake's and "
            "payment's steps and the resident pages with one row against many are in "
            "`tests/core/test_page_queries.py`; the officers' queue filter by filter in "
            "`tests/homelessness/test_queue_speed.py`."
        ),
        headers=["page (URL name)", "opened by", "status", "statements"],
        rows=[[name, page.who, page.status, page.queries] for name, page in PAGES.items()],
        notes=[
            f"Not counted ({len(NOT_COUNTED)}), each with its reason in the test: "
            + "; ".join(f"`{name}`: {why}" for name, why in NOT_COUNTED.items())
        ],
    )
    admin = Section(
        title="Queries per back-office page",
        intro=(
            f"Every page of the Django admin ({len(ADMIN_PAGES)} URL names) as "
            "`tests/core/test_admin_query_budget.py` writes them down and asserts, each opened by someone its "
            "model's access policy lets in, with one row of each model and again with six: the same number "
            f"both times. {len(ADMIN_NOT_COUNTED)} more are not counted, each with its reason (delete "
            "confirmations, POST-only case actions, add pages refused to everyone). Every page includes the "
            "user and the two-factor check, and for a member of staff their permissions (4 in all)."
        ),
        headers=["model", "list", "record", "history", "add", "its own pages (statements)"],
        rows=_admin_rows(ADMIN_PAGES),
    )
    return [public, admin]
