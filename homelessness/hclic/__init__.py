"""The H-CLIC quarterly return: case-level XML, a separate personal-data file, and a validation report.

Quarters are financial quarters (Q1 is April to June of the year given). A case is reported for a quarter
when it had an initial assessment and something reportable happened in the quarter: the assessment, a duty
starting or ending, a main duty decision, a temporary accommodation placement, or a review. Cases that
only reached triage (advice only) or referrals not yet assessed are not reported.

The output is deterministic: the same data gives byte-identical files, so a snapshot is stored once and a
re-generation that changes nothing returns it. The XML follows the sections of the government's
specification (main, people, support needs, prevention, relief, final duties, temporary accommodation,
reviews) joined by case reference; validate it against the department's XSD at submission.
"""

from .checks import case_problems, file_sha256
from .files import build, build_to
from .quarters import CHUNK, SPEC_VERSION, last_quarter, quarter_bounds, quarter_unfinished, reportable_cases
from .snapshots import hclic_export_generate
from .withheld import personal_lines_for, personal_xml_for, refs_withheld_from

__all__ = [
    "CHUNK",
    "SPEC_VERSION",
    "build",
    "build_to",
    "case_problems",
    "file_sha256",
    "hclic_export_generate",
    "last_quarter",
    "personal_lines_for",
    "personal_xml_for",
    "quarter_bounds",
    "quarter_unfinished",
    "refs_withheld_from",
    "reportable_cases",
]
