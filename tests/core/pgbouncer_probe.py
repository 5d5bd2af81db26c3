"""Run by test_pgbouncer.py in its own process, connected through PgBouncer in transaction mode.

Two threads interleave what breaks under transaction pooling when the settings are wrong: the same query run
many times (psycopg prepares it on the server after five runs, and the next transaction may be on another
server connection) and iterating a queryset in chunks outside a transaction (a server-side cursor declared
WITH HOLD lives on one server connection). Prints "ok" or the first error.
"""

import os
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackney_portal.settings.development")
django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402

errors: list[str] = []
barrier = threading.Barrier(2)


def work(n: int) -> None:
    try:
        barrier.wait()
        for i in range(40):
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SELECT %s::int + 1", [i])
                    assert cur.fetchone()[0] == i + 1
                ContentType.objects.filter(pk=n).exists()
            seen = sum(1 for _ in ContentType.objects.order_by("pk").iterator(chunk_size=3))
            assert seen > 10
    except Exception as exc:  # noqa: BLE001 - reported to the test
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()


threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
sys.stdout.write(errors[0] if errors else "ok")
