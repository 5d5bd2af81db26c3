"""Make a table append-only in the database, for migrations: UPDATE and DELETE raise an error.

Used for the audit log and the rent ledger, whose rows are evidence: a correction is a new row.
"""

from django.db import migrations

RETENTION_SETTING = "portal.retention_delete"


def append_only(table: str, *, retention_delete: bool = False) -> migrations.RunSQL:
    """With `retention_delete`, DELETE is allowed inside a transaction that has run
    `SET LOCAL portal.retention_delete = 'on'` (the retention job, deleting whole cases); UPDATE never is."""
    function = f"{table}_append_only"
    trigger = f"{table}_no_update_delete"
    allow = (
        f"IF TG_OP = 'DELETE' AND current_setting('{RETENTION_SETTING}', true) = 'on' "
        "THEN RETURN OLD; END IF;"
        if retention_delete
        else ""
    )
    return migrations.RunSQL(
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
          {allow}
          RAISE EXCEPTION '{table} is append-only (% refused)', TG_OP;
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table}
          FOR EACH ROW EXECUTE FUNCTION {function}();
        """,
        f"DROP TRIGGER IF EXISTS {trigger} ON {table}; DROP FUNCTION IF EXISTS {function}();",
    )
