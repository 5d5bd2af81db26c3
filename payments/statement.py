"""Statement downloads: CSV and PDF, from the same ledger rows the page shows."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from hackney_portal.core.csvsafe import csv_safe
from hackney_portal.core.hostile import one_line


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def statement_csv_rows(entries) -> list[list[str]]:
    rows = [["Date", "Rent week", "Financial year", "Description", "Debit", "Credit", "Balance"]]
    for e in entries:
        rows.append(
            [
                e.business_date.isoformat(),
                str(e.rent_week),
                e.financial_year,
                csv_safe(e.description or e.get_kind_display()),
                _pounds(e.amount_pence) if e.amount_pence > 0 else "",
                _pounds(-e.amount_pence) if e.amount_pence < 0 else "",
                _pounds(e.balance_after_pence),
            ]
        )
    return rows


def _pdf_text(text: str) -> str:
    """One line in the PDF's core font (Latin-1): control characters and line breaks go, and characters
    the font does not have become "?" rather than breaking the file."""
    return one_line(text).encode("latin-1", "replace").decode("latin-1")


def statement_pdf(*, account, entries, start: dt.date, end: dt.date) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"Rent statement {account.reference}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, f"{settings.COUNCIL['name']}: rent statement", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for line in (f"Rent account {account.reference}", account.address, f"{start:%d %B %Y} to {end:%d %B %Y}"):
        pdf.cell(0, 7, _pdf_text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (25, 70, 25, 25, 30)
    pdf.set_font("Helvetica", "B", 10)
    for w, h in zip(widths, ("Date", "Description", "Debit", "Credit", "Balance"), strict=True):
        pdf.cell(w, 7, h, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for e in entries:
        cells = (
            f"{e.business_date:%d/%m/%Y}",
            one_line(e.description or e.get_kind_display())[:40],
            _pounds(e.amount_pence) if e.amount_pence > 0 else "",
            _pounds(-e.amount_pence) if e.amount_pence < 0 else "",
            _pounds(e.balance_after_pence),
        )
        for w, c in zip(widths, cells, strict=True):
            pdf.cell(w, 6, _pdf_text(c), border=1)
        pdf.ln()
    return bytes(pdf.output())
