"""Reconciliation throughput and memory at growing sizes, fed pages in Stripe's list format from a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .harness import BASE_DIR, Section


def write_pages(path: Path, n: int, page_size: int = 100) -> None:
    """Stripe-format balance transaction pages, one JSON list per line; one in a thousand is a mismatch."""
    now = int(time.time())
    with open(path, "w") as f:
        for start in range(1, n + 1, page_size):
            data = []
            for i in range(start, min(n, start + page_size - 1) + 1):
                amount = 100 + (i % 5000) + (7 if i % 1000 == 0 else 0)
                data.append(
                    {
                        "id": f"txn_b{i}",
                        "object": "balance_transaction",
                        "amount": amount,
                        "currency": "gbp",
                        "created": now,
                        "type": "charge",
                        "reporting_category": "charge",
                        "source": f"ch_b{i}",
                        "fee": 0,
                        "net": amount,
                        "status": "available",
                    }
                )
            f.write(json.dumps({"object": "list", "data": data, "has_more": start + page_size <= n}) + "\n")


def write_report(path: Path, n: int) -> None:
    """The same transactions as `write_pages`, as the provider's itemised balance report (CSV, pounds, UTC)."""
    created = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    with open(path, "w") as f:
        f.write(
            "balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,source_id,payment_intent_id\n"
        )
        for i in range(1, n + 1):
            amount = 100 + (i % 5000) + (7 if i % 1000 == 0 else 0)
            pounds = f"{amount // 100}.{amount % 100:02d}"
            f.write(f"txn_b{i},{created},gbp,{pounds},0.00,{pounds},charge,ch_b{i},pi_b{i}\n")


def _measure(n: int, path: Path, mode: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.recon_worker", str(n), str(path), mode],
        cwd=BASE_DIR,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _profile_note(profile: dict) -> str:
    """Where the largest run's seconds went, statement by statement (timed in the same run)."""
    n, total = profile.pop("n", 0), profile.pop("seconds", 0.0)
    spent = sorted(profile.items(), key=lambda kv: -kv[1])
    rest = total - sum(v for _, v in spent)
    parts = [f"{label} {seconds:.1f} s" for label, seconds in spent if seconds >= 0.05]
    parts.append(f"COPY of each chunk, reading the file and Python (the rest) {rest:.1f} s")
    return (
        f"Where the {n:,}-transaction run's {total:.1f} s went (each statement timed in the same run): "
        + "; ".join(parts)
        + "."
    )


def run(ctx) -> list[Section]:
    ctx.setup_django()
    sizes = [10_000, 100_000] if ctx.quick else [100_000, 1_000_000]
    rows = []
    profile: dict = {}
    folder = BASE_DIR / ".data" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    for n in sizes:
        report = folder / f"balance_report_{n}.csv"
        write_report(report, n)
        load = _measure(n, report, "load")
        recon = _measure(n, report, "report")
        profile = {"n": n, "seconds": recon["seconds"], **recon.get("profile", {})}
        rows.append(
            [
                f"{n:,}",
                "COPY the report only (ceiling)",
                load["rows"] / load["seconds"],
                load["seconds"],
                load["peak_mb"],
            ]
        )
        rows.append(
            [
                f"{n:,}",
                "full reconciliation from the report",
                recon["rows"] / recon["seconds"],
                recon["seconds"],
                recon["peak_mb"],
            ]
        )
        report.unlink()
        if n == sizes[0]:
            # The list-based run (one page of 100 per provider call) at the smaller size only: at a million it
            # takes minutes, and the point is the comparison.
            pages = folder / f"balance_transactions_{n}.jsonl"
            write_pages(pages, n)
            old = _measure(n, pages, "reconcile")
            rows.append(
                [
                    f"{n:,}",
                    "list-based reconciliation (before)",
                    old["rows"] / old["seconds"],
                    old["seconds"],
                    old["peak_mb"],
                ]
            )
            pages.unlink()
    return [
        Section(
            title="Reconciliation at growing sizes",
            intro=(
                "A day's balance transactions as the provider's itemised balance report (CSV), reconciled by "
                "`payments/reconciliation_report.py`: the file read in chunks of 1,000,000 records, each chunk "
                "loaded with `COPY` into a temporary table dropped at commit and matched by set-based "
                "statements, committed with the run's cursor (so a killed run resumes, and PgBouncer in "
                "transaction mode is fine), matches recorded in an insert-only table; against as many succeeded payments with ledger credits in PostgreSQL, one in "
                "a thousand with a different amount. Each size runs in its own process; peak memory is that "
                "process's maximum resident size. The ceiling is loading the same file with `COPY` and nothing "
                "else. The list-based run it replaces (pages of 100 from the list API, matched page by page) is "
                "measured at the smaller size."
            ),
            headers=["transactions", "what", "rows/s", "seconds", "peak memory MB"],
            rows=rows,
            notes=[
                "Memory should stay flat as the size grows tenfold: the file is streamed to COPY in 1 MB blocks "
                "and matched in the database.",
                _profile_note(profile),
            ],
        )
    ]
