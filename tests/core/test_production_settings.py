"""Production settings stand apart from development: no development file read, no demo data, no committed
secret, every required address given, and a Content Security Policy that admits exactly what Stripe.js
needs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hackney_portal.devservices import Services
from tests.conftest import BASE_DIR

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "hackney_portal.settings.production",
    "DJANGO_SECRET_KEY": "p" * 20 + "production-like-secret-key-with-enough-entropy-0123456789",
    "DJANGO_ALLOWED_HOSTS": "portal.example.gov.uk",
    "FIELD_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1maWVsZC1rZXktZm9yLXRlc3RzLTA=",
    "PORTAL_SITE_URL": "https://portal.example.gov.uk",
    "STRIPE_SECRET_KEY": "sk_live_placeholder",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_placeholder",
    "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
    "PORTAL_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "portal-files",
}
# What the development servers put in the environment must not leak into a production process here.
DEVELOPMENT_ONLY = {"STRIPE_API_BASE", "STRIPE_JS_URL", "PORTAL_IGNORE_SERVICES_FILE", "DJANGO_DEBUG"}


def _production_env(**overrides) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in DEVELOPMENT_ONLY and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(PRODUCTION_ENV)
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _production_settings(names: list[str], **overrides) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = _run(["-c", code], _production_env(**overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_never_read_the_development_services_file(tmp_path):
    (tmp_path / "services.env").write_text(
        "STRIPE_API_BASE=http://127.0.0.1:1\nREDIS_URL=redis://127.0.0.1:1/0\nDJANGO_DEBUG=true\n"
    )
    found = _production_settings(["STRIPE_API_BASE", "REDIS_URL", "DEBUG"], PORTAL_DATA_DIR=str(tmp_path))
    assert found["STRIPE_API_BASE"] == ""
    assert found["REDIS_URL"] != "redis://127.0.0.1:1/0"
    assert found["DEBUG"] is False


def test_development_settings_do_read_the_services_file_of_make_run(tmp_path):
    # The same mechanism is what lets `manage.py shell` reach `make run`'s servers; prove the test above
    # would see the file if production read it.
    (tmp_path / "services.env").write_text("STRIPE_API_BASE=http://127.0.0.1:1\n")
    env = {k: v for k, v in os.environ.items() if k not in DEVELOPMENT_ONLY}
    env.update(DJANGO_SETTINGS_MODULE="hackney_portal.settings.development", PORTAL_DATA_DIR=str(tmp_path))
    code = "import django; django.setup(); from django.conf import settings; print(settings.STRIPE_API_BASE)"
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:1"


@pytest.mark.parametrize("missing", ["PORTAL_SITE_URL", "DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEYS"])
def test_production_refuses_to_start_without_a_required_variable(missing, tmp_path):
    result = _run(["manage.py", "check"], _production_env(**{missing: None}, PORTAL_DATA_DIR=str(tmp_path)))
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_keeps_private_files_on_local_disk_only_on_a_volume_named_for_them(tmp_path):
    # Left to its default, local storage is the code tree's development folder (.data/media).
    local = _production_env(PORTAL_STORAGE="local", PORTAL_MEDIA_ROOT=None, PORTAL_DATA_DIR=str(tmp_path))
    refused = _run(["manage.py", "check"], local)
    assert refused.returncode != 0
    assert "PORTAL_MEDIA_ROOT" in refused.stderr
    found = _production_settings(
        ["PORTAL_STORAGE"], PORTAL_STORAGE="local", PORTAL_MEDIA_ROOT=str(tmp_path / "files")
    )
    assert found["PORTAL_STORAGE"] == "local"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("command", [["seed_demo"], ["totp_code", "officer@example.org"]])
def test_demo_commands_do_not_exist_under_production_settings(command, settings):
    from hackney_portal.devservices.demo_logins import DEMO_LOGINS
    from hackney_portal.users.models import User

    db = settings.DATABASES["default"]
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    result = _run(["manage.py", *command], _production_env(DATABASE_URL=database_url, DJANGO_DEBUG="true"))
    assert result.returncode != 0
    # Production does not install the development servers' app, so the commands do not exist there at all.
    assert f"Unknown command: '{command[0]}'" in result.stderr
    assert not User.objects.filter(email__in=[login["email"] for login in DEMO_LOGINS]).exists()


def test_no_secret_key_is_committed_and_make_run_generates_its_own(tmp_path, monkeypatch):
    for path in (BASE_DIR / "hackney_portal" / "settings").glob("*.py"):
        assert "dev-only-insecure-key" not in path.read_text(), path
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    monkeypatch.delenv("FIELD_ENCRYPTION_KEYS", raising=False)
    first = Services(tmp_path / "a", persistent=True)
    first.root.mkdir(parents=True)
    made = first._secrets()
    assert len(made["DJANGO_SECRET_KEY"]) >= 50
    assert (first.root / "secret_key").stat().st_mode & 0o077 == 0, "only the owner may read the key"
    # Kept for the next `make run` in the same folder (sessions and encrypted data survive a restart) ...
    assert Services(first.root, persistent=True)._secrets() == made
    # ... and different in another folder or a test run.
    other = Services(tmp_path / "b", persistent=True)
    other.root.mkdir(parents=True)
    assert other._secrets()["DJANGO_SECRET_KEY"] != made["DJANGO_SECRET_KEY"]
    assert Services(tmp_path / "c", persistent=False)._secrets() != made


def test_production_csp_admits_exactly_what_stripe_js_needs():
    directives = _production_settings(["CONTENT_SECURITY_POLICY"])["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert directives["script-src"] == ["'self'", "https://js.stripe.com"]
    assert directives["connect-src"] == ["'self'", "https://api.stripe.com"]
    assert directives["frame-src"] == ["'self'", "https://js.stripe.com", "https://hooks.stripe.com"]
    for name in ("default-src", "style-src", "font-src", "form-action", "base-uri"):
        assert directives[name] == ["'self'"], name
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    everything = " ".join(" ".join(v) for v in directives.values())
    assert "unsafe-inline" not in everything
    assert "unsafe-eval" not in everything


def test_production_csp_reaches_the_payment_page_header(tmp_path):
    # The settings above are what django-csp turns into the header a resident's browser enforces.
    code = (
        "import django; django.setup(); from django.test import RequestFactory; "
        "from csp.utils import build_policy; print(build_policy())"
    )
    result = _run(["-c", code], _production_env(PORTAL_DATA_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    header = result.stdout.strip().splitlines()[-1]
    assert "script-src 'self' https://js.stripe.com" in header
    assert "connect-src 'self' https://api.stripe.com" in header
    assert "frame-src 'self' https://js.stripe.com https://hooks.stripe.com" in header


def test_settings_import_makes_no_folders(tmp_path):
    static_root = tmp_path / "static-root"
    code = "import django; django.setup()"
    result = _run(["-c", code], _production_env(PORTAL_STATIC_ROOT=str(static_root)))
    assert result.returncode == 0, result.stderr
    assert not Path(static_root).exists()


def test_production_static_files_are_hashed_compressed_and_cached_for_years(tmp_path):
    env = _production_env(PORTAL_STATIC_ROOT=str(tmp_path / "static"))
    result = _run(["manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    assert result.returncode == 0, result.stderr
    code = (
        "import django; django.setup(); from django.templatetags.static import static; "
        "from django.test import Client; url = static('css/app.css'); "
        "c = Client(HTTP_HOST='portal.example.gov.uk'); "
        "r = c.get(url, secure=True, HTTP_ACCEPT_ENCODING='gzip'); "
        "b = c.get(url, secure=True, HTTP_ACCEPT_ENCODING='gzip, deflate, br'); "
        "p = c.get(url, secure=True); "
        "print(url, r.status_code, r.headers.get('Content-Encoding'), b.headers.get('Content-Encoding'), "
        "len(b''.join(b.streaming_content)), len(b''.join(p.streaming_content)), r.headers['Cache-Control'])"
    )
    result = _run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    url, status, encoding, br, br_size, plain_size, cache = (
        result.stdout.strip().splitlines()[-1].split(" ", 6)
    )
    assert url.startswith("/static/css/app.")
    assert url.endswith(".css")
    assert url != "/static/css/app.css"
    assert status == "200"
    assert encoding == "gzip"
    # Brotli where the browser accepts it (every current one does): smaller than gzip for CSS and JS.
    assert br == "br"
    assert int(br_size) < int(plain_size) / 3
    assert "immutable" in cache
    assert "max-age=315360000" in cache
