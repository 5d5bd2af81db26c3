# Income files made before the transaction-type column (layout 1) keep their layout, so re-making such a day
# compares the ledger with the file in the layout the housing system received.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("payments", "0015_phone_payments")]

    operations = [
        migrations.AddField(
            model_name="incomefile",
            name="layout",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="incomefile",
            name="layout",
            field=models.PositiveSmallIntegerField(
                default=2, help_text="The file's layout (payments/income_file.py): a re-run is compared in this one"
            ),
        ),
        migrations.AddConstraint(
            model_name="incomefile",
            constraint=models.CheckConstraint(condition=models.Q(("layout__in", [1, 2])), name="income_file_layout_known"),
        ),
    ]
