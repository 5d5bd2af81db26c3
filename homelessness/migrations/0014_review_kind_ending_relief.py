"""Reviews of ending the relief duty are their own kind: reg. 9 gives them 8 weeks, not the prevention
duty's 3. Review kind code lists already in the database gain the new kind's code; reviews already open keep
the due date they were given (the earlier one), so nothing is late that was not late before."""

from django.db import migrations, models
from django.db.models import Max

NEW = ("ending_relief", "5", "Ending the relief duty (s.202(1)(ba)(ii))")


def add_code(apps, schema_editor):
    CodeList = apps.get_model("homelessness", "CodeList")
    Code = apps.get_model("homelessness", "Code")
    for code_list in CodeList.objects.filter(name="review_kind"):
        if Code.objects.filter(code_list=code_list, code=NEW[0]).exists():
            continue
        last = Code.objects.filter(code_list=code_list).aggregate(m=Max("position"))["m"]
        Code.objects.create(
            code_list=code_list, code=NEW[0], hclic_value=NEW[1], label=NEW[2], position=(last or 0) + 1
        )


class Migration(migrations.Migration):
    dependencies = [
        ("homelessness", "0013_case_duty_deadline_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="review",
            name="kind",
            field=models.CharField(
                choices=[
                    ("plan_steps", "Steps in the Personalised Housing Plan (3 weeks)"),
                    ("ending_prevention", "Ending the prevention duty, by notice or for not cooperating (3 weeks)"),
                    ("ending_relief", "Ending the relief duty, by notice or for not cooperating (8 weeks)"),
                    ("standard", "Other decisions (s.202) (8 weeks)"),
                    ("local_connection_referral", "Local connection referral, reviewed by both councils (10 weeks)"),
                ],
                max_length=30,
            ),
        ),
        migrations.RunPython(add_code, migrations.RunPython.noop),
    ]
