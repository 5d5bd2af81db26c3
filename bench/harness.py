"""Benchmark harness: servers, load generation and the report written to docs/performance.md."""

from __future__ import annotations

import contextlib
import http.client
import os
import platform
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parents[1]


@dataclass
class Section:
    title: str
    intro: str
    headers: list[str]
    rows: list[list]
    notes: list[str] = field(default_factory=list)
    measured: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))

    def markdown(self) -> str:
        out = [f"## {self.title}", "", f"_Measured {self.measured}._", "", self.intro.strip(), ""]
        out.append("| " + " | ".join(self.headers) + " |")
        out.append("|" + "|".join("---" for _ in self.headers) + "|")
        for row in self.rows:
            out.append("| " + " | ".join(_fmt(c) for c in row) + " |")
        out.append("")
        for note in self.notes:
            out.append(f"- {note}")
        if self.notes:
            out.append("")
        return "\n".join(out)


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@dataclass
class LoadStats:
    count: int
    errors: int
    duration_s: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.count / self.duration_s if self.duration_s else 0.0

    def _pct(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        data = sorted(self.latencies_ms)
        k = min(len(data) - 1, max(0, round(p / 100 * (len(data) - 1))))
        return data[k]

    @property
    def p50_ms(self) -> float:
        return self._pct(50)

    @property
    def p95_ms(self) -> float:
        return self._pct(95)

    @property
    def p99_ms(self) -> float:
        return self._pct(99)

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.latencies_ms) if self.latencies_ms else float("nan")


class Context:
    """What a benchmark gets: sizes, services, Django set up, a gunicorn server and a load generator."""

    def __init__(self, *, quick: bool):
        self.quick = quick
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k
            in {
                "DATABASE_URL",
                "REDIS_URL",
                "STRIPE_API_BASE",
                "STRIPE_SECRET_KEY",
                "STRIPE_PUBLISHABLE_KEY",
                "STRIPE_WEBHOOK_SECRET",
                "STRIPE_JS_URL",
            }
        }
        self._django_ready = False

    def setup_django(self) -> None:
        if self._django_ready:
            return
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackney_portal.settings.development")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        self._django_ready = True

    @contextlib.contextmanager
    def gunicorn(self, *, workers: int = 2, extra_env: dict | None = None):
        from hackney_portal.devservices import free_port, wait_for_port, web_command

        self.setup_django()
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_ROOT_URLCONF": "bench.urls",
            "LOG_LEVEL": "WARNING",
            "DJANGO_DEBUG": "false",
            **(extra_env or {}),
        }
        cmd = [*web_command(port=port, workers=workers), "--log-level", "warning", "--timeout", "120"]
        proc = subprocess.Popen(cmd, cwd=BASE_DIR, env=env, start_new_session=True)
        self.gunicorn_pid = proc.pid  # for benchmarks that read the server's CPU time from /proc
        try:
            wait_for_port(port, timeout=60, proc=proc)
            base = f"http://127.0.0.1:{port}"
            # Warm every worker (imports, first connections) so the first measured seconds are not cold.
            self.http_load(base, ["/__bench__/ceiling/"], concurrency=workers * 2, duration_s=1.0)
            yield base
        finally:
            from hackney_portal.devservices import terminate_group

            terminate_group(proc)

    @contextlib.contextmanager
    def celery_worker(self, *, concurrency: int = 2):
        """A real Celery worker on the same broker and database, as `make run` starts one."""
        from hackney_portal.devservices import terminate_group, worker_command

        proc = subprocess.Popen(
            [
                *worker_command(concurrency=concurrency, loglevel="WARNING"),
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=BASE_DIR,
            env={**os.environ, "LOG_LEVEL": "WARNING"},
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            yield proc
        finally:
            terminate_group(proc)

    def http_load(
        self,
        base_url: str,
        requests: list,
        *,
        concurrency: int = 8,
        duration_s: float = 10.0,
        cookies: dict | None = None,
        max_requests: int | None = None,
    ) -> LoadStats:
        """Closed-loop load: `concurrency` keep-alive clients each send the next request as soon as the last
        answers, cycling through `requests`, for `duration_s` seconds (or until `max_requests`)."""
        parts = urlsplit(base_url)
        normalised = [(("GET", r, None, {}) if isinstance(r, str) else r) for r in requests]
        cookie_header = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
        latencies: list[list[float]] = [[] for _ in range(concurrency)]
        errors = [0] * concurrency
        counter = {"n": 0}
        lock = threading.Lock()
        stop_at = time.monotonic() + duration_s

        def client(i: int) -> None:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            j = i
            while time.monotonic() < stop_at:
                if max_requests is not None:
                    with lock:
                        if counter["n"] >= max_requests:
                            return
                        counter["n"] += 1
                method, path, body, headers = normalised[j % len(normalised)]
                j += concurrency
                hdrs = {"Host": f"{parts.hostname}:{parts.port}", **(headers or {})}
                if cookie_header:
                    hdrs["Cookie"] = cookie_header
                started = time.perf_counter()
                try:
                    conn.request(method, path, body=body, headers=hdrs)
                    resp = conn.getresponse()
                    resp.read()
                    if resp.status >= 400:
                        errors[i] += 1
                    if resp.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                except (OSError, http.client.HTTPException):
                    errors[i] += 1
                    conn.close()
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                    continue
                latencies[i].append((time.perf_counter() - started) * 1000)
            conn.close()

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        flat = [x for lst in latencies for x in lst]
        return LoadStats(count=len(flat), errors=sum(errors), duration_s=elapsed, latencies_ms=flat)


def machine_summary() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB memory"
    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}"


def _existing_sections(path: Path) -> dict[str, str]:
    """Sections already in the report, by title, so running one benchmark keeps the others' figures."""
    if not path.exists():
        return {}
    parts = path.read_text().split("\n## ")[1:]
    out = {}
    for part in parts:
        title = part.split("\n", 1)[0].strip()
        if title != "Benchmarks that failed in this run":
            out[title] = "## " + part.rstrip() + "\n"
    return out


def write_report(
    sections: list[Section], failures: list[str], *, quick: bool, path: Path, keep_others: bool = False
) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True, check=False
    ).stdout.strip()
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`python -m bench`); do not edit by hand. Every figure is measured in the",
        "same run as the peer or ceiling it is compared with, on the same machine, against the embedded",
        "PostgreSQL and Redis servers. Load is generated on the same machine over loopback, so client and",
        "server share the cores: compare ratios, not absolute numbers, across machines.",
        "",
        f"- Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit or 'uncommitted'}"
        + (" (quick mode: reduced sizes)" if quick else ""),
        f"- Machine: {machine_summary()}",
        "",
    ]
    kept = _existing_sections(path) if keep_others else {}
    fresh = {s.title: s.markdown() for s in sections}
    # A section run again takes its old place, so a partial run leaves the page in the same order.
    for title, text in kept.items():
        lines.append(fresh.pop(title, text))
    lines.extend(fresh.values())
    if failures:
        lines += ["## Benchmarks that failed in this run", ""] + [f"- {f}" for f in failures] + [""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
