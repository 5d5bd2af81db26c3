"""A decision letter as a PDF: the stored text of the letter as sent, nothing recomputed."""

from __future__ import annotations

from hackney_portal.core.pdf import FAMILY, pdf_fonts_add, pdf_line


def letter_pdf(letter) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf_fonts_add(pdf)
    pdf.set_lang("en-GB")
    pdf.set_title(pdf_line(f"{letter.get_kind_display()} {letter.case.reference}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FAMILY, "", 11)
    for paragraph in letter.body.replace("\r\n", "\n").split("\n"):
        # Each line of the stored letter is its own paragraph; control characters are dropped.
        line = pdf_line(paragraph)
        if line:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(4)
    return bytes(pdf.output())
