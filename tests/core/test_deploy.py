import os
import subprocess
import sys

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
