"""Casework records: messages to the applicant, notes, documents and the housing plan."""

import uuid

from django.conf import settings
from django.db import models

from hackney_portal.core.crypto import EncryptedTextField
from hackney_portal.core.models import Notification
from hackney_portal.core.storage import private_storage

from ..contact import Channel
from .cases import Case


class CaseMessage(models.Model):
    """Something the service had to tell the applicant: sent, or held because they ruled the channel out."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    notification = models.OneToOneField(Notification, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    template = models.CharField(max_length=200)
    held_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.template} for {self.case}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Note on {self.case} by {self.author}"


class DocumentRequest(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="document_requests")
    description = models.CharField(max_length=300)
    due_on = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description


def _document_path(instance, filename: str) -> str:
    # Never the uploader's file name: it may say more than it should, and it is not safe in a path.
    return f"homelessness/{instance.case_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    request = models.ForeignKey(
        DocumentRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    file = models.FileField(upload_to=_document_path, storage=private_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by_applicant = models.BooleanField(default=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class PlanStep(models.Model):
    """A step of the Personalised Housing Plan (s.189A), for the applicant or for the council."""

    class Owner(models.TextChoices):
        APPLICANT = "applicant", "Applicant"
        COUNCIL = "council", "Council"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_steps")
    owner = models.CharField(max_length=10, choices=Owner.choices)
    text = models.CharField(max_length=500)
    due_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.text
