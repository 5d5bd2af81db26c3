"""CSV cells that a spreadsheet will not run as formulas (OWASP: CSV injection)."""

from .hostile import strip_control

# OWASP's list, and the full-width forms some spreadsheets also read as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_safe(value) -> str:
    """The cell's text, without control characters (removed first, so none can hide a formula behind it),
    quoted with a leading apostrophe if a spreadsheet would read it as a formula, even after spaces."""
    text = strip_control("" if value is None else str(value))
    return "'" + text if text.lstrip(" \n").startswith(FORMULA_PREFIXES) else text
