"""Scale-out: the mixed load through one host and through two, and where the machine's CPU went.

Each "host" is a web server and a Celery worker with a working folder of its own (the multi-host test's
launcher, `hackney_portal.devservices.cluster`), on one PostgreSQL and one Redis, behind the round-robin front
in a process of its own. The load is the mixed benchmark's journeys (`bench/bench_mixed.py`: the same borough,
the same pages, the same mix by the peak hour's rates), run closed loop by a fixed number of clients so the
figure is what the layout can serve. The one-host run is the peer of the two-host run: both go through the
same front, with the same clients, in the same run.

While each load runs, the CPU time of every process is read from /proc (through psutil): PostgreSQL (the
postmaster and its backends, exited ones included through the postmaster's reaped-children times), Redis, the
web servers, the workers, the front, the load generator, and the rest of the machine.
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

from .bench_mixed import JOURNEYS, Recorder, _rates, _seed, _warm
from .harness import BASE_DIR, LoadStats, Section

CLIENTS = 16
WEB_WORKERS = 2  # gunicorn processes per host, WEB_THREADS threads each, as a production pod
WORKER_CONCURRENCY = 2


def closed_loop(base: str, world: dict, *, clients: int, duration_s: float, seed: int = 11):
    """`clients` people, each starting the next journey (chosen by the mix's rates) as soon as the last ends."""
    rates = _rates()
    names, weights = list(rates), list(rates.values())
    rec = Recorder()
    journeys = [0] * clients
    stop_at = time.perf_counter() + duration_s

    def client(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        while time.perf_counter() < stop_at:
            name = rng.choices(names, weights)[0]
            JOURNEYS[name](rec, base, world, random.Random(rng.random()), time.perf_counter())
            journeys[i] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return rec, time.perf_counter() - started, sum(journeys)


# ---------------------------------------------------------------------------------------------------------
# CPU accounting from /proc.


def _tree_seconds(pid: int) -> float:
    """CPU seconds a process and everything it forked have used: live ones' own and reaped children's."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def _machine_busy_seconds() -> float:
    import psutil

    t = psutil.cpu_times()
    return (
        sum(t) - t.idle - getattr(t, "iowait", 0.0) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)
    )


def _self_seconds() -> float:
    import psutil

    t = psutil.Process().cpu_times()
    return t.user + t.system


def _service_pids() -> dict[str, list[int]]:
    import psutil
    import redis
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    pids = {"PostgreSQL": [psutil.Process(backend).parent().pid]}
    connection.close()
    pids["Redis"] = [int(redis.Redis.from_url(settings.REDIS_URL).info("server")["process_id"])]
    return pids


class CpuMeter:
    """CPU seconds per group of processes between start() and stop(), and the machine's, over wall time."""

    def __init__(self, groups: dict[str, list[int]]):
        self.groups = groups

    def _read(self) -> dict[str, float]:
        out = {name: sum(_tree_seconds(p) for p in pids) for name, pids in self.groups.items()}
        out["load generator"] = _self_seconds()
        out["machine"] = _machine_busy_seconds()
        out["wall"] = time.monotonic()
        return out

    def start(self) -> None:
        self.before = self._read()

    def stop(self) -> dict[str, float]:
        after = self._read()
        wall = after["wall"] - self.before["wall"]
        cores = os.cpu_count() or 1
        # Each as a share of the machine's capacity (all cores over the wall time).
        shares = {k: (after[k] - self.before[k]) / (wall * cores) for k in after if k != "wall"}
        shares["rest of the machine"] = max(
            0.0, shares["machine"] - sum(v for k, v in shares.items() if k != "machine")
        )
        return shares


# ---------------------------------------------------------------------------------------------------------


def _measure(world: dict, hosts: int, root: Path, duration: float, ctx) -> dict:
    import psycopg
    from django.conf import settings

    from hackney_portal.devservices.cluster import Host, front_process

    env = {
        **os.environ,
        "LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "false",
        # The whole simulated borough comes from one address here.
        "PORTAL_RATE_LIMITS_ENABLED": "0",
        "PYTHONPATH": str(BASE_DIR),
    }
    started = [
        Host(
            n,
            root,
            env,
            web_workers=WEB_WORKERS,
            worker_concurrency=WORKER_CONCURRENCY,
            beat=False,
        )
        for n in "ab"[:hosts]
    ]
    try:
        for h in started:
            h.start()
        with front_process([h.port for h in started]) as (base, front):
            _warm(ctx, base, world)
            groups = {
                **_service_pids(),
                "web servers": [h.web.pid for h in started],
                "Celery workers": [h.worker.pid for h in started],
                "front": [front.pid],
            }
            meter = CpuMeter(groups)
            dsn = settings.DATABASES["default"]
            stats_sql = (
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
            )
            with psycopg.connect(
                host=dsn["HOST"], port=dsn["PORT"], user=dsn["USER"], dbname=dsn["NAME"], autocommit=True
            ) as conn:
                xacts = conn.execute(stats_sql).fetchone()[0]
                meter.start()
                rec, elapsed, journeys = closed_loop(base, world, clients=CLIENTS, duration_s=duration)
                cpu = meter.stop()
                xacts = conn.execute(stats_sql).fetchone()[0] - xacts
    finally:
        for h in started:
            h.stop()
    latencies = [
        ms for page, values in rec.latencies.items() if not page.startswith("peer:") for ms in values
    ]
    errors = {page: e[:3] for page, e in rec.errors.items()}
    return {
        "hosts": hosts,
        "elapsed_s": elapsed,
        "journeys": journeys,
        "requests": len(latencies),
        "errors": sum(len(e) for e in rec.errors.values()),
        "error_samples": errors,
        "latencies_ms": latencies,
        "db_transactions": xacts,
        "cpu": cpu,
    }


def child(output: str, quick: bool) -> None:
    """Runs in a process whose DATABASE_URL names a fresh database."""
    from .harness import Context

    ctx = Context(quick=quick)
    ctx.setup_django()
    world = _seed(quick)
    duration = 20.0 if quick else 60.0
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-", dir=BASE_DIR / ".data") as root:
        # Alternating, twice in a full run, so a moment the machine is busy elsewhere lands on both layouts.
        for i, hosts in enumerate((1, 2) if quick else (1, 2, 1, 2)):
            runs.append(_measure(world, hosts, Path(root) / f"run-{i}", duration, ctx))
    Path(output).write_text(json.dumps({"sizes": world["sizes"], "runs": runs, "cores": os.cpu_count()}))


def run(ctx) -> list[Section]:
    import subprocess

    import psycopg
    from django.conf import settings

    ctx.setup_django()
    db = settings.DATABASES["default"]
    name = f"hp_scale_{os.getpid()}"
    admin_dsn = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/postgres"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    out = BASE_DIR / ".data" / f"{name}.json"
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"}
    try:
        cmd = [sys.executable, "-m", "bench.bench_scale", str(out)] + (["--quick"] if ctx.quick else [])
        subprocess.run(cmd, cwd=BASE_DIR, env=env, check=True)
        result = json.loads(out.read_text())
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        out.unlink(missing_ok=True)
    return [_section(result)]


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _section(result: dict) -> Section:
    rows = []
    by_hosts: dict[int, list[float]] = {}
    for r in result["runs"]:
        stats = LoadStats(r["requests"], r["errors"], r["elapsed_s"], r["latencies_ms"])
        by_hosts.setdefault(r["hosts"], []).append(stats.rps)
        cpu = r["cpu"]
        db_of_busy = cpu["PostgreSQL"] / cpu["machine"] if cpu["machine"] else float("nan")
        rows.append(
            [
                "one host" if r["hosts"] == 1 else f"{r['hosts']} hosts",
                f"{stats.rps:,.1f}",
                f"{r['journeys'] / r['elapsed_s']:,.1f}",
                r["errors"],
                stats.p50_ms,
                stats.p99_ms,
                f"{r['db_transactions'] / r['elapsed_s']:,.0f}",
                _pct(cpu["machine"]),
                f"{_pct(cpu['PostgreSQL'])} ({_pct(db_of_busy)} of busy)",
                _pct(cpu["web servers"]),
                _pct(cpu["Celery workers"]),
                _pct(cpu["Redis"]),
                _pct(cpu["front"] + cpu["load generator"]),
                _pct(cpu["rest of the machine"]),
            ]
        )
    means = {hosts: sum(v) / len(v) for hosts, v in by_hosts.items()}
    ratio = means[2] / means[1] if means[1] else float("nan")
    two = result["runs"][-1]["cpu"]
    last = result["runs"][-1]
    # CPU milliseconds each group spent per request served (share x cores x seconds / requests).
    cost = {
        k: v * result["cores"] * last["elapsed_s"] * 1000 / max(1, last["requests"]) for k, v in two.items()
    }
    sizes = ", ".join(f"{v:,} {k}" for k, v in result["sizes"].items())
    errors = [f"{r['hosts']} host(s): {r['error_samples']}" for r in result["runs"] if r["errors"]]
    limit = (
        "the database is not the limit: it used "
        f"{_pct(two['PostgreSQL'])} of the machine's {result['cores']} cores with two hosts, while the web "
        f"servers used {_pct(two['web servers'])} and the machine was {_pct(two['machine'])} busy."
    )
    return Section(
        title="Scale-out: the mixed load through one host and through two",
        intro=(
            f"The mixed benchmark's borough ({sizes}) and journeys, weighted by the peak hour's rates, driven "
            f"closed loop by {CLIENTS} clients for {result['runs'][0]['elapsed_s']:.0f}s through the round-robin "
            "front (`hackney_portal/devservices/cluster.py`, in a process of its own) to one host and then to two. "
            f"A host is gunicorn ({WEB_WORKERS} processes of WEB_THREADS threads) and a Celery worker (concurrency "
            f"{WORKER_CONCURRENCY}) in a folder of its own; both layouts share one PostgreSQL and one Redis, and "
            "every process, the load generator included, shares this machine's cores. CPU columns are each "
            "group's CPU time over the run as a share of all cores (100% = every core busy for the whole run), "
            "read from /proc; PostgreSQL counts the postmaster and every backend, and 'rest of the machine' is "
            "other work on it (other sessions' tests, localstripe). The one-host run is the two-host run's peer."
        ),
        headers=[
            "layout",
            "requests/s",
            "journeys/s",
            "errors",
            "p50 ms",
            "p99 ms",
            "DB transactions/s",
            "machine busy",
            "PostgreSQL CPU",
            "web servers",
            "Celery workers",
            "Redis",
            "front + load generator",
            "rest of the machine",
        ],
        rows=rows,
        notes=[
            f"Two hosts / one host: {ratio:.2f}x the requests a second on {result['cores']} cores "
            f"({means[2]:,.1f} against {means[1]:,.1f}, each the mean of its runs).",
            f"CPU per request of the mix, two hosts: web servers {cost['web servers']:.1f} ms, PostgreSQL "
            f"{cost['PostgreSQL']:.1f} ms, Celery workers {cost['Celery workers']:.1f} ms, Redis {cost['Redis']:.1f} ms "
            f"(so one core of PostgreSQL serves about {1000 / cost['PostgreSQL']:,.0f} requests a second of this "
            f"mix, one core of web server about {1000 / cost['web servers']:,.0f}; docs/deployment.md's "
            "capacity model uses these).",
            f"{limit[0].upper()}{limit[1:]}"
            if two["PostgreSQL"] < 0.5
            else f"The database may be the limit: it used {_pct(two['PostgreSQL'])} of the machine's cores.",
            "On a machine whose cores are all busy, a second host adds processes, not capacity: the ratio shows "
            "what two hosts cost on the same cores (more processes, more connections), and the database's share "
            "shows how far the shared piece is from being the bottleneck once hosts have cores of their own.",
        ]
        + (["Errors seen: " + "; ".join(errors)] if errors else []),
    )


if __name__ == "__main__":
    child(sys.argv[1], "--quick" in sys.argv[2:])
