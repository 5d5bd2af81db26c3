"""Production: the shared settings, every secret and address from the environment, HTTPS enforced.

Built on `base` alone: it never reads `.data/` or any development file, and a missing required variable
stops the process at start-up rather than running with a default.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import PORTAL_STORAGE, env

PORTAL_ENVIRONMENT = "production"
DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# Links in emails and letters are built outside a request (Celery), so the public address must be given.
SITE_URL = env("PORTAL_SITE_URL")
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
WHITENOISE_USE_FINDERS = False
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
# Private files go to object storage (PORTAL_STORAGE=s3), or to local disk only on a volume named for them:
# left to its default, the local backend would write into the code tree's development data folder (.data/),
# which a second host cannot see and a read-only container cannot write.
if PORTAL_STORAGE == "local" and not env("PORTAL_MEDIA_ROOT", default=""):
    raise ImproperlyConfigured("Set PORTAL_STORAGE=s3, or PORTAL_MEDIA_ROOT to a volume for private files")
# Static files: collectstatic writes each file under a name with its content hash, gzip and Brotli copies
# beside it, and WhiteNoise serves hashed names with a cache lifetime of ten years ("immutable"): a changed
# file gets a new name, so browsers never need to ask again.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
