from django.db import migrations

from hackney_portal.core.append_only import refuse_truncate


class Migration(migrations.Migration):
    # TRUNCATE skips row triggers, so each append-only table needs a statement trigger of its own.
    dependencies = [("homelessness", "0005_case_contact_holds_and_single_use_resume"), ("core", "0006_audit_refuses_truncate")]
    operations = [refuse_truncate("homelessness_decisionletter", "homelessness_casenote", "homelessness_hclicexport")]
