"""Settings are base, development, test and production: importing any of them reads no file and makes no
folder (development alone reads `make run`'s services file), and pytest runs on the test settings."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.conftest import BASE_DIR

# Run in a fresh interpreter: an audit hook records every file opened and folder made while one settings
# module is imported, leaving out Python's own imports and the installed libraries.
PROBE = """
import importlib, json, sys
seen = []
def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        path = args[0]
        if path.endswith((".py", ".pyc", ".so")) or "/site-packages/" in path:
            return
        if path.startswith(sys.base_prefix):
            return
        seen.append(["open", path])
    elif event in ("os.mkdir", "os.rename", "os.remove", "shutil.rmtree"):
        seen.append([event, str(args[0])])
sys.addaudithook(hook)
module = importlib.import_module(sys.argv[1])
print(json.dumps({"seen": seen, "stripe": module.STRIPE_API_BASE, "environment": module.PORTAL_ENVIRONMENT}))
"""

REQUIRED_IN_PRODUCTION = {
    "DJANGO_SECRET_KEY": "s" * 60,
    "DJANGO_ALLOWED_HOSTS": "portal.example.gov.uk",
    "FIELD_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1maWVsZC1rZXktZm9yLXRlc3RzLTA=",
    "PORTAL_SITE_URL": "https://portal.example.gov.uk",
    "PORTAL_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "portal-files",
}


def _import(module: str, data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"STRIPE_API_BASE", "PORTAL_IGNORE_SERVICES_FILE"}}
    env.update(REQUIRED_IN_PRODUCTION, PORTAL_DATA_DIR=str(data_dir), PYTHONPATH=str(BASE_DIR))
    result = subprocess.run(
        [sys.executable, "-c", PROBE, module],
        cwd=data_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def services_file(tmp_path):
    """What a `make run` left up in this folder would have written."""
    (tmp_path / "services.env").write_text("STRIPE_API_BASE=http://127.0.0.1:1\n")
    return tmp_path


@pytest.mark.parametrize("module", ["base", "production", "test"])
def test_importing_settings_reads_no_file_and_makes_no_folder(module, services_file):
    found = _import(f"hackney_portal.settings.{module}", services_file)
    assert found["seen"] == []
    assert found["stripe"] == ""


def test_development_settings_alone_read_the_services_file_of_make_run(services_file):
    # The probe does see a file read: development reads the one it is meant to, and nothing else.
    found = _import("hackney_portal.settings.development", services_file)
    assert found["seen"] == [["open", str(services_file / "services.env")]]
    assert found["stripe"] == "http://127.0.0.1:1"
    assert found["environment"] == "development"


def test_pytest_runs_on_the_test_settings():
    assert settings.SETTINGS_MODULE == "hackney_portal.settings.test"
    assert settings.PORTAL_ENVIRONMENT == "development"
    assert "hackney_portal.devservices" in settings.INSTALLED_APPS


def test_production_settings_install_no_development_app(services_file):
    code = "import sys, importlib; m = importlib.import_module(sys.argv[1]); print(m.INSTALLED_APPS)"
    env = {**os.environ, **REQUIRED_IN_PRODUCTION, "PYTHONPATH": str(BASE_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", code, "hackney_portal.settings.production"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "devservices" not in result.stdout
    assert "hackney_portal.core" in result.stdout
