"""Logs: JSON lines to the console, with the request id on each."""

import environ

env = environ.Env()

# LOGGING
# ------------------------------------------------------------------------------
ADMINS = [("Portal operations", env("PORTAL_OPS_EMAIL", default="ops@example.org"))]
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "hackney_portal.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "hackney_portal.core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"level": LOG_LEVEL, "handlers": ["console"]},
    "loggers": {
        # Only our handler: Django's defaults would also print request lines unfiltered while DEBUG is on,
        # and email 500s to ADMINS with the full path and form data (case details) when it is off.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # Both log request URLs and bodies at DEBUG, which carry card tokens and Stripe object ids.
        "stripe": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        "celery": {"level": "INFO"},
    },
}
