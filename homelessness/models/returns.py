"""The statutory H-CLIC returns, frozen per quarter."""

from collections.abc import Iterator

from django.conf import settings
from django.db import models
from django.db.models import Q

from hackney_portal.core.storage import private_storage

HEX64 = r"^[0-9a-f]{64}$"


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
    # The files themselves are in the portal's private storage (local disk in development, S3 in production;
    # encrypted at rest), so any host serves them and the database does not carry personal data in the clear.
    # Downloaded only through the audited back-office view.
    case_file = models.FileField(upload_to="homelessness/hclic", storage=private_storage, max_length=200)
    personal_file = models.FileField(upload_to="homelessness/hclic", storage=private_storage, max_length=200)
    sha256 = models.CharField(max_length=64, help_text="Both files together: the snapshot's identity")
    case_sha256 = models.CharField(max_length=64)
    personal_sha256 = models.CharField(max_length=64)
    report = models.JSONField(default=list, help_text="Plain-English problems, per case")

    class Meta:
        ordering = ["-year", "-quarter", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter", "version"], name="hclic_version_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="hclic_quarter"),
            models.CheckConstraint(
                condition=~Q(case_file="") & ~Q(personal_file=""), name="hclic_files_stored"
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=HEX64)
                & Q(case_sha256__regex=HEX64)
                & Q(personal_sha256__regex=HEX64),
                name="hclic_each_file_hashed",
            ),
        ]

    def __str__(self) -> str:
        return f"H-CLIC {self.year} Q{self.quarter} v{self.version}"

    def _file(self, which: str):
        return self.case_file if which == "case" else self.personal_file

    def text(self, which: str) -> str:
        """A whole file ("case" or "personal") as text, exactly as built."""
        with self._file(which).storage.open(self._file(which).name, "rb") as f:
            return f.read().decode("utf-8")

    def lines(self, which: str) -> Iterator[str]:
        """A file's lines, line endings kept."""
        with self._file(which).storage.open(self._file(which).name, "rb") as f:
            for raw in f:
                yield raw.decode("utf-8")
