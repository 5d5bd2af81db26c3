"""Documents: requests to the applicant and uploads."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.uploads import upload_check

from ..models import Case, Document, DocumentRequest
from .common import DOCUMENT_TYPES, _require_officer, case_message_send


@transaction.atomic
def document_request_create(*, case: Case, actor, description: str, due_on: dt.date) -> DocumentRequest:
    _require_officer(actor)
    request = DocumentRequest.objects.create(
        case=case, description=description, due_on=due_on, requested_by=actor
    )
    audit_log(actor=actor, action="homelessness.document.requested", obj=case, data={"request": request.pk})
    case_message_send(
        case=case,
        template="document_request",
        key=f"homelessness.docreq:{request.pk}",
        actor=actor,
        context={"request": request},
    )
    return request


@transaction.atomic
def document_upload(*, case: Case, actor, upload, request: DocumentRequest | None = None) -> Document:
    """Applicants answer a request (or send something unasked) with a PDF, photo or Word file."""
    ext = upload_check(
        upload,
        allowed=DOCUMENT_TYPES,
        max_bytes=settings.HOMELESSNESS_UPLOAD_MAX_BYTES,
        field="file",
        what="The file",
        kinds="a PDF, JPG, PNG or Word document (.docx)",
    )
    if request is not None and request.case_id != case.pk:
        raise ApplicationError("That request is not for this case.")
    doc = Document(
        case=case,
        request=request,
        original_name=(upload.name or f"document.{ext}")[:200],
        content_type=next(mime for mime, e in DOCUMENT_TYPES.items() if e == ext),
        size=upload.size,
        uploaded_by_applicant=not getattr(actor, "is_staff", False),
    )
    doc.file.save(f"upload.{ext}", upload, save=False)
    doc.save()
    if request is not None and request.answered_at is None:
        request.answered_at = timezone.now()
        request.save(update_fields=["answered_at"])
    audit_log(actor=actor, action="homelessness.document.uploaded", obj=case, data={"document": doc.pk})
    return doc
