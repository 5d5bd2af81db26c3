"""Hackney Works writes: postcodes (ONS Postcode Directory rows) and their normal form."""

from __future__ import annotations


def normalise_postcode(value: str) -> str:
    import re

    compact = re.sub(r"\s+", "", value or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def postcodes_load(*, rows, local_authority: str = "", batch: int = 5000) -> tuple[int, int]:
    """Upsert ONSPD rows; returns (loaded, skipped)."""
    from ..models import Postcode

    loaded = skipped = 0
    chunk: list[Postcode] = []

    def flush():
        Postcode.objects.bulk_create(
            chunk,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["latitude", "longitude", "local_authority", "ward"],
        )
        chunk.clear()

    for row in rows:
        lat, lon = row.get("lat", ""), row.get("long", "")
        if (
            row.get("doterm")
            or not lat
            or not lon
            or (local_authority and row.get("oslaua") != local_authority)
        ):
            skipped += 1
            continue
        # ONSPD marks postcodes with no grid reference with latitude 99.999999.
        if float(lat) > 90:
            skipped += 1
            continue
        chunk.append(
            Postcode(
                postcode=normalise_postcode(row["pcds"]),
                latitude=float(lat),
                longitude=float(lon),
                local_authority=row.get("oslaua", ""),
                ward=row.get("osward", ""),
            )
        )
        loaded += 1
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    return loaded, skipped
