"""Decisions and what follows them: letters, non-cooperation, reviews and placements."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ..rules import CloseReason, ReviewKind
from .cases import Case


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
    # s.202(3) counts the 21 days from the day the applicant is notified: later than the letter's date when
    # its email was held (safe contact) and the decision reached them another way.
    notified_on = models.DateField(null=True, blank=True)
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
            models.CheckConstraint(
                condition=Q(notified_on__isnull=True) | Q(notified_on__lte=F("requested_on")),
                name="review_notified_before_requested",
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
