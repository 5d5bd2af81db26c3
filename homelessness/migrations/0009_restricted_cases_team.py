from django.conf import settings
from django.db import migrations, models


def team_group(apps, schema_editor):
    # The team holds no permissions of its own: its members are housing officers (their group gives them the
    # back office); being in the team is what lets them see the cases routed to it.
    apps.get_model("auth", "Group").objects.get_or_create(name=settings.HOMELESSNESS_RESTRICTED_TEAM)


def back(apps, schema_editor):
    pass  # the group may have members by now; leave it


class Migration(migrations.Migration):
    dependencies = [("homelessness", "0008_statutory_decisions_and_history"), ("users", "0002_staff_groups")]
    operations = [
        migrations.AddField(
            model_name="case",
            name="restricted_team",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(team_group, back),
    ]
