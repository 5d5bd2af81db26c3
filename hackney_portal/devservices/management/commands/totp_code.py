import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandError

from hackney_portal.users.models import User


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo staff user (development only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        from django.conf import settings

        if settings.PORTAL_ENVIRONMENT != "development" or not settings.DEBUG:
            raise CommandError("only available with development settings and DJANGO_DEBUG=true")
        user = User.objects.get(email=email.lower())
        auth = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        secret = auth.wrap().instance.data["secret"]
        # The current step: allauth's counter list starts at the oldest step drift allows, which would
        # print a code about to expire.
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
