from django.db import migrations

from hackney_portal.users.roles import FINANCE_OFFICERS, grant


def grant_refund(apps, schema_editor):
    grant(apps, FINANCE_OFFICERS, "payments", ["add_refund"])


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_ledger_append_only_and_groups")]
    operations = [migrations.RunPython(grant_refund, migrations.RunPython.noop)]
