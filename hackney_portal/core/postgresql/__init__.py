"""Django's PostgreSQL backend, with a health check that needs no round trip on a connection in steady use
(see `base.DatabaseWrapper`). Chosen in settings as the `ENGINE`; everything else is Django's own."""
