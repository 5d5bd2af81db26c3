"""Hackney Works writes: postcodes (from the ONS Postcode Directory or the shipped table), their normal
form, and the check that a listing's postcode is one we can put on the map."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection, transaction

from hackney_portal.core.exceptions import ApplicationError

OUTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
NO_GRID_REFERENCE = 90  # ONSPD gives postcodes with no grid reference latitude 99.999999


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code ("e81ea" -> "E8 1EA"); an outcode alone ("e8",
    "ec1a") stays as it is."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if OUTCODE.match(compact):
        return compact
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def postcodes_load(
    *, rows: Iterable[dict], local_authorities: Iterable[str] | None = None, batch: int = 5000
) -> tuple[int, int]:
    """Upsert postcode rows as the ONS Postcode Directory names its columns (`pcds`, `lat`, `long`, and
    `doterm`, `oslaua`, `osward` where the file has them), streamed: memory stays flat whatever the size
    of the file. Kept: live postcodes (no `doterm`) with a grid reference, in `local_authorities` when
    given. A postcode the file says is terminated is removed. Then every outcode's centre is worked out
    again. Returns (loaded, skipped)."""
    from ..models import Postcode

    wanted = {code.strip().upper() for code in local_authorities or [] if code.strip()}
    loaded = skipped = 0
    chunk: list[Postcode] = []
    dead: list[str] = []

    def flush():
        with transaction.atomic():
            if chunk:
                Postcode.objects.bulk_create(
                    chunk,
                    update_conflicts=True,
                    unique_fields=["postcode"],
                    update_fields=["latitude", "longitude", "local_authority", "ward"],
                )
            if dead:
                Postcode.objects.filter(postcode__in=dead).delete()
        chunk.clear()
        dead.clear()

    for row in rows:
        postcode = normalise_postcode(row.get("pcds") or "")
        authority = (row.get("oslaua") or "").strip()
        if not FULL_POSTCODE.match(postcode) or (wanted and authority not in wanted):
            skipped += 1
            continue
        if (row.get("doterm") or "").strip():
            dead.append(postcode)
            skipped += 1
        else:
            try:
                lat, lon = float(row.get("lat") or "nan"), float(row.get("long") or "nan")
            except ValueError:
                lat = lon = float("nan")
            if not (-90 <= lat <= 90 and -180 <= lon <= 180) or abs(lat) >= NO_GRID_REFERENCE:
                skipped += 1
                continue
            chunk.append(
                Postcode(
                    postcode=postcode,
                    latitude=lat,
                    longitude=lon,
                    local_authority=authority[:9],
                    ward=(row.get("osward") or "")[:9],
                )
            )
            loaded += 1
        if len(chunk) + len(dead) >= batch:
            flush()
    flush()
    outcodes_refresh()
    return loaded, skipped


@transaction.atomic
def outcodes_refresh() -> None:
    """Each outcode's centre: the mean position of its live postcodes (one statement, in the database)."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM employment_outcode")
        cur.execute(
            """
            INSERT INTO employment_outcode (outcode, latitude, longitude, postcodes)
            SELECT split_part(postcode, ' ', 1), avg(latitude), avg(longitude), count(*)
            FROM employment_postcode GROUP BY 1
            """
        )


def postcode_require_known(postcode: str) -> str:
    """A listing's postcode, normalised, if it is a full postcode we have; otherwise the employer is told,
    rather than the listing quietly missing from every distance search."""
    return postcode_locate_known(postcode)[0]


def postcode_locate_known(postcode: str) -> tuple[str, float, float]:
    """A full postcode we have, normalised, with where it is (one read, so the check and the position
    cannot disagree); ApplicationError for anything else."""
    from ..models import Postcode

    normal = normalise_postcode(postcode)
    if not FULL_POSTCODE.match(normal):
        raise ApplicationError(
            "Enter the full postcode of the workplace, like E8 1EA", field="postcode", code="postcode"
        )
    found = Postcode.objects.filter(postcode=normal).values_list("latitude", "longitude").first()
    if found is None:
        raise ApplicationError(
            f"We cannot find the postcode {normal}. Check it is the full postcode of the workplace, "
            "like E8 1EA",
            field="postcode",
            code="postcode",
        )
    return normal, found[0], found[1]
