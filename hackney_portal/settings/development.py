"""Development (make run, manage.py by hand): the shared settings, the development servers and, while
`make run` is up, its servers' addresses.

Production never imports this module (`hackney_portal.settings.production` builds on `base` alone), and
pytest uses `hackney_portal.settings.test`, which reads no file.
"""

from pathlib import Path

import environ

_env = environ.Env()
_data_dir = Path(_env("PORTAL_DATA_DIR", default=str(Path(__file__).resolve().parents[2] / ".data" / "run")))

# While `make run` is up, its embedded services' URLs and its generated secrets are in this file, so
# `manage.py` commands typed in another terminal reach the same servers. Variables already set always win.
# It must be read before `base` reads the environment.
_services_env = _data_dir / "services.env"
if _services_env.exists() and not _env.bool("PORTAL_IGNORE_SERVICES_FILE", default=False):
    _env.read_env(str(_services_env), overwrite=False)

from .base import *  # noqa: E402, F403
from .components.development import *  # noqa: E402, F403

INSTALLED_APPS = [*INSTALLED_APPS, *DEVELOPMENT_APPS]  # noqa: F405
