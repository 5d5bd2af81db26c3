"""Settings: `base` (shared, with topic modules in `components/`), `development` (make run), `test`
(pytest) and `production`.

DJANGO_SETTINGS_MODULE names one of them; this package itself holds no settings.
"""
