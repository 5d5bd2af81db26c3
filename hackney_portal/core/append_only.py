"""Make a table append-only in the database, for migrations: UPDATE and DELETE raise an error.

Used for the audit log and the rent ledger, whose rows are evidence: a correction is a new row.
"""

from django.db import migrations


def append_only(table: str) -> migrations.RunSQL:
    function = f"{table}_append_only"
    trigger = f"{table}_no_update_delete"
    return migrations.RunSQL(
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION '{table} is append-only (% refused)', TG_OP;
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table}
          FOR EACH ROW EXECUTE FUNCTION {function}();
        """,
        f"DROP TRIGGER IF EXISTS {trigger} ON {table}; DROP FUNCTION IF EXISTS {function}();",
    )
