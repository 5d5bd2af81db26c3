# The H-CLIC returns move from text columns (the personal-data file in the clear in the database) to the
# portal's private storage (local disk in development, S3 in production, encrypted at rest), with a SHA-256
# for each file. The table is append-only: its trigger is paused only while this migration copies the old
# rows' text out, in the same transaction.

import hashlib

from django.core.files.base import ContentFile
from django.db import migrations, models

import hackney_portal.core.storage

TRIGGER = "homelessness_hclicexport_no_update_delete"
PAUSE = f"ALTER TABLE homelessness_hclicexport DISABLE TRIGGER {TRIGGER}"
RESUME = f"ALTER TABLE homelessness_hclicexport ENABLE TRIGGER {TRIGGER}"


def to_storage(apps, schema_editor):
    HclicExport = apps.get_model("homelessness", "HclicExport")
    for export in HclicExport.objects.filter(case_file="").iterator(chunk_size=20):
        stem = f"hclic-{export.year}-q{export.quarter}-v{export.version}"
        names = {}
        for which, text in (("case", export.case_xml), ("personal", export.personal_xml)):
            data = text.encode("utf-8")
            field = getattr(export, f"{which}_file")
            field.save(f"{stem}-{which}.xml", ContentFile(data), save=False)
            names[f"{which}_file"] = field.name
            names[f"{which}_sha256"] = hashlib.sha256(data).hexdigest()
        HclicExport.objects.filter(pk=export.pk).update(**names)


def to_columns(apps, schema_editor):
    HclicExport = apps.get_model("homelessness", "HclicExport")
    for export in HclicExport.objects.exclude(case_file="").iterator(chunk_size=20):
        texts = {}
        for which in ("case", "personal"):
            field = getattr(export, f"{which}_file")
            with field.storage.open(field.name, "rb") as f:
                texts[f"{which}_xml"] = f.read().decode("utf-8")
        HclicExport.objects.filter(pk=export.pk).update(**texts)


class Migration(migrations.Migration):
    dependencies = [("homelessness", "0010_hclic_items_and_code_lists")]

    operations = [
        migrations.AddField(
            model_name="hclicexport",
            name="case_file",
            field=models.FileField(
                default="",
                max_length=200,
                storage=hackney_portal.core.storage.private_storage,
                upload_to="homelessness/hclic",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="hclicexport",
            name="personal_file",
            field=models.FileField(
                default="",
                max_length=200,
                storage=hackney_portal.core.storage.private_storage,
                upload_to="homelessness/hclic",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="hclicexport",
            name="case_sha256",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="hclicexport",
            name="personal_sha256",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="hclicexport",
            name="sha256",
            field=models.CharField(help_text="Both files together: the snapshot's identity", max_length=64),
        ),
        migrations.RunSQL(PAUSE, RESUME),
        migrations.RunPython(to_storage, to_columns),
        migrations.RunSQL(RESUME, PAUSE),
        migrations.RemoveField(model_name="hclicexport", name="case_xml"),
        migrations.RemoveField(model_name="hclicexport", name="personal_xml"),
        migrations.AddConstraint(
            model_name="hclicexport",
            constraint=models.CheckConstraint(
                condition=models.Q(("case_file", ""), _negated=True) & models.Q(("personal_file", ""), _negated=True),
                name="hclic_files_stored",
            ),
        ),
        migrations.AddConstraint(
            model_name="hclicexport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("sha256__regex", "^[0-9a-f]{64}$"),
                    ("case_sha256__regex", "^[0-9a-f]{64}$"),
                    ("personal_sha256__regex", "^[0-9a-f]{64}$"),
                ),
                name="hclic_each_file_hashed",
            ),
        ),
    ]
