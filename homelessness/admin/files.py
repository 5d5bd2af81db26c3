"""Files an officer opens from a case: uploaded documents and decision letters as PDF, each audited."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse

from .. import services
from ..letter_pdf import letter_pdf as render_letter_pdf
from ..models import DecisionLetter, Document


def letter_pdf(model_admin, request, pk: int, letter_id: int):
    case = model_admin.case_for(request, pk)
    letter = DecisionLetter.objects.filter(case=case, pk=letter_id).first()
    if letter is None:
        raise Http404
    services.letter_download_record(letter=letter, actor=request.user, fmt="pdf")
    response = HttpResponse(render_letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-letter-{letter.pk}.pdf"'
    return response


def document(model_admin, request, pk: int, doc_id: int):
    case = model_admin.case_for(request, pk)
    doc = Document.objects.filter(case=case, pk=doc_id).first()
    if doc is None:
        # Asking for another case's document through a case one may see is a probe too.
        services.case_access_denied(actor=request.user, case_id=pk, document_id=doc_id)
        raise Http404
    services.case_view_record(
        case=case, actor=request.user, what="document_opened", data={"document": doc.pk}
    )
    # Stored under a random name with no extension (never the uploader's): the extension comes from the
    # type the upload was checked to be.
    extension = services.DOCUMENT_TYPES.get(doc.content_type, "bin")
    return FileResponse(
        doc.file.open("rb"),
        content_type=doc.content_type,
        as_attachment=True,
        filename=f"{case.reference}-{doc.pk}.{extension}",
    )


def not_found(request, **kwargs):
    raise Http404
