"""Start the portal and its services: `python -m hackney_portal.devservices run` (make run)
or run a command beside fresh throwaway services: `python -m hackney_portal.devservices exec -- pytest`
(make test).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from hackney_portal.celery import DEFAULT_SETTINGS_MODULE

from . import (
    BASE_DIR,
    AlreadyRunning,
    Services,
    register_localstripe_webhook,
    terminate_group,
    wait_for_port,
    web_command,
    worker_command,
)

PY = sys.executable


def _say(message: str) -> None:
    print(f"[portal] {message}", flush=True)


def _manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


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
    try:
        _say("starting PostgreSQL, Redis (Valkey) and localstripe ...")
        env = {**os.environ, **services.start()}
        port = int(os.environ.get("PORT") or 8000)
        from . import free_port, port_is_free

        if not port_is_free(port):
            other = free_port()
            _say(f"port {port} is busy; using {other} instead")
            port = other
        base_url = f"http://127.0.0.1:{port}"
        env.setdefault("PORTAL_SITE_URL", base_url)
        env.setdefault("DJANGO_DEBUG", "true")
        env.setdefault("LOG_FORMAT", "plain")
        _say("applying database migrations ...")
        _manage(env, "migrate", "--noinput", "-v", "0")
        _say("loading demo data (safe to repeat) ...")
        _manage(env, "seed_demo")
        if "STRIPE_API_BASE" in services.env:
            register_localstripe_webhook(
                services.env["STRIPE_API_BASE"],
                f"{base_url}/payments/stripe/webhook/",
                services.env["STRIPE_WEBHOOK_SECRET"],
            )
        logs = root / "logs"
        logs.mkdir(exist_ok=True)
        commands = {
            "web": [
                *web_command(port=port),
                "--graceful-timeout",
                "5",
                "--timeout",
                "60",
            ],
            "worker": [*worker_command(), "--hostname", "portal-worker@%h"],
            "beat": [
                PY,
                "-m",
                "celery",
                "-A",
                "hackney_portal",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(root / "celerybeat-schedule"),
            ],
        }
        for name, cmd in commands.items():
            log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
            children[name] = subprocess.Popen(
                cmd, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for_port(port, timeout=60, proc=children["web"])
        _say(f"ready in {time.monotonic() - started:.0f}s")
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
    except subprocess.CalledProcessError as exc:
        _say(f"setup failed: {exc}")
        return 1
    finally:
        _say("stopping ...")
        for proc in reversed(list(children.values())):
            terminate_group(proc)
        services.stop()
        _say("stopped; nothing is left running.")


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


def exec_(args: argparse.Namespace) -> int:
    root = BASE_DIR / ".data" / f"test-{os.getpid()}"
    services = Services(root, persistent=False)
    try:
        env = {**os.environ, **services.start()}
        if env.get("DJANGO_SETTINGS_MODULE") == DEFAULT_SETTINGS_MODULE:
            # Put there by importing the `hackney_portal` package (its Celery app), not chosen by whoever
            # ran this: the command picks its own (pytest the test settings, manage.py development).
            del env["DJANGO_SETTINGS_MODULE"]
        env["PORTAL_IGNORE_SERVICES_FILE"] = "1"
        env["PORTAL_EMAIL_FILE_PATH"] = str(root / "mail")
        proc = subprocess.Popen(args.command, cwd=BASE_DIR, env=env)
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            return proc.wait()
    finally:
        services.stop()


def health(args: argparse.Namespace) -> int:
    url = args.url
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback
            print(resp.read().decode())
            return 0
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        print(f"unhealthy: {exc}")
        return 1


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m hackney_portal.devservices")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("run", help="start services, migrate, seed and run web, worker and beat")
    p_exec = sub.add_parser("exec", help="run a command with fresh embedded services")
    p_exec.add_argument("command", nargs=argparse.REMAINDER)
    p_health = sub.add_parser("health")
    p_health.add_argument("url")
    args = parser.parse_args()
    if args.cmd == "exec":
        if args.command and args.command[0] == "--":
            args.command = args.command[1:]
        return exec_(args)
    if args.cmd == "health":
        return health(args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
