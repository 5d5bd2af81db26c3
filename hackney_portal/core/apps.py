from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "hackney_portal.core.admin_site.PortalAdminSite"


class CoreConfig(AppConfig):
    default = True
    name = "hackney_portal.core"
    label = "core"
    verbose_name = "Portal"

    def ready(self) -> None:
        from . import addresses, error_pages, lookups

        addresses.install()
        error_pages.install()
        lookups.register()
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        from . import roles

        m2m_changed.connect(
            roles.forget_group_names, sender=get_user_model().groups.through, dispatch_uid="core.roles.groups"
        )
        # Register every app's Celery tasks in web processes too, so tasks can be looked up by name
        # (the outbox sends by name; tests run them in-process): each app's `tasks` module, found as the
        # admin finds `admin.py`.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
