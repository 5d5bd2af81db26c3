"""Append-only tables refuse UPDATE, DELETE and TRUNCATE in the database itself, whoever sends the SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

pytestmark = pytest.mark.django_db

APPEND_ONLY = [
    "core_auditevent",
    "payments_ledgerentry",
    "payments_reconciliationmatch",
    "homelessness_decisionletter",
    "homelessness_casenote",
    "homelessness_assessment",
    "homelessness_hclicexport",
]


def _tables_with_update_delete_triggers() -> set[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT event_object_table FROM information_schema.triggers "
            "WHERE trigger_name LIKE '%%_no_update_delete'"
        )
        return {row[0] for row in cur.fetchall()}


def test_the_list_below_is_every_append_only_table():
    # A new append-only table must be added here, so the TRUNCATE test below covers it.
    assert _tables_with_update_delete_triggers() == set(APPEND_ONLY)


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_append_only_tables_refuse_truncate(table):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"TRUNCATE {table} CASCADE")


def test_truncate_that_cascades_into_the_ledger_is_refused_too():
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("TRUNCATE payments_rentaccount CASCADE")
