from django.db import migrations

from hackney_portal.core.append_only import refuse_truncate


class Migration(migrations.Migration):
    # TRUNCATE skips row triggers, so the audit log needs a statement trigger of its own.
    dependencies = [("core", "0005_notification_held")]
    operations = [refuse_truncate("core_auditevent")]
