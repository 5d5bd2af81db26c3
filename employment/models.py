"""Hackney Works: opportunities of every kind, moderated before they go live, searchable in PostgreSQL."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from hackney_portal.core.storage import private_storage


class Opportunity(models.Model):
    class Kind(models.TextChoices):
        JOB = "job", "Job"
        APPRENTICESHIP = "apprenticeship", "Apprenticeship"
        PLACEMENT = "placement", "Work placement"
        VOLUNTEERING = "volunteering", "Volunteering"
        TRAINING = "training", "Training course"
        EVENT = "event", "Event or workshop"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        CLOSED = "closed", "Closed"

    class Contract(models.TextChoices):
        PERMANENT = "permanent", "Permanent"
        FIXED_TERM = "fixed_term", "Fixed term"
        TEMPORARY = "temporary", "Temporary"
        ZERO_HOURS = "zero_hours", "Zero hours"
        NONE = "none", "Not applicable"

    class Hours(models.TextChoices):
        FULL_TIME = "full_time", "Full time"
        PART_TIME = "part_time", "Part time"
        FLEXIBLE = "flexible", "Flexible"

    class PayPeriod(models.TextChoices):
        HOUR = "hour", "per hour"
        YEAR = "year", "per year"
        NONE = "none", "Unpaid"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.JOB, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    title = models.CharField(max_length=200)
    employer_name = models.CharField(max_length=200)
    employer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    summary = models.CharField(max_length=300)
    description_html = models.TextField(help_text="Sanitised HTML, safe to show")
    description_source = models.TextField(
        blank=True, editable=False, help_text="What the employer typed (Markdown), to edit it again"
    )
    sector = models.CharField(max_length=60, db_index=True)
    contract = models.CharField(max_length=20, choices=Contract.choices, default=Contract.PERMANENT)
    hours = models.CharField(max_length=20, choices=Hours.choices, default=Hours.FULL_TIME)
    hours_per_week = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    pay_min_pence = models.PositiveIntegerField(default=0)
    pay_max_pence = models.PositiveIntegerField(default=0)
    pay_period = models.CharField(max_length=10, choices=PayPeriod.choices, default=PayPeriod.HOUR)
    age_band = models.CharField(
        max_length=12, default="21_plus", help_text="Youngest age band the pay is for"
    )
    below_minimum_wage = models.BooleanField(
        default=False, help_text="Computed: unpaid (not volunteering), or below the minimum on its date"
    )
    london_living_wage = models.BooleanField(
        "London Living Wage or above",
        default=False,
        editable=False,
        help_text="Computed from the hourly equivalent and the rate on the listing's date, never declared",
    )
    claims_london_living_wage = models.BooleanField(
        "Employer says London Living Wage or above", default=False
    )
    wage_problems = models.TextField(blank=True, editable=False, help_text="What the pay check found")
    wage_override_reason = models.TextField(
        blank=True, help_text="Why a moderator published a listing flagged below the minimum"
    )
    wage_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    wage_override_at = models.DateTimeField(null=True, blank=True)
    disability_confident = models.BooleanField("Employer says Disability Confident", default=False)
    disability_confident_verified = models.BooleanField(
        "Disability Confident checked by a moderator", default=False
    )
    no_experience_needed = models.BooleanField(default=False)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    remote = models.BooleanField(default=False)
    apply_url = models.URLField(blank=True, help_text="Apply on the employer's site; empty to apply here")
    closing_date = models.DateField(help_text="Last day to apply (inclusive, Europe/London)")
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    rejection_reason = models.TextField(blank=True)
    featured = models.BooleanField(default=False)
    # Events start at a date and time, courses on a date (London time); other kinds have neither.
    start_date = models.DateField(null=True, blank=True)
    start_time = models.TimeField(null=True, blank=True)
    # An employer's changes to a live listing wait here for a moderator; the live version stays as it is
    # until they are approved (or rejected, with a reason the employer is sent).
    pending_edit = models.JSONField(null=True, blank=True, editable=False)
    pending_edit_at = models.DateTimeField(null=True, blank=True, editable=False)
    edit_rejection_reason = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Maintained by a database trigger from title (weight A), employer and sector (B) and the text (C).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name_plural = "opportunities"
        indexes = [
            GinIndex(fields=["search_vector"], name="opportunity_search"),
            GinIndex(name="opportunity_title_trgm", fields=["title"], opclasses=["gin_trgm_ops"]),
            models.Index(fields=["status", "closing_date"], name="opportunity_live"),
            # The distance search's bounding box is read on this before any exact distance is computed.
            models.Index(fields=["latitude", "longitude"], name="opportunity_point"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(pay_max_pence__gte=models.F("pay_min_pence")), name="opportunity_pay_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="opportunity_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="opportunity_rejected_has_reason",
            ),
            # A listing below the minimum goes live only with a moderator's recorded reason (the service
            # records who; listings published before the check have a reason saying so, and no one).
            models.CheckConstraint(
                condition=~Q(status="published") | Q(below_minimum_wage=False) | ~Q(wage_override_reason=""),
                name="opportunity_below_minimum_needs_override",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.employer_name})"

    @property
    def starts(self) -> str:
        """When an event or course starts, in words (empty for other kinds)."""
        from .text import start_text

        if self.kind not in (self.Kind.EVENT, self.Kind.TRAINING):
            return ""
        return start_text(self.start_date, self.start_time if self.kind == self.Kind.EVENT else None)


class TitleWord(models.Model):
    """Every word that has been in a listing's title, for "did you mean": a few thousand words searched by
    trigram similarity, where each misspelt search used to split every live title (100,000 listings: 0.1 s a
    word). Kept by a database trigger on the listings, so bulk loads and every write path add their words;
    a word whose listings have all closed stays, and the search's corrections (`selectors/search.py`)
    suggest only words in a live title."""

    word = models.TextField(primary_key=True)

    class Meta:
        indexes = [GinIndex(name="titleword_trgm", fields=["word"], opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.word


class Synonym(models.Model):
    """Words a jobseeker might use for the same thing; moderators edit the list in the admin."""

    term = models.CharField(max_length=50, unique=True, help_text="Lower case, e.g. chef")
    alternatives = models.CharField(max_length=300, help_text="Comma-separated, e.g. cook, kitchen")

    def __str__(self) -> str:
        return f"{self.term}: {self.alternatives}"

    def words(self) -> list[str]:
        return [w.strip().lower() for w in self.alternatives.split(",") if w.strip()]


class PayRate(models.Model):
    """An hourly pay rate and the date it takes effect: National Living Wage and Minimum Wage by age band
    (each April) and the London Living Wage (each autumn). Listings are checked against these, never
    against what the employer says."""

    kind = models.CharField(max_length=20)
    effective_from = models.DateField()
    pence_per_hour = models.PositiveIntegerField()

    class Meta:
        ordering = ["kind", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["kind", "effective_from"], name="one_rate_per_day")]

    def __str__(self) -> str:
        return f"{self.kind} from {self.effective_from}: {self.pence_per_hour}p"


class Postcode(models.Model):
    """Postcode centroids loaded from the ONS Postcode Directory, so distance needs no online lookup."""

    postcode = models.CharField(max_length=8, primary_key=True, help_text="Normalised, e.g. E8 1EA")
    latitude = models.FloatField()
    longitude = models.FloatField()
    local_authority = models.CharField(max_length=9, blank=True)
    ward = models.CharField(max_length=9, blank=True)

    def __str__(self) -> str:
        return self.postcode


class Outcode(models.Model):
    """The centre of a postcode district ("E8"): the mean of its live postcodes, worked out by the loader,
    so a search for "E8" alone can be measured from somewhere."""

    outcode = models.CharField(max_length=4, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    postcodes = models.PositiveIntegerField(help_text="How many postcodes the centre is the mean of")

    def __str__(self) -> str:
        return self.outcode


def cv_path(instance, filename: str) -> str:
    # Never the applicant's file name: it could be anything. Private storage, never served directly.
    import uuid

    return f"private/cvs/{instance.opportunity_id}/{uuid.uuid4().hex}"


class Application(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        SHORTLISTED = "shortlisted", "Shortlisted"
        INTERVIEW = "interview", "Invited to interview"
        UNSUCCESSFUL = "unsuccessful", "Unsuccessful"
        HIRED = "hired", "Hired"

    reference = models.CharField(max_length=20, unique=True)
    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT, related_name="applications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    cv = models.FileField(upload_to=cv_path, storage=private_storage)
    cv_type = models.CharField(max_length=10)
    statement = models.TextField()
    lives_in_borough = models.BooleanField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    feedback = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "email"], name="one_application_per_email"),
            # Signed in, one application per account too, whatever email address is typed.
            models.UniqueConstraint(
                fields=["opportunity", "user"],
                condition=Q(user__isnull=False),
                name="one_application_per_account",
            ),
            models.CheckConstraint(
                condition=Q(email=models.functions.Lower("email")), name="application_email_lower"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} for {self.opportunity}"


class SavedSearch(models.Model):
    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    email = models.EmailField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    query = models.CharField(max_length=1000, help_text="The search, as in the page address")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    token = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.email}: {self.query}"


class SavedListing(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_listings"
    )
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "opportunity"], name="save_listing_once")]

    def __str__(self) -> str:
        return f"{self.user} saved {self.opportunity}"
