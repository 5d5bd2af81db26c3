from django.conf import settings
from django.db import models
from django.utils import timezone

from .crypto import EncryptedTextField


class AuditEvent(models.Model):
    """One thing someone did or saw: append-only (a database trigger refuses UPDATE and DELETE).

    `action` is namespaced like pretix's log actions, e.g. ``homelessness.case.viewed`` or
    ``payments.payment.refunded``; `data` holds what a human needs to understand the event later.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True, help_text="Who, kept if the user is deleted")
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        # London time, as the "Created at" field on the same admin page shows it.
        when = timezone.localtime(self.created_at)
        return f"{when:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.action}"


class Notification(models.Model):
    """The outbox: every message we send, recorded before it is sent.

    `key` is unique, so asking twice to send the same message (a retried task, a replayed webhook) records
    it once and sends it once. Content is rendered when recorded, so a retry sends exactly what was recorded.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # Recorded but never to be delivered: the recipient ruled this channel out (see held_reason).
        HELD = "held", "Held"

    created_at = models.DateTimeField(auto_now_add=True)
    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    template = models.CharField(max_length=200)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    # Decision letters and case updates are emailed, so the message text holds case details: kept encrypted.
    body = EncryptedTextField()
    html_body = EncryptedTextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    held_reason = models.CharField(max_length=300, blank=True, help_text="Why it was not sent, for staff")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
            models.CheckConstraint(
                condition=(models.Q(status="held") & ~models.Q(held_reason=""))
                | (~models.Q(status="held") & models.Q(held_reason="")),
                name="notification_held_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.to} ({self.status})"


class OutboxTask(models.Model):
    """A Celery task recorded in the same transaction as the data it acts on.

    If Redis is down when the transaction commits, the row stays undispatched and the dispatcher (on beat,
    and at worker start) sends it later; tasks are idempotent, so a task sent twice does no harm.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(dispatched_at__isnull=True), name="outbox_pending")
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"
