from django.db import migrations

from hackney_portal.users.roles import HOUSING_MANAGERS, HOUSING_OFFICERS, STATUTORY_RETURNS, grant

# The H-CLIC files hold every reported case, restricted ones too: only the statutory returns group builds,
# lists and downloads them. Housing officers and managers lose the permissions they had.
RETURNS = ["export_hclic", "add_hclicexport", "view_hclicexport"]


def returns_group(apps, schema_editor):
    grant(apps, STATUTORY_RETURNS, "homelessness", RETURNS)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="homelessness", codename__in=RETURNS)
    for group in Group.objects.filter(name__in=[HOUSING_OFFICERS, HOUSING_MANAGERS]):
        group.permissions.remove(*perms)


def back(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=STATUTORY_RETURNS).delete()
    grant(apps, HOUSING_OFFICERS, "homelessness", ["view_hclicexport"])
    grant(apps, HOUSING_MANAGERS, "homelessness", RETURNS)


class Migration(migrations.Migration):
    dependencies = [("homelessness", "0006_append_only_refuses_truncate"), ("users", "0002_staff_groups")]
    operations = [migrations.RunPython(returns_group, back)]
