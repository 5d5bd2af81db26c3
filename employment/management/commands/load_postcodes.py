"""Load postcode centroids from an ONS Postcode Directory (ONSPD) CSV.

    manage.py load_postcodes path/to/ONSPD.csv [--local-authority E09000012]

Terminated postcodes (`doterm` set) and rows without coordinates are skipped. Rows are upserted in batches,
so a full national file loads in constant memory and a re-load updates rather than duplicates.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from employment.services import postcodes_load

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "onspd_sample.csv"


class Command(BaseCommand):
    help = "Load postcode centroids from an ONS Postcode Directory CSV (default: the shipped borough sample)"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(SAMPLE))
        parser.add_argument("--local-authority", default="", help="Only this local authority code (oslaua)")

    def handle(self, *args, path: str, local_authority: str, **options):
        if not Path(path).exists():
            raise CommandError(f"No such file: {path}")
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            missing = {"pcds", "lat", "long", "doterm"} - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"Not an ONSPD file: missing columns {sorted(missing)}")
            loaded, skipped = postcodes_load(rows=reader, local_authority=local_authority)
        self.stdout.write(f"loaded {loaded} postcodes, skipped {skipped}")
