"""Settings every environment shares, read from the environment (12-factor).

Importing this module reads only environment variables: no files, no folders made. Topics with many settings
live in `components/` (council, auth, security, logging) and are gathered here. `development` (make run) and
`test` (pytest) add the development servers and a generated secret key; `production` requires every secret
from the environment. Every variable is documented in `.env.example`.
"""

from pathlib import Path

import environ

from .components.auth import *  # noqa: F403
from .components.council import *  # noqa: F403
from .components.logging import *  # noqa: F403
from .components.security import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parents[2]
env = environ.Env()

# GENERAL
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Even with DEBUG on, errors show the portal's own 404/400/500 pages (hackney_portal/core/error_pages.py);
# the traceback goes to the terminal log. True brings back Django's technical pages (which list every URL).
PORTAL_TECHNICAL_ERROR_PAGES = env.bool("PORTAL_TECHNICAL_ERROR_PAGES", default=False)
# https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key
# No default: development generates one (see development.py); production must set it.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
# Which kind of deployment this is; commands that must never run in production (demo data, demo two-factor
# codes) check it. Only the development settings set "development".
PORTAL_ENVIRONMENT = "production"
# https://docs.djangoproject.com/en/5.2/ref/settings/#allowed-hosts
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
TIME_ZONE = "Europe/London"
LANGUAGE_CODE = "en-gb"
# Dates written out ("Monday 7 December 2026") wherever a template prints one without a format.
FORMAT_MODULE_PATH = ["hackney_portal.formats"]
USE_I18N = True
USE_TZ = True
SITE_ID = 1
# The address residents use; used in emails and links built outside a request (Celery tasks).
SITE_URL = env("PORTAL_SITE_URL", default="http://127.0.0.1:8000")

# DATABASES
# ------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/hackney_portal")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Reuse connections, but check them first so a dropped connection never surfaces as a 500.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The same backend, with a health check that needs no round trip while a connection is in steady use
# (hackney_portal/core/postgresql/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "hackney_portal.core.postgresql"
# Behind PgBouncer in transaction mode each transaction may get a different server connection, so nothing
# may outlive a transaction on the server: no prepared statements (psycopg prepares a query after 5 runs)
# and no server-side cursors (Django's iterator() declares them WITH HOLD outside a transaction).
DATABASE_POOLER = env("DATABASE_POOLER", default="")
if DATABASE_POOLER == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
elif DATABASE_POOLER:
    raise ValueError(f"DATABASE_POOLER must be empty or 'pgbouncer', not {DATABASE_POOLER!r}")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# URLS
# ------------------------------------------------------------------------------
# Benchmarks serve the same URLs plus a minimal ceiling view (bench/urls.py).
ROOT_URLCONF = env("DJANGO_ROOT_URLCONF", default="hackney_portal.urls")
WSGI_APPLICATION = "hackney_portal.wsgi.application"

# APPS
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "hackney_portal.core.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.forms",
]
# The GOV.UK component layer comes before allauth so that its allauth/elements templates draw allauth's pages.
FRONTEND_APPS = ["hackney_portal.frontend"]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_celery_beat",
    "csp",
]
LOCAL_APPS = [
    "hackney_portal.users",
    "hackney_portal.core",
    "payments",
    "employment",
    "homelessness",
]
INSTALLED_APPS = DJANGO_APPS + FRONTEND_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# RATE LIMITS (sign-in, sign-up and the public forms; the rest of sign-in is in components/auth.py)
# ------------------------------------------------------------------------------
# Rate limits are kept in the cache (Redis), so they hold across gunicorn workers. (Bandit takes the
# "reset_password" key for a password.) Failed sign-ins are counted per account and client together
# ("key" is email + client address, see users.adapters), with short windows that slow a guesser down step by
# step, and per account alone ("login_failed_account") with a longer window that several clients are needed
# to reach. The per-address limits are high: a whole borough can share one address.
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    "login_failed": "100/5m/ip,5/m/key,10/15m/key",
    "login_failed_account": "30/15m/key",
    "signup": "60/m/ip",
    "reset_password": "60/m/ip,5/m/key",  # nosec B105
    "confirm_email": "1/3m/key",
}
# The client address for every limit (ours and allauth's) comes from hackney_portal.core.ratelimit.client_ip:
# REMOTE_ADDR, or behind this many proxies of our own, that many entries from the right of X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Off only for load tests that send a whole borough's traffic from one address (bench_mixed); never in
# production.
PORTAL_RATE_LIMITS_ENABLED = env.bool("PORTAL_RATE_LIMITS_ENABLED", default=True)
# Our own limits: "amount/window/keys", windows keyed on the client address ("client") and on what is asked
# about; several windows per action make a growing delay rather than a lock-out.
PORTAL_RATE_LIMITS = {
    # Failed rent account lookups: per client, and per account number from any client.
    "rent_lookup": "5/5m/client,15/h/client,10/15m/account",
    # Link codes emailed to the contact on the tenancy record, and tries at typing one.
    "rent_link_code_send": "3/15m/account,10/h/client",
    "rent_link_code_verify": "10/15m/client,10/15m/user",
    # Wrong passwords on the close-account page (allauth limits its own password checks, not this one).
    "account_close": "5/15m/user,20/d/user",
    # Public forms that create records or send email, counted when they would be accepted. Generous per
    # client (a library, a hostel or an advice centre sends many from one address), tighter per address that
    # the council would email.
    "homelessness_referral": "20/10m/client,200/d/client,10/h/email",
    "homelessness_intake": "10/10m/client,100/d/client",
    "employment_application": "20/10m/client,200/d/client,5/h/email",
    "employment_alert": "10/10m/client,50/d/client,3/h/email",
}

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    "hackney_portal.core.metrics.MetricsMiddleware",
    "hackney_portal.core.middleware.RequestIdMiddleware",
    # First after the request id: before anything can read the body, even an error page (Django's debug page
    # for a bad Host header reads the whole form).
    "hackney_portal.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hackney_portal.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "hackney_portal.core.hostile.ControlCharactersMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hackney_portal.core.middleware.SessionIdleTimeoutMiddleware",
    "hackney_portal.core.middleware.AccessDeniedLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("PORTAL_STATIC_ROOT", default=BASE_DIR / ".data" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (CVs, case documents) are private: encrypted, never served from a public URL, and kept on
# the local disk (one machine) or in S3-compatible object storage (many hosts share no disk).
MEDIA_ROOT = env.path("PORTAL_MEDIA_ROOT", default=BASE_DIR / ".data" / "media")
PORTAL_STORAGE = env("PORTAL_STORAGE", default="local")
if PORTAL_STORAGE == "s3":
    _private_storage = {
        "BACKEND": "hackney_portal.core.storage.EncryptedS3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            # Unset on AWS; the address of any other S3-compatible server (MinIO, Ceph, moto in the tests).
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            # Unset on AWS to use the pod's or instance's role; set for other servers.
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "location": env("AWS_S3_PREFIX", default="private"),
        },
    }
elif PORTAL_STORAGE == "local":
    _private_storage = {"BACKEND": "hackney_portal.core.storage.EncryptedFileSystemStorage"}
else:
    raise ValueError(f"PORTAL_STORAGE must be 'local' or 's3', not {PORTAL_STORAGE!r}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "private": _private_storage,
}
MEDIA_URL = "/media/"
# Request size: the largest file any form takes, and the largest request body at all, refused from its
# headers before it is read (RequestSizeLimitMiddleware). Put the same limit in the proxy in front of the
# portal (nginx client_max_body_size, or the load balancer's).
PORTAL_MAX_UPLOAD_BYTES = env.int("PORTAL_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
PORTAL_MAX_REQUEST_BYTES = env.int("PORTAL_MAX_REQUEST_BYTES", default=PORTAL_MAX_UPLOAD_BYTES + 1024 * 1024)
# Larger uploads stream to a temporary file instead of memory; form fields other than files are capped.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# In tests and `make run`, whitenoise serves files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
WHITENOISE_AUTOREFRESH = DEBUG

# TEMPLATES
# ------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hackney_portal.core.context_processors.council",
            ],
        },
    }
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# CACHES AND CELERY (Redis)
# ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "hackney_portal.core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="portal"),
        "TIMEOUT": 300,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# Work that must not be lost is acknowledged only after it finishes, and redelivered if a worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
    # How often a worker looks for messages whose worker died (kombu sweeps every interval x throttle s).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Prometheus scrapes /metrics with this bearer token; unset, /metrics does not exist (core/metrics.py).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
PORTAL_METRICS_QUEUES = ["celery"]
# Any number of beats may run (one per host); a Redis lock lets exactly one send (core/beat.py).
CELERY_BEAT_SCHEDULER = "hackney_portal.core.beat:SingleBeatScheduler"
CELERY_BEAT_LOCK_KEY = env("CELERY_BEAT_LOCK_KEY", default="hackney-portal:beat-leader")
CELERY_BEAT_LOCK_TIMEOUT = env.int("CELERY_BEAT_LOCK_TIMEOUT", default=60)
# Write each entry's last run to the database as soon as it is sent, so a standby taking over repeats nothing.
CELERY_BEAT_SYNC_EVERY = 1
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# EMAIL
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("PORTAL_EMAIL_FILE_PATH", default=str(BASE_DIR / ".data" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Hackney Council <no-reply@hackney.gov.uk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# STRIPE
# ------------------------------------------------------------------------------
# With no keys set, `make run` and the tests point these at the embedded localstripe server.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
# Several secrets, comma-separated, let a webhook secret be rotated without dropping events.
STRIPE_WEBHOOK_SECRETS = env.list("STRIPE_WEBHOOK_SECRET", default=[])
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=3)
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=15.0)
# Pay My Rent: the largest single card payment, and where dispute alerts go.
PAYMENTS_MAX_PENCE = env.int("PAYMENTS_MAX_PENCE", default=500_000)
PAYMENTS_FINANCE_EMAIL = env("PAYMENTS_FINANCE_EMAIL", default="finance@example.org")
# Balance transactions read and committed per step of a reconciliation run.
PAYMENTS_RECONCILIATION_PAGE_SIZE = env.int("PAYMENTS_RECONCILIATION_PAGE_SIZE", default=100)
# How long reconciliation waits before asking again for a provider report not ready yet (up to 16 times).
PAYMENTS_RECONCILIATION_RETRY_SECONDS = env.int("PAYMENTS_RECONCILIATION_RETRY_SECONDS", default=2700)

# Homelessness: case references, what counts as a notice that threatens homelessness, retention, H-CLIC.
HOMELESSNESS_REFERENCE_PREFIX = env("HOMELESSNESS_REFERENCE_PREFIX", default="HHA")
# Notice types that make a person "threatened with homelessness" on a valid notice (s.175(5)); the Renters'
# Rights Act replaces section 21 notices, so this is a setting and not code.
HOMELESSNESS_THREAT_NOTICE_TYPES = env.list(
    "HOMELESSNESS_THREAT_NOTICE_TYPES", default=["section_21", "section_8"]
)
HOMELESSNESS_RETENTION_YEARS = env.int("HOMELESSNESS_RETENTION_YEARS", default=6)
HOMELESSNESS_HCLIC_LA_CODE = env("HOMELESSNESS_HCLIC_LA_CODE", default="E09000012")
HOMELESSNESS_TEAM_EMAIL = env("HOMELESSNESS_TEAM_EMAIL", default="housing.advice@example.org")
# Domestic-abuse cases from the intake go to this team (a group, made by a migration, of housing officers),
# are given to its least-loaded officer on arrival and are seen by nobody outside it. The team is alerted
# (without any case details) at each member's address and at the team's own mailbox, if it has one.
HOMELESSNESS_RESTRICTED_TEAM = env("HOMELESSNESS_RESTRICTED_TEAM", default="Restricted cases team")
HOMELESSNESS_RESTRICTED_TEAM_EMAIL = env("HOMELESSNESS_RESTRICTED_TEAM_EMAIL", default="")
HOMELESSNESS_UPLOAD_MAX_BYTES = env.int("HOMELESSNESS_UPLOAD_MAX_BYTES", default=PORTAL_MAX_UPLOAD_BYTES)
# A safe page the "Leave this page" button goes to.
HOMELESSNESS_EXIT_URL = env("HOMELESSNESS_EXIT_URL", default="https://www.bbc.co.uk/weather")

# ENCRYPTION AT REST (special category fields)
# ------------------------------------------------------------------------------
# First key encrypts, every key decrypts (rotation). No default here: development generates one.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# ADMIN AND LOGGING
# ------------------------------------------------------------------------------
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")
