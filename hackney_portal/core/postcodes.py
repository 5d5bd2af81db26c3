"""UK postcodes: their normal form and whether text is one (by format only; no lookup)."""

from __future__ import annotations

import re

OUTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code ("e81ea" -> "E8 1EA"); an outcode alone stays."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if OUTCODE.match(compact):
        return compact
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def is_full_postcode(value: str) -> bool:
    """A whole postcode in the shape the Royal Mail gives them ("E8 1EA"), after normalising."""
    return bool(FULL_POSTCODE.match(normalise_postcode(value)))
