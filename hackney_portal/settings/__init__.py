"""Settings: `base` (shared), `development` (make run, make test) and `production`.

DJANGO_SETTINGS_MODULE names one of them; this package itself holds no settings.
"""
