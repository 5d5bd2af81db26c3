"""Development and tests: the shared settings plus the embedded servers' addresses and generated secrets.

Production never imports this module (`hackney_portal.settings.production` builds on `base` alone).
"""

import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[2]
_env = environ.Env()
_data_dir = Path(_env("PORTAL_DATA_DIR", default=str(BASE_DIR / ".data" / "run")))

# While `make run` is up, its embedded services' URLs and its generated secrets are in this file, so
# `manage.py` commands typed in another terminal reach the same servers. Variables already set always win.
# It must be read before `base` reads the environment.
_services_env = _data_dir / "services.env"
if _services_env.exists() and not _env.bool("PORTAL_IGNORE_SERVICES_FILE", default=False):
    _env.read_env(str(_services_env), overwrite=False)

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

PORTAL_ENVIRONMENT = "development"
# The embedded servers' supervisor and its commands (seed_demo, totp_code): installed here only, and absent
# from the production image, so production has no command that makes demo users.
INSTALLED_APPS = [*INSTALLED_APPS, "hackney_portal.devservices"]  # noqa: F405


# `make run` generates both secrets into its data folder and `make test` makes new ones for each run; either
# way they reach here through the environment (or services.env above), so none is committed to the repository.
# A bare `manage.py` with neither gets a throwaway secret key for the process.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="") or secrets.token_urlsafe(50)
# Data encrypted before keys were generated per data folder was written with a key once committed here; it
# stays the last, decryption-only key in development so an older `.data/` still reads (bandit: a key for
# development data only).
_LEGACY_DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWNoYW5nZS1tZS0wMDA="  # nosec B105
FIELD_ENCRYPTION_KEYS = [*env.list("FIELD_ENCRYPTION_KEYS", default=[]), _LEGACY_DEV_FIELD_KEY]
