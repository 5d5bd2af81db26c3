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
        from . import error_pages

        error_pages.install()
        # Register every app's Celery tasks in web processes too, so tasks can be looked up by name
        # (the outbox sends by name; tests run them in-process).
        import importlib

        from django.apps import apps

        for config in apps.get_app_configs():
            try:
                importlib.import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise
