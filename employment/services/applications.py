"""Hackney Works writes: applications (CV checks, submission, status and the applicant's emails)."""

from __future__ import annotations

from django.db import transaction

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.hostile import strip_control
from hackney_portal.core.notifications import notification_send

from ..models import Opportunity

S = Opportunity.Status


CV_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
CV_MAX_BYTES = 5 * 1024 * 1024


def cv_check(upload) -> str:
    """The file's type from its content, not its name: PDF or Word (DOCX) only, 5 MB at most."""
    from hackney_portal.core.uploads import upload_check

    return upload_check(
        upload,
        allowed=CV_TYPES,
        max_bytes=CV_MAX_BYTES,
        field="cv",
        what="The CV",
        kinds="a PDF or a Word document (.docx)",
    )


@transaction.atomic
def application_submit(
    *, opp_id: int, name: str, email: str, phone: str, cv, statement: str, lives_in_borough: bool, actor
):
    import secrets

    from django.db import IntegrityError

    from hackney_portal.core.calendar import business_date

    from ..models import Application

    opp = Opportunity.objects.get(pk=opp_id)
    if opp.status != S.PUBLISHED or opp.closing_date < business_date():
        raise ApplicationError("This opportunity has closed")
    if opp.apply_url:
        raise ApplicationError("Apply for this opportunity on the employer's website")
    cv_type = cv_check(cv)
    email = email.strip().lower()
    user = actor if getattr(actor, "is_authenticated", False) else None
    if user is not None and Application.objects.filter(opportunity=opp, user=user).exists():
        raise ApplicationError("You have already applied for this opportunity")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                reference="HW-"
                + "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8)),
                opportunity=opp,
                user=user,
                name=name,
                email=email,
                phone=phone,
                cv=cv,
                cv_type=cv_type,
                statement=statement,
                lives_in_borough=lives_in_borough,
            )
    except IntegrityError:
        raise ApplicationError(
            "You have already applied for this opportunity with this email address", field="email"
        ) from None
    audit_log(
        actor=actor, action="employment.application.received", obj=application, data={"opportunity": opp.pk}
    )
    notification_send(
        template="employment/email/application_received",
        to=email,
        key=f"employment.application:{application.pk}",
        context={"application": application, "opp": opp},
    )
    return application


STATUS_EMAILS = {"shortlisted", "interview", "unsuccessful", "hired"}


@transaction.atomic
def application_set_status(*, application_id: int, status: str, feedback: str, actor):
    """Set an application's status; the applicant is emailed when it changes (with any feedback given),
    once per status and feedback, however often the form is saved."""
    import hashlib

    from ..models import Application

    application = Application.objects.select_for_update().select_related("opportunity").get(pk=application_id)
    previous = (application.status, application.feedback)
    application.status = status
    application.feedback = strip_control(feedback or "").strip()
    application.full_clean(exclude=["cv"])
    application.save(update_fields=["status", "feedback"])
    audit_log(actor=actor, action=f"employment.application.{status}", obj=application)
    if status in STATUS_EMAILS and (application.status, application.feedback) != previous:
        digest = hashlib.sha256(application.feedback.encode()).hexdigest()[:12]
        notification_send(
            template="employment/email/application_status",
            to=application.email,
            key=f"employment.application-status:{application.pk}:{status}:{digest}",
            context={"application": application, "opp": application.opportunity},
        )
    return application


CV_CONTENT_TYPES = {kind: content_type for content_type, kind in CV_TYPES.items()}


def application_cv_open(*, application, actor):
    """Open an applicant's CV to download it; every download is audited with who took it."""
    audit_log(actor=actor, action="employment.application.cv_downloaded", obj=application)
    return application.cv.open("rb"), CV_CONTENT_TYPES[application.cv_type]
