from django.db import migrations

from hackney_portal.core.append_only import refuse_truncate


class Migration(migrations.Migration):
    # TRUNCATE skips row triggers, so the ledger needs a statement trigger of its own.
    dependencies = [("payments", "0008_account_link_codes"), ("core", "0006_audit_refuses_truncate")]
    operations = [refuse_truncate("payments_ledgerentry")]
