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
import urllib.request

from hackney_portal.celery import DEFAULT_SETTINGS_MODULE

from . import BASE_DIR, Services
from .run import run


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
