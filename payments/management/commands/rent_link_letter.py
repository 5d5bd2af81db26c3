"""Issue a one-time link code to post to the property, for a tenant with no email on the tenancy record.

The code is printed once, for the letter; only its keyed hash is kept. It replaces any earlier posted code
for the account, works once, for 30 days. Each run is in the audit log.
"""

from django.core.management.base import BaseCommand, CommandError

from payments.models import RentAccount
from payments.services import account_link_code_issue_letter


class Command(BaseCommand):
    help = "Issue a rent account link code to post to the tenant (printed once, for the letter)."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="Rent account number")

    def handle(self, *args, reference: str, **options):
        account = RentAccount.objects.filter(reference=reference.strip()).first()
        if account is None:
            raise CommandError(f"No rent account {reference}")
        code = account_link_code_issue_letter(account=account, actor=None)
        self.stdout.write(f"{account.reference}\t{account.address}\t{code}")
