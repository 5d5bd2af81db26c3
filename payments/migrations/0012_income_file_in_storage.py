# The daily income files move from a text column to the portal's private storage (local disk in development,
# S3 in production, encrypted at rest), so any host can serve them and the database stops carrying them.

from django.core.files.base import ContentFile
from django.db import migrations, models

import hackney_portal.core.storage


def to_storage(apps, schema_editor):
    IncomeFile = apps.get_model("payments", "IncomeFile")
    for income in IncomeFile.objects.filter(file="").iterator(chunk_size=100):
        income.file.save(f"{income.batch_id}.csv", ContentFile(income.content.encode("utf-8")), save=False)
        IncomeFile.objects.filter(pk=income.pk).update(file=income.file.name)


def to_column(apps, schema_editor):
    IncomeFile = apps.get_model("payments", "IncomeFile")
    for income in IncomeFile.objects.exclude(file="").iterator(chunk_size=100):
        with income.file.storage.open(income.file.name, "rb") as f:
            text = f.read().decode("utf-8")
        IncomeFile.objects.filter(pk=income.pk).update(content=text)


class Migration(migrations.Migration):
    dependencies = [("payments", "0011_reconciliation_match")]

    operations = [
        migrations.AddField(
            model_name="incomefile",
            name="file",
            field=models.FileField(
                default="",
                max_length=200,
                storage=hackney_portal.core.storage.private_storage,
                upload_to="payments/income",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(model_name="incomefile", name="content", field=models.TextField(blank=True)),
        migrations.RunPython(to_storage, to_column),
        migrations.RemoveField(model_name="incomefile", name="content"),
    ]
