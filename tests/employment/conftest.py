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


# A few real postcodes (positions from the shipped table), for tests that submit listings through the
# employer's form, which refuses a postcode it cannot find. Loading the whole table takes seconds.
KNOWN_POSTCODES = {"E8 1EA", "E8 2LX", "E9 5EN", "E17 4PP", "N16 7UJ"}


def _known_postcode_rows() -> list[tuple[str, float, float]]:
    import csv
    import gzip
    from pathlib import Path

    import employment

    table = Path(employment.__file__).parent / "data" / "postcodes_hackney_area.csv.gz"
    with gzip.open(table, "rt", newline="") as f:
        return [
            (r["pcds"], float(r["lat"]), float(r["long"]))
            for r in csv.DictReader(f)
            if r["pcds"] in KNOWN_POSTCODES
        ]


@pytest.fixture
def known_postcodes(db):
    from employment.models import Postcode

    Postcode.objects.bulk_create(
        [Postcode(postcode=p, latitude=lat, longitude=lon) for p, lat, lon in _known_postcode_rows()],
        ignore_conflicts=True,
    )
