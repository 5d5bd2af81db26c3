"""Many "hosts" on one machine: each a web server, a Celery worker and (optionally) a beat in a working folder
of its own, with no shared disk, behind a round-robin front. The multi-host test (`tests/scale/`) and the
scale benchmark (`bench/bench_scale.py`) start the same ones.

`python -m hackney_portal.devservices.cluster front PORT BACKEND_PORT...` runs the front alone in a process of
its own, so that what it costs is counted apart from the load generator's.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from .commands import BASE_DIR, beat_command, web_command, worker_command
from .ports import free_port, wait_for_port


class RoundRobinFront:
    """The load balancer: each request to the next host; a host that refuses the connection is skipped,
    as a load balancer's health checks and retries do."""

    def __init__(self, backends: list[int], port: int | None = None):
        self.backends = backends
        self.turn = 0
        self.lock = threading.Lock()
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                with front.lock:
                    first = front.turn
                    front.turn += 1
                for i in range(len(front.backends)):
                    port = front.backends[(first + i) % len(front.backends)]
                    try:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                        conn.request(self.command, self.path, body=body, headers=headers)
                        response = conn.getresponse()
                        data = response.read()
                        conn.close()
                    except (ConnectionError, http.client.HTTPException):
                        # Refused, or cut off by a host dying mid-request: try the next host, as
                        # nginx's proxy_next_upstream does (a webhook is safe to repeat; so is a GET).
                        continue
                    self.send_response(response.status)
                    for key, value in response.getheaders():
                        if key.lower() not in {"connection", "transfer-encoding", "content-length"}:
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("X-Served-By", str(port))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.send_error(502)

            do_GET = do_POST = do_HEAD = _forward

        self.port = port or free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def front_process(backends: list[int]):
    """The front in a process of its own; yields (its URL, the process)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hackney_portal.devservices.cluster", "front", str(port), *map(str, backends)],
        cwd=BASE_DIR,
        start_new_session=True,
    )
    try:
        wait_for_port(port, timeout=30, proc=proc)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        from .commands import terminate_group

        terminate_group(proc)


def _status(url: str) -> int:
    try:
        with urlopen(url, timeout=10) as response:  # noqa: S310 - a loopback address we started
            return response.status
    except (URLError, OSError, http.client.HTTPException):
        return 0


class Host:
    """One machine: its own folder (media, temporary files, metrics, logs), a web server, a worker and,
    unless told otherwise, a beat. `env` names the shared services (database, Redis, bucket)."""

    def __init__(
        self,
        name: str,
        root: Path,
        env: dict,
        *,
        web_workers: int = 2,
        worker_concurrency: int = 2,
        beat: bool = True,
        log_level: str = "INFO",
    ):
        self.name = name
        self.folder = root / f"host-{name}"
        for sub in ("media", "tmp", "metrics", "logs"):
            (self.folder / sub).mkdir(parents=True)
        self.env = {
            **env,
            "PORTAL_MEDIA_ROOT": str(self.folder / "media"),
            "TMPDIR": str(self.folder / "tmp"),
            "PROMETHEUS_MULTIPROC_DIR": str(self.folder / "metrics"),
        }
        self.web_workers = web_workers
        self.worker_concurrency = worker_concurrency
        self.with_beat = beat
        self.log_level = log_level
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.web = self.worker = self.beat = None

    def _spawn(self, cmd: list[str], log: str) -> subprocess.Popen:
        with open(self.folder / "logs" / log, "ab") as out:
            return subprocess.Popen(
                cmd,
                cwd=self.folder,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start(self) -> Host:
        self.web = self._spawn(
            [*web_command(port=self.port, workers=self.web_workers), "--log-level", self.log_level.lower()],
            "web.log",
        )
        self.worker = self._spawn(
            [
                *worker_command(concurrency=self.worker_concurrency, loglevel="INFO"),
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"host-{self.name}-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            "worker.log",
        )
        if self.with_beat:
            self.beat = self._spawn(
                beat_command(schedule_file=self.folder / "celerybeat-schedule", loglevel=self.log_level),
                "beat.log",
            )
        wait_for_port(self.port, timeout=90, proc=self.web)
        self._wait(lambda: _status(f"{self.url}/readyz") == 200, "web ready", self.web, "web.log")
        self._wait(
            lambda: b"ready." in (self.folder / "logs" / "worker.log").read_bytes(),
            "worker ready",
            self.worker,
            "worker.log",
        )
        return self

    def _wait(self, check, what: str, proc: subprocess.Popen, log: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"host {self.name}: {what}: exited: {self.log_tail(log)}")
            if check():
                return
            time.sleep(0.2)
        raise TimeoutError(f"host {self.name}: {what}: timed out: {self.log_tail(log)}")

    def log_tail(self, log: str) -> str:
        return (self.folder / "logs" / log).read_text(errors="replace")[-3000:]

    def pids(self) -> dict[str, int]:
        return {k: p.pid for k, p in (("web", self.web), ("worker", self.worker), ("beat", self.beat)) if p}

    def kill_web(self) -> None:
        os.killpg(self.web.pid, signal.SIGKILL)
        self.web.wait(10)

    def kill_worker(self) -> None:
        # The whole group: the main process and its pool children, as a lost machine takes them.
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(10)

    def stop(self) -> None:
        for proc in (self.web, self.worker, self.beat):
            if proc and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in (self.web, self.worker, self.beat):
            if proc and proc.returncode is None:
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] != "front":
        print("usage: python -m hackney_portal.devservices.cluster front PORT BACKEND...", file=sys.stderr)
        return 2
    front = RoundRobinFront([int(p) for p in argv[2:]], port=int(argv[1]))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    front.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
