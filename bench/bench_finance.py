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


def run(ctx) -> list[Section]:
    ctx.setup_django()
    sizes = [10_000, 50_000] if ctx.quick else [100_000, 1_000_000]
    rows = []
    folder = BASE_DIR / ".data" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    for n in sizes:
        path = folder / f"balance_transactions_{n}.jsonl"
        write_pages(path, n)
        parse = _measure(n, path, "parse")
        recon = _measure(n, path, "reconcile")
        rows.append(
            [
                f"{n:,}",
                "parse the pages only (ceiling)",
                parse["rows"] / parse["seconds"],
                parse["seconds"],
                parse["peak_mb"],
            ]
        )
        rows.append(
            [
                f"{n:,}",
                "full reconciliation",
                recon["rows"] / recon["seconds"],
                recon["seconds"],
                recon["peak_mb"],
            ]
        )
        path.unlink()
    return [
        Section(
            title="Reconciliation at growing sizes",
            intro=(
                "Balance transactions in Stripe's list format (100 per page) from a generated file, through the "
                "same parsing and matching code as production (`payments/reconciliation.py`), against as many "
                "succeeded payments with ledger credits in PostgreSQL; one in a thousand has a different amount. "
                "Each size runs in its own process; peak memory is that process's maximum resident size. The "
                "ceiling is reading and parsing the same pages with no matching."
            ),
            headers=["transactions", "what", "rows/s", "seconds", "peak memory MB"],
            rows=rows,
            notes=[
                "Memory should stay flat as the size grows tenfold: pages are streamed and committed one by one."
            ],
        )
    ]
