"""The health check that needs no round trip while a connection is in steady use, and still finds a
connection the server has ended."""

from __future__ import annotations

import time

import pytest
from django.db import connection, connections

from hackney_portal.core.postgresql import base

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wrapper():
    """A connection of its own (not the test's), so ending it cannot break the test's database."""
    db = connections.create_connection("default")
    assert isinstance(db, base.DatabaseWrapper)
    db.health_check_enabled = True
    with db.cursor() as cursor:
        cursor.execute("SELECT 1")
    yield db
    db.close()


def _checked(db) -> tuple[bool, int]:
    """Run the start-of-request health check; whether the connection was kept, and the round trips made."""
    sent = []
    real = db.connection.cursor

    def cursor(*args, **kwargs):
        sent.append(1)
        return real(*args, **kwargs)

    db.connection.cursor = cursor
    db.health_check_done = False
    db.close_if_health_check_failed()
    return db.connection is not None, len(sent)


def test_a_connection_in_steady_use_is_kept_without_a_round_trip(wrapper):
    assert _checked(wrapper) == (True, 0)


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(wrapper):
    pid = wrapper.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while wrapper.quietly_usable() and time.monotonic() < deadline:
        time.sleep(0.01)

    kept, _ = _checked(wrapper)

    assert not kept
    with wrapper.cursor() as cursor:  # the request goes on, on a new connection
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_anything_waiting_on_the_socket_or_a_long_idle_sends_the_check_to_the_round_trip(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("LISTEN portal_health_check_test")
    with connection.cursor() as cursor:
        cursor.execute("NOTIFY portal_health_check_test")
    deadline = time.monotonic() + 5
    while wrapper.quietly_usable() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _checked(wrapper) == (True, 1)  # the round trip reads what was waiting and finds it good

    wrapper.last_used -= base.QUIET_SECONDS + 1
    assert _checked(wrapper) == (True, 1)
