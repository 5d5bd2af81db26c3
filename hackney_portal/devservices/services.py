"""The embedded servers of one data folder: started together, described to Django by environment
variables, and stopped together."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .localstripe import localstripe_env, start_localstripe
from .ports import free_port, port_is_free, wait_for_port
from .postgres import start_postgres, stop_postgres
from .redis_server import start_redis

BASE_DIR = Path(__file__).resolve().parents[2]


class AlreadyRunning(RuntimeError):
    pass


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
            # Redis and localstripe start while PostgreSQL does (pg_ctl waits for it); then wait for them.
            waiting: dict[str, int] = {}
            if not os.environ.get("REDIS_URL"):
                self.procs["redis"] = start_redis(self.root, ports["redis"], persistent=self.persistent)
                waiting["redis"] = ports["redis"]
                self.env["REDIS_URL"] = f"redis://127.0.0.1:{ports['redis']}/0"
            if want_stripe and not os.environ.get("STRIPE_SECRET_KEY"):
                self.procs["stripe"] = start_localstripe(
                    self.root, ports["stripe"], persistent=self.persistent
                )
                waiting["stripe"] = ports["stripe"]
                self.env.update(localstripe_env(self.root, ports["stripe"]))
            if not os.environ.get("DATABASE_URL"):
                self.env["DATABASE_URL"] = start_postgres(
                    self.root, ports["postgres"], persistent=self.persistent
                )
                self._pg_started = True
            for name, port in waiting.items():
                wait_for_port(port, proc=self.procs[name])
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
            stop_postgres(self.root)
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
