"""H-CLIC code lists, versioned and loaded as data."""

from django.db import models


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
