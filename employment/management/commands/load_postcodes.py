"""Load postcode centres.

    manage.py load_postcodes                      # the shipped table: Hackney, its neighbours and more
    manage.py load_postcodes ONSPD_MAY_2025_UK.csv [--local-authority E09000012 ...] [--all-areas]

Given the ONS Postcode Directory CSV (as the council downloads it; .csv or .csv.gz), it is streamed row
by row and only live postcodes (no `doterm`) with a grid reference are kept, in the local authorities
(`oslaua`) named by --local-authority or, by default, COUNCIL["postcode_local_authorities"]
(Hackney and its neighbours); --all-areas keeps every one. Rows are upserted in batches, so a national
file loads in flat memory and a re-load updates rather than duplicates; postcodes the file says are
terminated are removed. Outcode centres (for a search by "E8" alone) are worked out afterwards.
"""

import csv
import gzip
import io
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from employment.services import postcodes_load

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "postcodes_hackney_area.csv.gz"


def _open(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", newline="", encoding="utf-8-sig")
    return open(path, newline="", encoding="utf-8-sig")


class Command(BaseCommand):
    help = "Load postcode centres from the ONS Postcode Directory CSV (default: the shipped table)"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(SHIPPED))
        parser.add_argument(
            "--local-authority",
            action="append",
            default=[],
            help="Keep this local authority code (ONSPD oslaua); repeat for more. "
            "Default: COUNCIL['postcode_local_authorities']",
        )
        parser.add_argument("--all-areas", action="store_true", help="Keep every local authority's postcodes")
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, path: str, local_authority: list[str], all_areas: bool, batch: int, **options):
        source = Path(path)
        if not source.exists():
            raise CommandError(f"No such file: {path}")
        with _open(source) as f:
            reader = csv.DictReader(f)
            columns = set(reader.fieldnames or [])
            missing = {"pcds", "lat", "long"} - columns
            if missing:
                raise CommandError(f"Not an ONS Postcode Directory file: missing columns {sorted(missing)}")
            areas: list[str] = []
            if "oslaua" in columns and not all_areas:
                areas = [c for value in local_authority for c in value.split(",")] or list(
                    settings.COUNCIL["postcode_local_authorities"]
                )
            elif local_authority:
                raise CommandError("This file has no local authority column (oslaua) to choose by")
            loaded, skipped = postcodes_load(rows=reader, local_authorities=areas, batch=batch)
        self.stdout.write(f"loaded {loaded} postcodes, skipped {skipped}")
