import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


def pdf_bytes() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Curriculum vitae")
    return bytes(pdf.output())


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.fixture
def pdf_cv():
    return SimpleUploadedFile("cv.pdf", pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def docx_cv():
    return SimpleUploadedFile(
        "cv.docx",
        docx_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
