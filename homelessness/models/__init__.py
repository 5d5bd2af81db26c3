"""Homelessness cases under Part 7 of the Housing Act 1996, as amended by the Homelessness Reduction Act 2017.

Coded values that queues and the H-CLIC return need are plain columns; the applicant's own words and
special category data (health, support needs, abuse, equality answers, notes) are encrypted at rest.
Dates are stamped by services when a case moves, and deadlines are derived from them (see `rules.py`).
"""

from .cases import Assessment, Case, HouseholdMember
from .casework import CaseMessage, CaseNote, Document, DocumentRequest, PlanStep, _document_path
from .codes import Code, CodeList
from .decisions import DecisionLetter, NonCooperationNotice, Review, TemporaryAccommodation
from .intake import IntakeDraft, Referral
from .returns import HclicExport

__all__ = [
    "Assessment",
    "Case",
    "CaseMessage",
    "CaseNote",
    "Code",
    "CodeList",
    "DecisionLetter",
    "Document",
    "DocumentRequest",
    "HclicExport",
    "HouseholdMember",
    "IntakeDraft",
    "NonCooperationNotice",
    "PlanStep",
    "Referral",
    "Review",
    "TemporaryAccommodation",
    "_document_path",
]
