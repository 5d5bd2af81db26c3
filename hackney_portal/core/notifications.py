"""Send templated messages through the outbox.

Services call `notification_send(...)` inside their transaction. The message is rendered and recorded at
once with a uniqueness key; delivery happens in a Celery task after commit. A second call with the same key
returns the existing row and sends nothing. SMS has a channel value and a delivery branch ready for a
provider; only email is wired today.

A message given a `held_reason` is recorded as it would have been sent, but never queued or delivered: the
recipient ruled the channel out, and staff need to see what we could not tell them and why.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from .hostile import one_line
from .models import Notification
from .outbox import enqueue

log = logging.getLogger(__name__)


def _plain_text(name: str, ctx: dict) -> str:
    """A plain-text part as written: Django escapes every template for HTML, which turned "O'Brien & Sons"
    into "O&#x27;Brien &amp; Sons" in subjects and bodies. Only the HTML part is escaped."""
    return get_template(name).template.render(Context(ctx, autoescape=False))


def notification_send(
    *, template: str, to: str, context: dict, key: str, actor=None, held_reason: str = ""
) -> Notification:
    """Render `templates/<template>_subject.txt`, `_body.txt` (and `_body.html` if present), record, send."""
    ctx = {"council": settings.COUNCIL, "site_url": settings.SITE_URL, **context}
    subject = _plain_text(f"{template}_subject.txt", ctx)
    body = _plain_text(f"{template}_body.txt", ctx)
    try:
        html = render_to_string(f"{template}_body.html", ctx)
    except TemplateDoesNotExist:  # the HTML part is optional
        html = ""
    return notification_send_rendered(
        to=to,
        subject=subject,
        body=body,
        html_body=html,
        template=template,
        key=key,
        actor=actor,
        held_reason=held_reason,
    )


def notification_send_rendered(
    *,
    to: str,
    subject: str,
    body: str,
    template: str,
    key: str | None,
    actor=None,
    html_body: str = "",
    held_reason: str = "",
) -> Notification:
    # One line without control characters, whatever a template put in: a newline in a subject is a
    # BadHeaderError at delivery (or, elsewhere, a header injected), and the rest garble mail clients.
    subject = one_line(subject)
    if key is None:
        # Messages with no natural key (a password reset asked for twice) are each distinct.
        key = f"{template}:{to}:{timezone.now().isoformat()}:{hashlib.sha256(body.encode()).hexdigest()[:16]}"
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                key=key,
                template=template,
                to=to,
                subject=subject,
                body=body,
                html_body=html_body,
                status=Notification.Status.HELD if held_reason else Notification.Status.PENDING,
                held_reason=held_reason[:300],
            )
    except IntegrityError:
        return Notification.objects.get(key=key)
    if held_reason:
        return note
    enqueue("hackney_portal.core.tasks.notification_deliver", note.pk)
    return note


# Extra mail headers by template, registered by the apps (AppConfig.ready): for example a one-click
# List-Unsubscribe (RFC 8058) for alert emails. Each takes the recorded notification and returns headers,
# so they are computed at delivery from the message's own key and need no stored column.
HEADER_PROVIDERS: dict = {}


def notification_headers_register(template: str, provider) -> None:
    HEADER_PROVIDERS[template] = provider


# Checks made again at delivery, registered by the apps (AppConfig.ready). Each takes the recorded message
# and returns why it must not go now, or "". What a recipient allows can change between recording and
# delivery (a worker down for an hour, a retry an hour later): the answers when it is sent govern.
DELIVERY_GUARDS: list = []


def notification_guard_register(guard) -> None:
    if guard not in DELIVERY_GUARDS:
        DELIVERY_GUARDS.append(guard)


def notification_deliver(*, notification_id: int) -> Notification:
    """Send one recorded message unless already sent. Holds a row lock so two workers cannot both send."""
    with transaction.atomic():
        note = Notification.objects.select_for_update().get(pk=notification_id)
        if note.status in (Notification.Status.SENT, Notification.Status.HELD):
            return note
        for guard in DELIVERY_GUARDS:
            reason = guard(note)
            if reason:
                note.status = Notification.Status.HELD
                note.held_reason = reason[:300]
                note.save(update_fields=["status", "held_reason"])
                return note
        note.attempts += 1
        if note.channel == Notification.Channel.SMS:
            raise NotImplementedError("no SMS provider is configured")
        message = EmailMultiAlternatives(
            subject=note.subject,
            body=note.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[note.to],
            headers={
                "X-Portal-Notification": note.key[:100],
                **(HEADER_PROVIDERS[note.template](note) if note.template in HEADER_PROVIDERS else {}),
            },
        )
        if note.html_body:
            message.attach_alternative(note.html_body, "text/html")
        message.send()
        note.status = Notification.Status.SENT
        note.sent_at = timezone.now()
        note.last_error = ""
        note.save(update_fields=["status", "sent_at", "attempts", "last_error"])
        return note


def notification_dispatch_pending(*, older_than_seconds: int = 120) -> int:
    """Re-queue messages still pending (their task was lost); delivery itself is idempotent."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    pks = list(
        Notification.objects.filter(status=Notification.Status.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in pks:
        enqueue("hackney_portal.core.tasks.notification_deliver", pk)
    return len(pks)
