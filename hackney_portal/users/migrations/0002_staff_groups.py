from django.db import migrations

from hackney_portal.users.roles import ALL_GROUPS, grant


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ALL_GROUPS:
        Group.objects.get_or_create(name=name)
    # Everyone on staff may read the audit log of what they are responsible for; the admin filters rows.
    for name in ("Housing officers", "Housing managers", "Finance officers"):
        grant(apps, name, "core", ["view_auditevent"])
    grant(apps, "Finance officers", "core", ["view_notification"])


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ALL_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("users", "0001_initial"), ("core", "0003_audit_append_only"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, remove_groups)]
