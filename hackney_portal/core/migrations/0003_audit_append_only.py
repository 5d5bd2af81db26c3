from django.db import migrations

from hackney_portal.core.append_only import append_only


class Migration(migrations.Migration):
    # The audit log must be append-only even against a bug or a hand-typed SQL statement.
    dependencies = [("core", "0002_initial")]
    operations = [append_only("core_auditevent")]
