"""Withholding the people of restricted cases from a stored personal-data file."""

from __future__ import annotations

import re
from collections.abc import Iterator

# We only write XML here, never parse input, so defusedxml is not needed.
from ..models import Case, HclicExport

# The writer puts one element a line and escapes newlines in attributes, so a person is one line. The
# snapshot is filtered as text, not parsed: an old snapshot that is not well-formed XML still downloads.
_PERSON_LINE = re.compile(r'^\s*<Person CaseRef="([^"]*)"')


def _person_refs(export: HclicExport) -> set[str]:
    return {m.group(1) for line in export.lines("personal") if (m := _PERSON_LINE.match(line))}


def refs_withheld_from(export: HclicExport, *, hidden_refs: set[str]) -> set[str]:
    """The cases of this return whose people and problems this downloader may not see: restricted cases
    they are not named on, and cases deleted since (whether they were restricted is no longer known)."""
    refs = _person_refs(export) | {row["case"] for row in export.report}
    existing = set(Case.objects.filter(reference__in=refs).values_list("reference", flat=True))
    return (refs - existing) | (refs & hidden_refs)


def personal_lines_for(export: HclicExport, *, withheld: set[str]) -> Iterator[str]:
    """The personal-data file without the people of withheld cases, a line at a time. The case-level file
    (no names) still counts those cases: the department needs every case, and names only where the
    downloader may see them."""
    for line in export.lines("personal"):
        m = _PERSON_LINE.match(line)
        if m is None or m.group(1) not in withheld:
            yield line


def personal_xml_for(export: HclicExport, *, withheld: set[str]) -> str:
    return "".join(personal_lines_for(export, withheld=withheld))
