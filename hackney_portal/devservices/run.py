"""`make run`: start the embedded servers, bring the database up to date, then the web server, a Celery
worker and beat, and stop everything on Ctrl-C.

A second run in the same data folder skips what is already done: `migrate` when no migration (and no locked
library, whose migrations count too) has changed since the last successful one, and the demo data when
neither it nor the migrations have changed. Their fingerprints are kept in `<data folder>/setup.json`;
delete it to force both. The web server and worker start while the demo data loads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .commands import beat_command, terminate_group, web_command, worker_command
from .localstripe import register_localstripe_webhook
from .ports import free_port, port_is_free, wait_for_port
from .services import BASE_DIR, AlreadyRunning, Services

PY = sys.executable
APP_FOLDERS = ["hackney_portal", "payments", "employment", "homelessness"]


def _say(message: str) -> None:
    print(f"[portal] {message}", flush=True)


def _manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def _lower_priority() -> None:
    os.nice(10)


def _fingerprint(base: Path, paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(set(paths)):
        digest.update(str(path.relative_to(base)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def setup_fingerprints(base: Path = BASE_DIR) -> dict[str, str]:
    """What the database's schema and the demo data are made from, as two hashes."""
    migrations = [base / "requirements.lock"]
    for folder in APP_FOLDERS:
        migrations += (base / folder).glob("**/migrations/*.py")
    demo = []
    for folder in APP_FOLDERS:
        demo += (base / folder).glob("**/demo*.py")
        demo += (p for p in (base / folder).glob("**/data/*") if p.is_file())
        demo += (base / folder).glob("**/management/commands/seed_demo.py")
    schema = _fingerprint(base, migrations)
    return {"migrations": schema, "demo": _fingerprint(base, demo) + schema}


def setup_needed(state_file: Path, current: dict[str, str]) -> dict[str, bool]:
    """Which setup steps must run: all of them unless `state_file` records this same schema and demo data."""
    try:
        done = json.loads(state_file.read_text())
    except (OSError, ValueError):
        done = {}
    return {step: done.get(step) != value for step, value in current.items()}


def _setup_record(state_file: Path, current: dict[str, str], steps: list[str]) -> None:
    try:
        done = json.loads(state_file.read_text())
    except (OSError, ValueError):
        done = {}
    done.update({step: current[step] for step in steps})
    state_file.write_text(json.dumps(done))


def run(args: argparse.Namespace) -> int:
    root = Path(os.environ.get("PORTAL_DATA_DIR") or BASE_DIR / ".data" / "run")
    services = Services(root, persistent=True)
    try:
        services.acquire_lock()
    except AlreadyRunning as exc:
        _say(str(exc))
        return 1

    stopping = False
    children: dict[str, subprocess.Popen] = {}

    def handle_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, handle_signal)
    signal.signal(signal.SIGTERM, handle_signal)
    started = time.monotonic()
    state_file = root / "setup.json"
    try:
        _say("starting PostgreSQL, Redis (Valkey) and localstripe ...")
        env = {**os.environ, **services.start()}
        port = int(os.environ.get("PORT") or 8000)
        if not port_is_free(port):
            other = free_port()
            _say(f"port {port} is busy; using {other} instead")
            port = other
        base_url = f"http://127.0.0.1:{port}"
        env.setdefault("PORTAL_SITE_URL", base_url)
        env.setdefault("DJANGO_DEBUG", "true")
        env.setdefault("LOG_FORMAT", "plain")
        current = setup_fingerprints()
        # Only our own database's state is known from the data folder; one named by DATABASE_URL is checked.
        needed = (
            setup_needed(state_file, current)
            if "DATABASE_URL" not in os.environ
            else dict.fromkeys(current, True)
        )
        if needed["migrations"]:
            _say("applying database migrations ...")
            _manage(env, "migrate", "--noinput", "-v", "0")
            _setup_record(state_file, current, ["migrations"])
        else:
            _say("database migrations: nothing changed since the last run")
        if "STRIPE_API_BASE" in services.env:
            register_localstripe_webhook(
                services.env["STRIPE_API_BASE"],
                f"{base_url}/payments/stripe/webhook/",
                services.env["STRIPE_WEBHOOK_SECRET"],
            )
        logs = root / "logs"
        logs.mkdir(exist_ok=True)
        commands = {
            "web": [*web_command(port=port), "--graceful-timeout", "5", "--timeout", "60"],
            # One worker: nobody to mingle or gossip with, and mingling alone costs a second at start.
            "worker": [
                *worker_command(),
                "--hostname",
                "portal-worker@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            "beat": beat_command(schedule_file=root / "celerybeat-schedule"),
        }
        # All three start together (each takes seconds of CPU to import Django), while the demo data loads;
        # beat at a lower priority, as nothing waits for it, so the web server and worker are ready sooner.
        for name, cmd in commands.items():
            log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
            children[name] = subprocess.Popen(
                cmd,
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_lower_priority if name == "beat" else None,
            )
        if needed["demo"]:
            _say("loading demo data (safe to repeat) ...")
            _manage(env, "seed_demo")
            _setup_record(state_file, current, ["demo"])
        else:
            _say("demo data: already loaded")
        wait_for_port(port, timeout=60, proc=children["web"])
        checks = wait_until_healthy(f"{base_url}/readyz?worker=1", children, timeout=90)
        _say(f"ready and healthy ({checks}) in {time.monotonic() - started:.1f}s")
        _print_banner(base_url, root)
        while not stopping:
            for name, proc in children.items():
                if proc.poll() is not None:
                    _say(
                        f"{name} exited with code {proc.returncode}; see {logs / (name + '.log')}. Stopping."
                    )
                    stopping = True
            time.sleep(0.5)
        return 0
    except (subprocess.CalledProcessError, RuntimeError) as exc:
        _say(f"setup failed: {exc}")
        return 1
    finally:
        _say("stopping ...")
        for proc in reversed(list(children.values())):
            terminate_group(proc)
        services.stop()
        _say("stopped; nothing is left running.")


def wait_until_healthy(url: str, children: dict[str, subprocess.Popen], *, timeout: float) -> str:
    """Wait until the health check passes (database, migrations, Redis and a Celery worker answering), so
    "ready" means the portal works, not only that a port is open; a child that exits stops the wait."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        for name, proc in children.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - our own loopback server
                return ", ".join(json.loads(resp.read())["checks"])
        except urllib.error.HTTPError as exc:  # 503 until every check passes
            last = exc.read().decode("utf-8", "replace")[:300]
        except (OSError, ValueError) as exc:
            last = str(exc)
        time.sleep(0.2)
    _say(f"not healthy after {timeout:.0f}s ({last}); starting anyway, see the logs")
    return "not yet healthy"


def _print_banner(base_url: str, root: Path) -> None:
    from .demo_logins import DEMO_LOGINS, DEMO_PASSWORD, DEMO_RENT_LINK_CODES

    print(flush=True)
    print(f"  Hackney Portal is running at {base_url}/", flush=True)
    print(f"  Health:      {base_url}/readyz?worker=1", flush=True)
    print(f"  Back office: {base_url}/admin/", flush=True)
    print(f"  Emails sent are written to {BASE_DIR / '.data' / 'mail'}/", flush=True)
    print(f"  Logs: {root / 'logs'}/", flush=True)
    print(f"\n  Demo logins (password for all: {DEMO_PASSWORD}):", flush=True)
    for login in DEMO_LOGINS:
        totp = f"  TOTP secret {login['totp_secret']}" if login.get("totp_secret") else ""
        print(f"    {login['role']:<18} {login['email']:<32}{totp}", flush=True)
    print("  Staff two-factor codes: add the TOTP secret to an authenticator app, or run", flush=True)
    print("    .venv/bin/python manage.py totp_code <email>", flush=True)
    codes = ", ".join(f"{code} for {ref}" for ref, code in DEMO_RENT_LINK_CODES.items())
    print(f"  Rent account link codes (as if posted to the tenant): {codes}", flush=True)
    print("\n  Press Ctrl-C to stop everything.\n", flush=True)
