"""Writes for homelessness casework. Each function is atomic, takes `actor=`, and records an audit event.

Case-changing services lock the case row first (SELECT ... FOR UPDATE), so two officers acting on the same
case at once are serialised and every rule below is checked against the current state.
"""

from .applicant import case_applicant_details_record
from .casework import (
    case_access_denied,
    case_assign,
    case_duty_outcome_record,
    case_legal_hold_set,
    case_list_record,
    case_note_add,
    case_record_assessment,
    case_restrict,
    case_view_record,
    hclic_download_record,
    letter_download_record,
    placement_add,
    plan_step_add,
    plan_step_complete,
)
from .common import (
    DOCUMENT_TYPES,
    PARTIAL,
    RESUME_DAYS,
    RESUME_SALT,
    STATUS_SALT,
    case_message_send,
    case_reference_next,
    officer_seniority,
)
from .decisions import (
    NOT_REVIEWABLE,
    case_accept_prevention_duty,
    case_accept_relief_duty,
    case_decide_intentionality,
    case_move,
    case_refer_local_connection,
    letter_issue,
)
from .documents import document_request_create, document_upload
from .intake import (
    case_from_status_token,
    case_status_token,
    intake_draft_discard,
    intake_draft_from_token,
    intake_draft_remove_person,
    intake_draft_resume,
    intake_draft_save,
    intake_draft_save_partial,
    intake_draft_send_resume_link,
    intake_submit,
)
from .referrals import referral_submit
from .reviews import (
    case_noncooperation_warn,
    noncooperation_approve,
    noncooperation_propose,
    review_decide,
    review_request,
)
from .scheduled import add_working_days, cases_retention_delete, deadline_reminders_send, unassigned_escalate

__all__ = [
    "DOCUMENT_TYPES",
    "NOT_REVIEWABLE",
    "PARTIAL",
    "RESUME_DAYS",
    "RESUME_SALT",
    "STATUS_SALT",
    "add_working_days",
    "case_accept_prevention_duty",
    "case_accept_relief_duty",
    "case_access_denied",
    "case_applicant_details_record",
    "case_assign",
    "case_decide_intentionality",
    "case_duty_outcome_record",
    "case_from_status_token",
    "case_legal_hold_set",
    "case_list_record",
    "case_message_send",
    "case_move",
    "case_noncooperation_warn",
    "case_note_add",
    "case_record_assessment",
    "case_refer_local_connection",
    "case_reference_next",
    "case_restrict",
    "case_status_token",
    "case_view_record",
    "cases_retention_delete",
    "deadline_reminders_send",
    "document_request_create",
    "document_upload",
    "hclic_download_record",
    "intake_draft_discard",
    "intake_draft_from_token",
    "intake_draft_remove_person",
    "intake_draft_resume",
    "intake_draft_save",
    "intake_draft_save_partial",
    "intake_draft_send_resume_link",
    "intake_submit",
    "letter_download_record",
    "letter_issue",
    "noncooperation_approve",
    "noncooperation_propose",
    "officer_seniority",
    "placement_add",
    "plan_step_add",
    "plan_step_complete",
    "referral_submit",
    "review_decide",
    "review_request",
    "unassigned_escalate",
]
