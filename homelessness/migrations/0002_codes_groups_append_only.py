import datetime as dt
import json
from pathlib import Path

from django.db import migrations

from hackney_portal.core.append_only import append_only
from hackney_portal.users.roles import HOUSING_MANAGERS, HOUSING_OFFICERS, grant

CODES = Path(__file__).resolve().parent.parent / "data" / "hclic_codes_2026.json"


def load_codes(apps, schema_editor):
    CodeList = apps.get_model("homelessness", "CodeList")
    Code = apps.get_model("homelessness", "Code")
    data = json.loads(CODES.read_text())
    for name, rows in data["lists"].items():
        code_list, created = CodeList.objects.get_or_create(
            name=name, version=data["version"], defaults={"valid_from": dt.date.fromisoformat(data["valid_from"])}
        )
        if created:
            Code.objects.bulk_create(
                Code(code_list=code_list, code=code, hclic_value=value, label=label, position=i)
                for i, (code, value, label) in enumerate(rows)
            )


def grant_housing(apps, schema_editor):
    officer = [
        "view_case", "change_case", "assign_case", "view_hclicexport", "view_codelist", "view_code",
    ]
    grant(apps, HOUSING_OFFICERS, "homelessness", officer)
    grant(apps, HOUSING_MANAGERS, "homelessness", [*officer, "approve_noncooperation", "export_hclic", "add_hclicexport"])


class Migration(migrations.Migration):
    # Letters, notes and H-CLIC snapshots are evidence: corrections are new rows, never edits.
    dependencies = [("homelessness", "0001_initial"), ("users", "0002_staff_groups")]
    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS homelessness_case_reference_seq START 1000",
            "DROP SEQUENCE IF EXISTS homelessness_case_reference_seq",
        ),
        append_only("homelessness_decisionletter", retention_delete=True),
        append_only("homelessness_casenote", retention_delete=True),
        append_only("homelessness_hclicexport"),
        migrations.RunPython(load_codes, migrations.RunPython.noop),
        migrations.RunPython(grant_housing, migrations.RunPython.noop),
    ]
