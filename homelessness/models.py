"""Homelessness cases under Part 7 of the Housing Act 1996, as amended by the Homelessness Reduction Act 2017.

Coded values that queues and the H-CLIC return need are plain columns; the applicant's own words and
special category data (health, support needs, abuse, equality answers, notes) are encrypted at rest.
Dates are stamped by services when a case moves, and deadlines are derived from them (see `rules.py`).
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from hackney_portal.core.crypto import EncryptedJSONField, EncryptedTextField
from hackney_portal.core.models import Notification
from hackney_portal.core.storage import private_storage

from .contact import Channel, SafeMethod
from .rules import AssessmentOutcome, CloseReason, PriorityNeed, ReviewKind, Stage


class CodeList(models.Model):
    """A versioned list of H-CLIC codes (reasons, support needs...), loaded as data, never edited in place."""

    name = models.CharField(max_length=60)
    version = models.CharField(max_length=20)
    valid_from = models.DateField()

    class Meta:
        ordering = ["name", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="codelist_name_version")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Code(models.Model):
    code_list = models.ForeignKey(CodeList, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=40)
    hclic_value = models.CharField(max_length=20, help_text="The value written to the H-CLIC XML")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["code_list", "position"]
        constraints = [models.UniqueConstraint(fields=["code_list", "code"], name="code_unique_in_list")]

    def __str__(self) -> str:
        return self.label


class Case(models.Model):
    class Route(models.TextChoices):
        SELF = "self", "Applied for themselves"
        BEHALF = "behalf", "Someone applied on their behalf"
        DUTY_TO_REFER = "duty_to_refer", "Duty to Refer (s.213B)"

    class Restriction(models.TextChoices):
        NONE = "", "Not restricted"
        STAFF = "staff", "Member of staff or councillor"
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
        HIGH_PROFILE = "high_profile", "High profile"

    reference = models.CharField(max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    route = models.CharField(max_length=20, choices=Route.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="homelessness_cases",
        help_text="The signed-in resident who may see this case's status page",
    )
    applicant_name = models.CharField(max_length=200)
    applicant_dob = models.DateField(null=True, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    safe_contact = EncryptedTextField(blank=True, default="", help_text="Safe way and time to make contact")
    # The coded safe-contact answers every message to the applicant is checked against (see contact.py).
    safe_method = models.CharField(
        max_length=10, choices=SafeMethod.choices, blank=True, default="", help_text="The one safe way"
    )
    no_messages = models.BooleanField(default=False, help_text="No messages at all, by any channel")

    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.RECEIVED, db_index=True)
    urgent = models.BooleanField(default=False, db_index=True)
    flags = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    restriction = models.CharField(max_length=20, choices=Restriction.choices, blank=True, default="")
    named_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="restricted_cases"
    )
    # Routed to the restricted-cases team (settings.HOMELESSNESS_RESTRICTED_TEAM): whoever is in that team
    # now sees it, as well as the officers named on it; nobody else does.
    restricted_team = models.BooleanField(default=False)
    address_suppressed = models.BooleanField(default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True, help_text="Unassigned too long: managers told")

    # Dates stamped as the case moves (H-CLIC needs each one).
    triage_started_on = models.DateField(null=True, blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    prevention_start = models.DateField(null=True, blank=True)
    prevention_end = models.DateField(null=True, blank=True)
    prevention_end_reason = models.CharField(max_length=30, choices=CloseReason.choices, blank=True)
    relief_start = models.DateField(null=True, blank=True)
    relief_end = models.DateField(null=True, blank=True)
    relief_end_reason = models.CharField(max_length=30, choices=CloseReason.choices, blank=True)
    main_duty_decided_on = models.DateField(null=True, blank=True)
    main_duty_start = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True, db_index=True)
    close_reason = models.CharField(max_length=30, choices=CloseReason.choices, blank=True)
    duty_deadline = models.DateField(null=True, blank=True, db_index=True, help_text="Day 56 of the duty")

    # Assessment (s.184, s.189A).
    eligible = models.BooleanField(null=True, blank=True)
    assessment_outcome = models.CharField(max_length=20, choices=AssessmentOutcome.choices, blank=True)
    priority_need = models.CharField(max_length=20, choices=PriorityNeed.choices, blank=True)
    intentionally_homeless = models.BooleanField(
        null=True, blank=True, help_text="The s.191 decision: unknown until it is made"
    )
    referred_to = models.CharField(
        max_length=200, blank=True, help_text="The authority a local connection referral went to (s.198)"
    )
    household_type = models.CharField(max_length=40, blank=True)
    accommodation_at_application = models.CharField(max_length=40, blank=True)
    reason_loss = models.CharField(
        max_length=40, blank=True, help_text="Reason for loss of last settled home"
    )
    notice_type = models.CharField(max_length=30, blank=True)
    notice_served_on = models.DateField(null=True, blank=True)
    notice_expires_on = models.DateField(null=True, blank=True)
    support_needs = EncryptedJSONField(default=list, blank=True)
    details = EncryptedJSONField(default=dict, blank=True, help_text="Everything the applicant told us")
    legal_hold = models.BooleanField(default=False, help_text="Keep past the retention period")
    legal_hold_reason = models.CharField(max_length=500, blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    legal_hold_on = models.DateField(null=True, blank=True, help_text="When the hold was set or last lifted")

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("assign_case", "Can assign homelessness cases"),
            ("approve_noncooperation", "Can approve a non-cooperation notice (senior officer)"),
            ("export_hclic", "Can build the H-CLIC return"),
        ]
        indexes = [
            models.Index(fields=["stage", "assigned_to"], name="case_queue"),
            # The queue's default order: a page of 50 is read from the index, not sorted from the table.
            models.Index(fields=["-urgent", "duty_deadline", "-created_at"], name="case_queue_order"),
            models.Index(fields=["duty_deadline"], condition=Q(closed_on__isnull=True), name="case_open_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(stage=Stage.CLOSED) & Q(closed_on__isnull=False) & ~Q(close_reason=""))
                | (~Q(stage=Stage.CLOSED) & Q(closed_on__isnull=True) & Q(close_reason="")),
                name="case_closed_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(prevention_end__isnull=True) | Q(prevention_end__gte=F("prevention_start")),
                name="case_prevention_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(relief_end__isnull=True) | Q(relief_end__gte=F("relief_start")),
                name="case_relief_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=[Stage.PREVENTION, Stage.RELIEF]) | Q(duty_deadline__isnull=False),
                name="case_duty_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(assigned_to__isnull=True) | Q(assigned_at__isnull=False),
                name="case_assigned_has_time",
            ),
            models.CheckConstraint(condition=Q(safe_method__in=SafeMethod.values), name="case_safe_method"),
        ]

    def __str__(self) -> str:
        return self.reference

    def threat_is_valid_notice(self) -> bool:
        from .rules import threat_notice_types

        return bool(self.notice_type) and self.notice_type in threat_notice_types()


class Assessment(models.Model):
    """One assessment of the applicant's case and needs (s.189A(1)), or one review of it (s.189A(9)).

    Append-only: the initial assessment is what H-CLIC reports and is never overwritten; each review is a
    new dated row with who made it. The case's own columns hold the latest view, for queues and rules."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial assessment (s.189A(1))"
        REVIEW = "review", "Review of the assessment (s.189A(9))"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    assessed_on = models.DateField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Blank only for assessments recorded before this history was kept",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    eligible = models.BooleanField(null=True)
    outcome = models.CharField(max_length=20, choices=AssessmentOutcome.choices)
    priority_need = models.CharField(max_length=20, choices=PriorityNeed.choices, blank=True)
    household_type = models.CharField(max_length=40, blank=True)
    accommodation_at_application = models.CharField(max_length=40, blank=True)
    reason_loss = models.CharField(max_length=40, blank=True)
    support_needs = EncryptedJSONField(default=list, blank=True)

    class Meta:
        ordering = ["assessed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(kind="initial"), name="one_initial_assessment_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.case} on {self.assessed_on}"


class HouseholdMember(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    relationship = models.CharField(max_length=40)
    is_applicant = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_applicant", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(is_applicant=True), name="one_applicant_per_case"
            )
        ]

    def __str__(self) -> str:
        return self.name


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


class DecisionLetter(models.Model):
    """A decision notified in writing, with reasons and review rights; append-only once issued."""

    class Kind(models.TextChoices):
        S184 = "s184", "Decision on your application (s.184)"
        DUTY_END = "duty_end", "End of the prevention or relief duty"
        MAIN_DUTY = "main_duty", "Main housing duty decision"
        NON_COOPERATION = "non_cooperation", "Notice of deliberate and unreasonable refusal to co-operate"
        DISCHARGE = "discharge", "End of the main housing duty"
        NONCOOP_WARNING = "noncoop_warning", "Warning before a notice of refusal to co-operate (s.193B)"
        PREVENTION_ACCEPTED = "prevention_accepted", "We will help you stay in your home (s.195)"
        RELIEF_ACCEPTED = "relief_accepted", "We will help you find somewhere to live (s.189B)"
        INTENTIONALITY = "intentionality", "Decision on whether you became homeless intentionally (s.191)"
        REVIEW_DECISION = "review_decision", "Review decision (s.202, s.203)"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    decision = models.CharField(max_length=30, choices=CloseReason.choices, blank=True)
    reasons = models.TextField()
    body = models.TextField(help_text="The letter as sent")
    issued_on = models.DateField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_deadline = models.DateField()

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reasons=""), name="letter_has_reasons"),
            models.CheckConstraint(
                condition=Q(review_deadline__gt=F("issued_on")), name="letter_review_after_issue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.issued_on})"


class NonCooperationNotice(models.Model):
    """s.193B: proposed by the case officer, approved by a second officer at least as senior."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="noncooperation_notices")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    reasons = models.TextField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("proposed_by")),
                name="noncoop_second_officer",
            ),
            models.CheckConstraint(
                condition=(Q(approved_by__isnull=True) & Q(approved_at__isnull=True))
                | (Q(approved_by__isnull=False) & Q(approved_at__isnull=False)),
                name="noncoop_approval_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Non-cooperation notice on {self.case}"


class Review(models.Model):
    """A s.202 review of a decision; decided by someone who did not take the original decision."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "Original decision upheld"
        OVERTURNED = "overturned", "Original decision overturned"
        WITHDRAWN = "withdrawn", "Review withdrawn"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    letter = models.ForeignKey(DecisionLetter, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=30, choices=ReviewKind.choices)
    requested_on = models.DateField()
    due_on = models.DateField()
    original_decider = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    reasons = models.TextField(blank=True)
    late_reason = models.TextField(
        blank=True, help_text="Why a request made after the 21 days was accepted (s.202(3))"
    )
    late_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True) | ~Q(reviewer=F("original_decider")),
                name="review_not_by_original_decider",
            ),
            models.CheckConstraint(
                condition=(Q(decided_on__isnull=True) & Q(outcome=""))
                | (Q(decided_on__isnull=False) & ~Q(outcome="") & Q(reviewer__isnull=False)),
                name="review_decided_has_outcome",
            ),
            models.UniqueConstraint(
                fields=["letter"], condition=Q(decided_on__isnull=True), name="one_open_review_per_letter"
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.letter}"


class TemporaryAccommodation(models.Model):
    class Kind(models.TextChoices):
        BED_AND_BREAKFAST = "bnb", "Bed and breakfast"
        NIGHTLY_PAID = "nightly_paid", "Nightly paid, privately managed"
        HOSTEL = "hostel", "Hostel"
        PRIVATE_LEASED = "psl", "Private sector leased"
        COUNCIL_STOCK = "council_stock", "Council or housing association stock"
        REFUGE = "refuge", "Refuge"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="placements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    in_borough = models.BooleanField(default=True)
    children = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["start_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")), name="placement_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start_on}"


class HclicExport(models.Model):
    """One quarter's H-CLIC return, frozen: a re-generation that differs becomes a new version."""

    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    code_list_version = models.CharField(max_length=20)
    case_count = models.PositiveIntegerField()
    case_xml = models.TextField()
    personal_xml = models.TextField()
    sha256 = models.CharField(max_length=64)
    report = models.JSONField(default=list, help_text="Plain-English problems, per case")

    class Meta:
        ordering = ["-year", "-quarter", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter", "version"], name="hclic_version_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="hclic_quarter"),
        ]

    def __str__(self) -> str:
        return f"H-CLIC {self.year} Q{self.quarter} v{self.version}"
