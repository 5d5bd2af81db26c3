"""Tests (pytest, `make test`): the shared settings and the development servers' commands, every address
from the environment that `python -m hackney_portal.devservices exec` sets for the run's own throwaway
servers.

Unlike `development`, this reads no file: a `make run` left up in the same folder (its
`.data/run/services.env`) can never point a test run at the demo database.
"""

from .base import *  # noqa: F403
from .components.development import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, *DEVELOPMENT_APPS]  # noqa: F405
# Tests check what residents and officers are told, not how Django describes its own errors.
PORTAL_TECHNICAL_ERROR_PAGES = False
