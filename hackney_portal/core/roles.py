"""Staff groups and what each may do.

Groups are created by a data migration in the users app; each service app grants its own model permissions to
these groups in a data migration of its own, using `grant()`. Names are constants so code and tests agree.
"""

HOUSING_OFFICERS = "Housing officers"
HOUSING_MANAGERS = "Housing managers"
FINANCE_OFFICERS = "Finance officers"
JOBS_MODERATORS = "Jobs moderators"
EMPLOYERS = "Employers"
# Statutory returns (H-CLIC): the only people who build and download the quarterly files. Created by a
# data migration in homelessness, which owns the permission.
STATUTORY_RETURNS = "Statutory returns officers"

ALL_GROUPS = [HOUSING_OFFICERS, HOUSING_MANAGERS, FINANCE_OFFICERS, JOBS_MODERATORS, EMPLOYERS]


def services_of(user) -> set[str]:
    """The services (app labels) whose shared records (audit events, sent messages) this staff user may read:
    each service names its staff groups in its app config (core/registry.py)."""
    from .registry import service_of_group

    service_of = service_of_group()
    names = user.groups.values_list("name", flat=True)
    return {service_of[name] for name in names if name in service_of}


def grant(apps, group_name: str, app_label: str, codenames: list[str]) -> None:
    """Give a group permissions on an app's models, from inside a data migration."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate finishes; a data migration needs them now.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    perms = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    missing = set(codenames) - {p.codename for p in perms}
    if missing:
        raise RuntimeError(f"unknown permissions for {app_label}: {sorted(missing)}")
    group.permissions.add(*perms)


def user_in_group(user, *group_names: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=group_names).exists()
