"""The one font every PDF the portal makes is written in, and text made safe for it.

PDF's built-in Helvetica covers Latin-1 only, so "Łukasz Wiśniewski", "Zoë Çelik" or "Анна" came out with
question marks in a tenant's statement or an applicant's letter. DejaVu Sans (vendored beside this module,
licence in fonts/LICENSE, so the container needs no system fonts) covers Latin, Greek and Cyrillic; fpdf2
embeds only the glyphs used. Scripts that need shaping (Arabic, Bengali) are not shaped yet (README).
"""

from __future__ import annotations

from pathlib import Path

from .hostile import one_line

FAMILY = "DejaVu"
_FONTS = Path(__file__).resolve().parent / "fonts"


def pdf_fonts_add(pdf) -> str:
    """Register the portal's font, regular and bold, on an fpdf2 document; returns the family name."""
    pdf.add_font(FAMILY, "", str(_FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
    return FAMILY


def pdf_line(text: str) -> str:
    """One line for the PDF: control characters and line breaks go, and a character the font has no glyph
    for is dropped by fpdf2 with a warning rather than breaking the file."""
    return one_line(text or "")
