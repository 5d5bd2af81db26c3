"""H-CLIC items that were not collected, and a code list for every item of the return (issue 15.11).

The case gains the main prevention and relief activity and the accommodation secured when a duty ended that
way (the officer records them). The lists added to version 2026.1 are loaded: route, DTR body, initial
assessment, sex, relationship, priority need, final decision, placement type, review kind and outcome,
ethnicity, nationality, employment, benefit, activity and accommodation secured. Lists already in the
database are left as they are."""

import datetime as dt
import json
from pathlib import Path

from django.db import migrations, models

CODES = Path(__file__).resolve().parent.parent / "data" / "hclic_codes_2026.json"


def load_missing_code_lists(apps, schema_editor):
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


class Migration(migrations.Migration):
    dependencies = [("homelessness", "0009_restricted_cases_team")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="accommodation_secured",
            field=models.CharField(
                blank=True, help_text="Accommodation secured when a duty ended that way", max_length=30
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="prevention_activity",
            field=models.CharField(blank=True, help_text="Main prevention activity", max_length=30),
        ),
        migrations.AddField(
            model_name="case",
            name="relief_activity",
            field=models.CharField(blank=True, help_text="Main relief activity", max_length=30),
        ),
        migrations.RunPython(load_missing_code_lists, migrations.RunPython.noop),
    ]
