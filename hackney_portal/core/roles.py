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
    return {service_of[name] for name in group_names(user) if name in service_of}


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


# Attribute on the user object holding its group names. Each request loads its own user object, so the
# names are read once per request: the queue page asked for them once per permission check, row and
# filter (issue 18). Changing the groups through `user.groups` drops it (see `forget_group_names`).
_GROUP_NAMES = "_portal_group_names"


def group_names(user) -> frozenset[str]:
    """The names of the user's groups, read once per user object."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return frozenset()
    names = user.__dict__.get(_GROUP_NAMES)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user.__dict__[_GROUP_NAMES] = names
    return names


def forget_group_names(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    """m2m_changed receiver for User.groups: a user object whose groups change reads them again."""
    if not action.startswith("post_"):
        return
    if reverse:
        # group.user_set.add(...): the user objects in memory are not at hand; those of later requests are
        # fresh anyway, and this keeps tests that change a group from the group's side honest.
        return
    instance.__dict__.pop(_GROUP_NAMES, None)


def user_in_group(user, *names: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return not group_names(user).isdisjoint(names)
