"""Statement downloads: CSV and PDF, from the same rows the page shows (balance brought forward first, then
each entry in date order with its running balance)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from hackney_portal.core.csvsafe import csv_safe
from hackney_portal.core.pdf import FAMILY, pdf_fonts_add, pdf_line

from .calendar import rent_year

# Charged for a Monday-to-Sunday rent week, so each is shown with the week it pays for.
WEEKLY_CHARGES = ("rent", "service_charge")


def _pounds(pence: int) -> str:
    return f"{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def _balance_words(pence: int) -> str:
    """A balance without a minus sign: "£40.00 in credit" for a credit."""
    return f"£{_pounds(pence)} in credit" if pence < 0 else f"£{_pounds(pence)}"


def _balance_state(pence: int) -> str:
    return "in credit" if pence < 0 else "owed" if pence > 0 else ""


def statement_csv_rows(statement: dict) -> list[list[str]]:
    """Numbers stay plain numbers for spreadsheets; which way a balance goes is its own column, so no cell
    carries a minus sign."""
    rows = [
        [
            "Date",
            "Rent year",
            "Rent week",
            "Description",
            "Charges",
            "Payments",
            "Balance",
            "Balance is",
        ]
    ]
    opening = statement["opening_pence"]
    rows.append(
        [
            statement["start"].isoformat(),
            "",
            "",
            "Balance brought forward",
            "",
            "",
            _pounds(opening).replace(",", ""),
            _balance_state(opening),
        ]
    )
    for row in statement["rows"]:
        e, balance = row["entry"], row["balance_pence"]
        rows.append(
            [
                e.business_date.isoformat(),
                rent_year(e.business_date),
                str(e.rent_week),
                csv_safe(e.description or e.get_kind_display()),
                _pounds(e.amount_pence).replace(",", "") if e.amount_pence > 0 else "",
                _pounds(e.amount_pence).replace(",", "") if e.amount_pence < 0 else "",
                _pounds(balance).replace(",", ""),
                _balance_state(balance),
            ]
        )
    return rows


def _pdf_text(text: str) -> str:
    return pdf_line(text)


def statement_pdf(*, account, statement: dict, issued: dt.date) -> bytes:
    """An A4 statement a tenant can print or hand to an adviser: who and where, the period, the issue date,
    the table with its header on every page, "Page 1 of 3", and how to contact the council. Tagged as far as
    fpdf2 goes: document language and title (shown in the title bar), and headings as tagged sections (which
    also gives the bookmarks outline)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace, TextStyle
    from fpdf.prefs import ViewerPreferences

    council = settings.COUNCIL
    start, end = statement["start"], statement["end"]

    class StatementPDF(FPDF):
        def footer(self):
            self.set_y(-18)
            self.set_font(FAMILY, "", 9)
            self.set_text_color(60, 60, 60)
            contact = (
                f"{council['name']}, {council['address']}. "
                f"Phone {council['contact_phone']}, {council['website']}"
            )
            self.cell(0, 5, _pdf_text(contact), new_x="LMARGIN", new_y="NEXT", align="C")
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = StatementPDF(orientation="P", unit="mm", format="A4")
    pdf_fonts_add(pdf)
    pdf.set_lang("en-GB")
    title = f"Rent statement for rent account {account.reference}"
    pdf.set_title(_pdf_text(title))
    pdf.set_subject(_pdf_text(f"{start:%d %B %Y} to {end:%d %B %Y}"))
    pdf.set_author(_pdf_text(council["name"]))
    pdf.set_creator(_pdf_text(council["service_name"]))
    pdf.set_display_mode("fullwidth")
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_page()
    pdf.set_text_color(11, 12, 12)
    # Headings drawn by start_section are marked content in the structure tree and entries in the outline.
    pdf.set_section_title_styles(
        TextStyle(font_family=FAMILY, font_style="B", font_size_pt=16, color=(11, 12, 12), b_margin=3),
        TextStyle(font_family=FAMILY, font_style="B", font_size_pt=13, color=(11, 12, 12), b_margin=2),
    )
    pdf.set_font(FAMILY, "", 11)
    pdf.start_section(_pdf_text(f"{council['name']}: rent statement"))
    pdf.set_font(FAMILY, "", 11)
    details = (
        ("Tenant", account.tenant_name),
        ("Address", account.address),
        ("Rent account", account.reference),
        ("Period", f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"),
        ("Issued", f"{issued.day} {issued:%B %Y}"),
        ("Balance brought forward", _balance_words(statement["opening_pence"])),
        ("Balance at the end of the period", _balance_words(statement["closing_pence"])),
    )
    for label, value in details:
        pdf.set_font(FAMILY, "B", 11)
        pdf.cell(65, 7, _pdf_text(label))
        pdf.set_font(FAMILY, "", 11)
        pdf.multi_cell(0, 7, _pdf_text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.start_section("Transactions, oldest first", level=1)
    pdf.set_font(FAMILY, "", 10)
    headings = ("Date", "Description", "Charges", "Payments", "Balance")
    with pdf.table(
        col_widths=(24, 62, 26, 26, 42),
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
        repeat_headings=1,
        line_height=6,
    ) as table:
        table.row(headings)
        table.row(
            (
                f"{start:%d/%m/%Y}",
                "Balance brought forward",
                "",
                "",
                _balance_words(statement["opening_pence"]),
            )
        )
        for row in statement["rows"]:
            e = row["entry"]
            table.row(
                (
                    f"{e.business_date:%d/%m/%Y}",
                    _pdf_text(e.description or e.get_kind_display())[:60]
                    + (f" (rent week {e.rent_week})" if e.kind in WEEKLY_CHARGES else ""),
                    f"£{_pounds(e.amount_pence)}" if e.amount_pence > 0 else "",
                    f"£{_pounds(e.amount_pence)}" if e.amount_pence < 0 else "",
                    _balance_words(row["balance_pence"]),
                )
            )
    pdf.ln(4)
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(
        0,
        5,
        _pdf_text(
            f"Questions about your rent account: call {council['contact_phone']} or email "
            f"{council['contact_email']}. Pay online at {council['website']}."
        ),
    )
    return bytes(pdf.output())
