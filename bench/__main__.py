"""Run every benchmark in bench/ (or those named) and write docs/performance.md.

make bench                       # everything, full sizes
make bench BENCH_ARGS="--quick"  # a smoke run with small sizes
make bench BENCH_ARGS="home"     # only bench/bench_home.py
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from .harness import BASE_DIR, Context, write_report


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="benchmark modules to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--output", default=str(BASE_DIR / "docs" / "performance.md"))
    args = parser.parse_args()

    available = sorted(p.stem.removeprefix("bench_") for p in (BASE_DIR / "bench").glob("bench_*.py"))
    names = args.names or available
    ctx = Context(quick=args.quick)
    sections, failures = [], []
    for name in names:
        started = time.monotonic()
        print(f"[bench] {name} ...", flush=True)
        try:
            module = importlib.import_module(f"bench.bench_{name}")
            sections.extend(module.run(ctx))
            print(f"[bench] {name} done in {time.monotonic() - started:.0f}s", flush=True)
        except Exception as exc:  # noqa: BLE001 - report the failure and carry on with the others
            traceback.print_exc()
            failures.append(f"`{name}`: {type(exc).__name__}: {exc}")
    # Running only some benchmarks keeps the other sections' figures (each says when it was measured).
    write_report(sections, failures, quick=args.quick, path=Path(args.output), keep_others=bool(args.names))
    print(f"[bench] wrote {args.output}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
