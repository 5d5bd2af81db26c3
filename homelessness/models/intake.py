"""How a case arrives: Duty to Refer referrals and the applicant's intake drafts."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from hackney_portal.core.crypto import EncryptedJSONField

from .cases import Case


class Referral(models.Model):
    """A Duty to Refer referral (s.213B) from a public body.

    It is not an application, but we must make contact with the person."""

    class Body(models.TextChoices):
        # The Homelessness (Review Procedure etc.) Regulations 2018, reg. 10: the public bodies with the duty.
        PRISON = "prison", "Prison"
        YOUNG_OFFENDER = "young_offender", "Young offender institution"
        SECURE_TRAINING = "secure_training", "Secure training centre"
        SECURE_COLLEGE = "secure_college", "Secure college"
        YOUTH_OFFENDING = "youth_offending", "Youth offending team"
        PROBATION = "probation", "Probation service"
        JOBCENTRE = "jobcentre", "Jobcentre Plus"
        EMERGENCY = "emergency", "Accident and emergency or urgent treatment centre"
        HOSPITAL = "hospital", "Hospital (inpatient care)"
        SOCIAL_SERVICES = "social_services", "Social services"
        ARMED_FORCES = "armed_forces", "Regular armed forces"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="referral")
    created_at = models.DateTimeField(auto_now_add=True)
    body = models.CharField(max_length=30, choices=Body.choices)
    organisation = models.CharField(max_length=200)
    referrer_name = models.CharField(max_length=200)
    referrer_email = models.EmailField()
    referrer_phone = models.CharField(max_length=30, blank=True)
    consent_to_referral = models.BooleanField()
    consent_to_share_contact = models.BooleanField()
    consent_to_outcome = models.BooleanField(
        default=False, help_text="The person agrees we tell the referrer the outcome"
    )
    outcome_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            # s.213B(3): a referral may be made only with the person's consent.
            models.CheckConstraint(
                condition=Q(consent_to_referral=True) & Q(consent_to_share_contact=True),
                name="referral_has_consents",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()} referral for {self.case}"


class IntakeDraft(models.Model):
    """An intake in progress: saved after every page so the applicant can resume on any device."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    resume_email = models.EmailField(blank=True)
    # Only a hash of the one live resume link's secret: using the link clears it (single use), and a new
    # link replaces the old one.
    resume_link_digest = models.CharField(max_length=64, blank=True)
    resume_sent_at = models.DateTimeField(null=True, blank=True)
    verified_email = models.EmailField(
        blank=True, help_text="The address whose resume link opened this draft"
    )
    answers = EncryptedJSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(case__isnull=True, user__isnull=False),
                name="one_open_draft_per_user",
            )
        ]

    def __str__(self) -> str:
        return str(self.public_id)
