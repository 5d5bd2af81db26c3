from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hackney_portal.core import registry
from hackney_portal.devservices.demo_logins import DEMO_LOGINS, DEMO_PASSWORD
from hackney_portal.users.services import user_ensure


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
        # Each council service's app config loads its own (core/registry.py); nothing here names a service.
        for service in registry.services():
            with transaction.atomic():
                service.demo_load(users=users)
        self.stdout.write(f"demo data ready ({len(users)} demo users)")
