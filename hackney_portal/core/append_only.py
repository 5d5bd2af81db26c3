"""Make a table append-only in the database, for migrations: UPDATE, DELETE and TRUNCATE raise an error.

Used for the audit log and the rent ledger, whose rows are evidence: a correction is a new row.
Row triggers do not see TRUNCATE, so a statement-level trigger refuses it as well. Like every ordinary
trigger, both are skipped under `session_replication_role = replica`, which only a superuser can set: the
test suite's flush between tests uses that, the application's own database role cannot.
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
        {_REFUSE_TRUNCATE_FUNCTION}
        {_truncate_trigger(table)}
        """,
        f"DROP TRIGGER IF EXISTS {trigger} ON {table}; DROP FUNCTION IF EXISTS {function}();"
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
    )


_REFUSE_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_refuse_truncate() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (TRUNCATE refused)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def _truncate_trigger(table: str) -> str:
    return (
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}; "
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION portal_refuse_truncate();"
    )


def refuse_truncate(*tables: str) -> migrations.RunSQL:
    """For tables made append-only before TRUNCATE was refused too."""
    return migrations.RunSQL(
        _REFUSE_TRUNCATE_FUNCTION + "\n".join(_truncate_trigger(t) for t in tables),
        "".join(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t};" for t in tables),
    )
