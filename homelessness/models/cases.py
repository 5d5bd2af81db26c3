"""The case, its assessments and the people in its household."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from hackney_portal.core.crypto import EncryptedJSONField, EncryptedTextField

from ..contact import SafeMethod
from ..rules import AssessmentOutcome, CloseReason, PriorityNeed, Stage


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
    # What each duty's work came to, for H-CLIC (codes from the "activity" and "accommodation_secured" lists).
    prevention_activity = models.CharField(max_length=30, blank=True, help_text="Main prevention activity")
    relief_activity = models.CharField(max_length=30, blank=True, help_text="Main relief activity")
    accommodation_secured = models.CharField(
        max_length=30, blank=True, help_text="Accommodation secured when a duty ended that way"
    )

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
            # "Due within 7 days" and "overdue": a duty's deadline alone, so those queues' counts read only
            # the cases due (selectors.queue).
            models.Index(
                fields=["duty_deadline"],
                condition=Q(stage__in=[Stage.PREVENTION, Stage.RELIEF]),
                name="case_duty_deadline",
            ),
            # "New and unassigned" in queue order: without it the page walked the whole order index past
            # every assigned case to find a hundred.
            models.Index(
                fields=["-urgent", "duty_deadline", "-created_at"],
                condition=Q(assigned_to__isnull=True) & ~Q(stage="closed"),
                name="case_unassigned_queue",
            ),
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
        from ..rules import threat_notice_types

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
