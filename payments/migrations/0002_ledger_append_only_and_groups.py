from django.db import migrations

from hackney_portal.core.append_only import append_only
from hackney_portal.users.roles import FINANCE_OFFICERS, grant


def grant_finance(apps, schema_editor):
    grant(apps, FINANCE_OFFICERS, "payments", [
        "view_rentaccount", "view_ledgerentry", "view_payment", "view_refund", "view_dispute", "view_stripeevent",
    ])


class Migration(migrations.Migration):
    # The ledger is append-only: a correction is a new entry, never an edit. The database enforces it.
    dependencies = [("payments", "0001_initial"), ("users", "0002_staff_groups")]
    operations = [append_only("payments_ledgerentry"), migrations.RunPython(grant_finance, migrations.RunPython.noop)]
