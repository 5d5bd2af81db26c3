from django.db import migrations

from hackney_portal.users.roles import FINANCE_OFFICERS, grant


def grant_reconciliation(apps, schema_editor):
    grant(apps, FINANCE_OFFICERS, "payments",
          ["view_reconciliationrun", "view_discrepancy", "change_discrepancy"])


class Migration(migrations.Migration):
    dependencies = [("payments", "0006_reconciliation")]
    operations = [migrations.RunPython(grant_reconciliation, migrations.RunPython.noop)]
