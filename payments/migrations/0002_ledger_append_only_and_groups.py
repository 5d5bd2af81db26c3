from django.db import migrations

from hackney_portal.users.roles import FINANCE_OFFICERS, grant

# The ledger is append-only: a correction is a new entry, never an edit. The database enforces it.
SQL = """
CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'payments_ledgerentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_ledger_no_update_delete
  BEFORE UPDATE OR DELETE ON payments_ledgerentry
  FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only();
"""
REVERSE = """
DROP TRIGGER IF EXISTS payments_ledger_no_update_delete ON payments_ledgerentry;
DROP FUNCTION IF EXISTS payments_ledger_append_only();
"""


def grant_finance(apps, schema_editor):
    grant(apps, FINANCE_OFFICERS, "payments", [
        "view_rentaccount", "view_ledgerentry", "view_payment", "view_refund", "view_dispute", "view_stripeevent",
    ])


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("users", "0002_staff_groups")]
    operations = [
        migrations.RunSQL(SQL, REVERSE),
        migrations.RunPython(grant_finance, migrations.RunPython.noop),
    ]
