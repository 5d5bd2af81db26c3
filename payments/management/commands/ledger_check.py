from django.core.management.base import BaseCommand, CommandError

from payments.ledger_check import ledger_check


class Command(BaseCommand):
    help = "Check the rent ledger's integrity (after restoring a backup, or at any time). Exit 1 on failure."

    def handle(self, *args, **options):
        failed = False
        for name, references in ledger_check().items():
            if references:
                failed = True
                self.stdout.write(f"FAIL {name}: {', '.join(references)}")
            else:
                self.stdout.write(f"ok   {name}")
        if failed:
            raise CommandError("the ledger failed its checks")
