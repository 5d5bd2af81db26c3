"""The statutory H-CLIC returns, frozen per quarter."""

from django.conf import settings
from django.db import models
from django.db.models import Q


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
