"""A decision letter as a PDF: the stored text of the letter as sent, nothing recomputed."""

from __future__ import annotations

from hackney_portal.core.hostile import one_line


def _latin1(text: str) -> str:
    # The core font is Latin-1: typographic quotes and dashes are mapped, anything else becomes "?".
    table = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
    text = "".join(table.get(ch, ch) for ch in text)
    return text.encode("latin-1", "replace").decode("latin-1")


def letter_pdf(letter) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(_latin1(one_line(f"{letter.get_kind_display()} {letter.case.reference}")))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    for paragraph in letter.body.replace("\r\n", "\n").split("\n"):
        # Each line of the stored letter is its own paragraph; control characters are dropped.
        line = _latin1(one_line(paragraph))
        if line:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(4)
    return bytes(pdf.output())
