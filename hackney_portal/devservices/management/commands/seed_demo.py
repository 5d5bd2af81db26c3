import importlib

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hackney_portal.devservices.demo_logins import DEMO_LOGINS, DEMO_PASSWORD
from hackney_portal.users.services import user_ensure


def _demo_modules():
    """Each installed app may provide `<app>.demo.demo_load(*, users)`, idempotent, found as Django's admin
    finds `admin.py`: nothing here names a service."""
    from django.utils.module_loading import module_has_submodule

    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "demo"):
            yield importlib.import_module(f"{config.name}.demo")


class Command(BaseCommand):
    help = "Create demo users and demo data for every service. Running it again creates no duplicates."

    def handle(self, *args, **options):
        # Demo users share a published password and fixed two-factor secrets: never in a real deployment.
        if settings.PORTAL_ENVIRONMENT != "development":
            raise CommandError(
                "seed_demo only runs with development settings (hackney_portal.settings.development): it "
                "creates demo users with a published password."
            )
        users = {}
        with transaction.atomic():
            for login in DEMO_LOGINS:
                users[login["role"]] = user_ensure(
                    email=login["email"],
                    password=DEMO_PASSWORD,
                    name=login["name"],
                    is_staff=login["staff"],
                    is_superuser=login.get("superuser", False),
                    groups=login["groups"],
                    totp_secret=login.get("totp_secret"),
                )
        for module in _demo_modules():
            with transaction.atomic():
                module.demo_load(users=users)
        self.stdout.write(f"demo data ready ({len(users)} demo users)")
