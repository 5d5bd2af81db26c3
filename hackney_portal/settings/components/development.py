"""What development (make run) and the tests share on top of `base`: demo data and the development servers'
commands are allowed, and secrets a bare `manage.py` lacks are generated for the process.

Never imported by `production`.
"""

import secrets

import environ

env = environ.Env()

PORTAL_ENVIRONMENT = "development"
# `make run` generates both secrets into its data folder and `make test` makes new ones for each run; either
# way they reach here through the environment, so none is committed to the repository. A bare `manage.py` with
# neither gets a throwaway secret key for the process.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="") or secrets.token_urlsafe(50)
# Data encrypted before keys were generated per data folder was written with a key once committed here; it
# stays the last, decryption-only key in development so an older `.data/` still reads (bandit: a key for
# development data only).
_LEGACY_DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWNoYW5nZS1tZS0wMDA="  # nosec B105
FIELD_ENCRYPTION_KEYS = [*env.list("FIELD_ENCRYPTION_KEYS", default=[]), _LEGACY_DEV_FIELD_KEY]
# The embedded servers' supervisor and its commands (seed_demo, totp_code): installed in development and tests
# only, and absent from the production image, so production has no command that makes demo users.
DEVELOPMENT_APPS = ["hackney_portal.devservices"]
