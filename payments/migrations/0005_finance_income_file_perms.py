from django.db import migrations

from hackney_portal.users.roles import FINANCE_OFFICERS, grant


def grant_income(apps, schema_editor):
    grant(apps, FINANCE_OFFICERS, "payments", ["view_incomefile"])


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_income_file")]
    operations = [migrations.RunPython(grant_income, migrations.RunPython.noop)]
