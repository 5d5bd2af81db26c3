from django.db import migrations

from hackney_portal.users.roles import JOBS_MODERATORS, grant


def grant_inbox(apps, schema_editor):
    grant(apps, JOBS_MODERATORS, "employment", ["view_application", "change_application"])


class Migration(migrations.Migration):
    dependencies = [("employment", "0005_wage_flags_saved_listings")]
    operations = [migrations.RunPython(grant_inbox, migrations.RunPython.noop)]
