"""localstripe, the Stripe test double: starting it, and registering the portal's webhook with it."""

from __future__ import annotations

import secrets
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def start_localstripe(root: Path, port: int, *, persistent: bool) -> subprocess.Popen:
    """Start the Stripe test double, without waiting for it to listen."""
    store = root / "localstripe.pickle"
    args = [sys.executable, "-m", "hackney_portal.devservices.localstripe_server", "--port", str(port)]
    args += ["--store", str(store)] if persistent else ["--memory"]
    log = open(root / "localstripe.log", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=BASE_DIR)
    return proc


def localstripe_env(root: Path, port: int) -> dict[str, str]:
    """Settings pointing the portal at a localstripe on this port (its webhook secret kept in `root`)."""
    secret_file = root / "webhook_secret"
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
