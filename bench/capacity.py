"""Capacity N (issue 18): the mixed load at growing multiples of the Monday peak until one misses a criterion.

Each step runs the open-loop mix (bench/bench_mixed.py) at one multiple on the same server and data, with the
CPU time of each group of processes read from /proc over the step, so a step that fails says where the time
went. A step holds when the server answered every request without error and, for every page of ours, p99 is
at most 4 x p50 and at most 100 ms (the reading under which issue 18 recorded "2x held"); the same limits over
every request of the mix at once are reported beside it. The machine is shared, so a step that misses is run
once more and misses only if the second run misses too; both runs are reported. N is the highest multiple
that held before the first that missed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from .harness import LoadStats

P99_LIMIT_MS = 100.0
SPREAD_LIMIT = 4.0


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def judge(latencies: dict[str, list[float]], errors: dict[str, list[str]], duration_s: float) -> dict:
    """One step's figures and verdict; `peer:` rows (localstripe alone) are not our server and not judged."""
    ours = {page: v for page, v in latencies.items() if not page.startswith("peer:") and v}
    flat = [ms for v in ours.values() for ms in v]
    overall = LoadStats(count=len(flat), errors=0, duration_s=duration_s, latencies_ms=flat)
    misses, mix_misses = [], []
    for page, values in sorted(ours.items()):
        s = LoadStats(count=len(values), errors=0, duration_s=duration_s, latencies_ms=values)
        if s.p99_ms > P99_LIMIT_MS:
            misses.append(f"{page} p99 {s.p99_ms:.0f} ms")
        elif s.p99_ms > SPREAD_LIMIT * s.p50_ms:
            misses.append(f"{page} p99/p50 {s.p99_ms / s.p50_ms:.1f}")
    if overall.p99_ms > P99_LIMIT_MS:
        mix_misses.append(f"p99 {overall.p99_ms:.0f} ms")
    if overall.p99_ms > SPREAD_LIMIT * overall.p50_ms:
        mix_misses.append(f"p99/p50 {overall.p99_ms / overall.p50_ms:.1f}")
    n_errors = sum(len(v) for v in errors.values())
    if n_errors:
        misses.insert(0, f"{n_errors} errors")
        mix_misses.insert(0, f"{n_errors} errors")
    return {
        "requests": overall.count,
        "rps": overall.rps,
        "p50_ms": overall.p50_ms,
        "p99_ms": overall.p99_ms,
        "error_count": n_errors,
        "misses": misses,
        "passed": not misses,
        "mix_misses": mix_misses,
    }


def ladder(
    base: str, world: dict, *, factors: list[float], duration_s: float, open_loop, meter_groups
) -> dict:
    """Run the mix at each factor in turn until one fails twice; returns every run and N."""
    from .bench_scale import CpuMeter

    runs, n = [], None
    for factor in factors:
        for attempt in (1, 2):
            meter = CpuMeter(meter_groups())
            meter.start()
            rec, elapsed = open_loop(base, world, duration_s=duration_s, factor=factor)
            shares = meter.stop()
            verdict = judge(rec.latencies, rec.errors, elapsed)
            cores = os.cpu_count() or 1
            # CPU ms per request of the mix: a group's share of all cores over the step, per request served.
            per_request = {
                group: share * cores * elapsed * 1000 / verdict["requests"] if verdict["requests"] else 0.0
                for group, share in shares.items()
            }
            runs.append(
                {
                    "factor": factor,
                    "attempt": attempt,
                    "duration_s": elapsed,
                    "loadavg": _loadavg(),
                    "cpu_share": shares,
                    "cpu_ms_per_request": per_request,
                    "latencies": rec.latencies,
                    "errors": rec.errors,
                    **verdict,
                }
            )
            # Let the worker send the step's receipts and the server's queues empty before the next step.
            time.sleep(5)
            if verdict["passed"]:
                break
        if not runs[-1]["passed"]:
            break
        n = factor
    return {"runs": runs, "n": n}


def _what_twenty_takes(runs: list[dict], n) -> str:
    """Why N stops where it does, from this run's own figures: the CPU the mix at 20x would need against the
    machine's cores, and the CPU per request that would hold it as lightly loaded as the last step that held."""
    import os

    last = runs[-1]
    cores = os.cpu_count() or 1
    per_factor = last["rps"] / last["factor"]
    rps20 = per_factor * 20
    cpu = last["cpu_ms_per_request"]
    need = rps20 * cpu.get("machine", 0) / 1000
    held = [r for r in runs if r["passed"]]
    text = (
        f"What N = 20 would take here: the mix at 20x is about {rps20:.0f} requests a second ({last['rps']:.1f} "
        f"at {last['factor']:g}x); at {cpu.get('machine', 0):.1f} ms of CPU each that is {need:.1f} cores' work "
        f"every second on a machine of {cores} (the web server alone {rps20 * cpu.get('web server', 0) / 1000:.1f}, "
        f"PostgreSQL {rps20 * cpu.get('PostgreSQL', 0) / 1000:.1f})."
    )
    if held:
        h = held[-1]
        busy = h["cpu_share"].get("machine", 0)
        target = busy * cores / rps20 * 1000
        text += (
            f" Each page's p99 stays within 4 times its p50 only while requests seldom wait for a core: the last "
            f"step that held ({h['factor']:g}x) ran the machine {busy:.0%} busy, and holding 20x that lightly "
            f"would need about {target:.1f} ms of CPU per request of the mix, against {cpu.get('machine', 0):.1f} "
            "measured. The limit is CPU per request, mostly Django's request cycle and each page's rendering in "
            "the web server (the page ratios below, and `python -m bench.profile_pages` for where a page's time "
            "goes), with the load generator, Celery and the provider's test double on the same two cores; the "
            "database is a small share."
        )
    return text


def ladder_section(result: dict, *, rates):
    from .harness import Section

    steps = result["steps"]
    runs, n = steps["runs"], steps["n"]
    rows = []
    for r in runs:
        cpu = r["cpu_ms_per_request"]
        rows.append(
            [
                f"{r['factor']:g}x" + (" (again)" if r["attempt"] == 2 else ""),
                f"{sum(rates(r['factor']).values()):.1f}",
                r["rps"],
                r["error_count"],
                r["p50_ms"],
                r["p99_ms"],
                f"{cpu.get('web server', 0):.1f}",
                f"{cpu.get('PostgreSQL', 0):.1f}",
                f"{cpu.get('machine', 0):.1f}",
                f"{r['cpu_share'].get('machine', 0):.0%}",
                r["loadavg"],
                "held" if r["passed"] else "missed: " + "; ".join(r["misses"][:3]),
                "; ".join(r["mix_misses"]) or "within both",
            ]
        )
    last = runs[-1]
    notes = [
        f"Capacity N = {n:g}: the mix held at {n:g} times the Monday peak (target 20), every page of ours within the limits."
        if n is not None
        else f"Capacity N: below {runs[0]['factor']:g} (the first step missed).",
        "The last column reads the criterion over every request of the mix at once, for comparison: the mix "
        "joins 3 ms pages (home) with 40 ms ones (the officers' queue, a card payment through the provider), so "
        "its p99 is the slow pages' ordinary latency and p99/p50 misses 4 even at 2x with no queueing at all; "
        "page by page (as before, when 2x held) is the reading N uses.",
    ]
    if not last["passed"]:
        cpu = last["cpu_ms_per_request"]
        busy = last["cpu_share"].get("machine", 0)
        notes.append(
            f"At {last['factor']:g}x the machine was {busy:.0%} busy and each request of the mix cost "
            f"{cpu.get('machine', 0):.1f} ms of CPU in all ({cpu.get('web server', 0):.1f} ms in the web server, "
            f"{cpu.get('PostgreSQL', 0):.1f} ms in PostgreSQL, {cpu.get('Celery worker', 0):.1f} ms in the "
            f"Celery worker, {cpu.get('load generator', 0):.1f} ms in the load generator on the same cores, "
            f"{cpu.get('rest of the machine', 0):.1f} ms elsewhere on the machine)."
        )
        notes.append(_what_twenty_takes(runs, n))
    return Section(
        title="Capacity: the mixed load at growing multiples of the Monday peak (30,000 tenancies)",
        intro=(
            "Issue 18's capacity figure N: the mixed load below (open loop, Poisson arrivals, latency from each "
            "arrival's scheduled time) at 2, 5, 7.5, 10, 15... times the Monday peak in turn on one server and one set of "
            f"data, {runs[0]['duration_s']:.0f}s a step, until a step misses the criterion: an error, or any page of "
            f"ours with p99 above {SPREAD_LIMIT:g} x its p50 or above {P99_LIMIT_MS:.0f} ms. On this shared machine "
            "a step that misses is run once more and counts as missed only if it misses again. Requests are every "
            "request of every journey (a card payment is five); p50 and p99 are over all of them. CPU columns are "
            "each group's CPU time over the step from /proc (the web server's processes, PostgreSQL's postmaster "
            "and backends; 'all' is the whole machine's busy time, other sessions' work included) divided by the "
            "requests served. Target: N at least 20."
        ),
        headers=[
            "multiple of the peak",
            "journeys/s offered",
            "requests/s served",
            "errors",
            "p50 ms",
            "p99 ms",
            "web CPU ms/request",
            "PostgreSQL CPU ms/request",
            "all CPU ms/request",
            "machine busy",
            "load average at end",
            "result (every page)",
            "the mix as one (p99/p50, p99)",
        ],
        rows=rows,
        notes=notes,
    )
