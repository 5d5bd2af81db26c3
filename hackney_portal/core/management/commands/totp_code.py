from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
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
        counter = next(iter(yield_hotp_counters_from_time()))
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
