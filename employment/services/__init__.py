"""Hackney Works writes, one module per area; every public name is importable from here."""

from .alerts import (
    UNSUBSCRIBE_SALT,
    alert_mail_headers,
    alerts_send,
    saved_search_confirm,
    saved_search_create,
    saved_search_for_unsubscribe,
    saved_search_unsubscribe,
    unsubscribe_token,
    unsubscribe_url,
)
from .applications import (
    CV_CONTENT_TYPES,
    CV_MAX_BYTES,
    CV_TYPES,
    STATUS_EMAILS,
    application_cv_open,
    application_set_status,
    application_submit,
    cv_check,
)
from .employers import (
    EDITABLE,
    listing_edit,
    opportunity_edit_approve,
    opportunity_edit_reject,
)
from .listings import (
    ALLOWED,
    check_start,
    listing_submit,
    opportunities_expire,
    opportunity_close,
    opportunity_create,
    opportunity_publish,
    opportunity_reject,
    opportunity_submit,
)
from .postcodes import (
    normalise_postcode,
    postcodes_load,
)
from .residents import (
    listing_save,
    resident_account_closed,
)

__all__ = [
    "ALLOWED",
    "CV_CONTENT_TYPES",
    "CV_MAX_BYTES",
    "CV_TYPES",
    "EDITABLE",
    "STATUS_EMAILS",
    "UNSUBSCRIBE_SALT",
    "alert_mail_headers",
    "alerts_send",
    "application_cv_open",
    "application_set_status",
    "application_submit",
    "check_start",
    "cv_check",
    "listing_edit",
    "listing_save",
    "listing_submit",
    "normalise_postcode",
    "opportunities_expire",
    "opportunity_close",
    "opportunity_create",
    "opportunity_edit_approve",
    "opportunity_edit_reject",
    "opportunity_publish",
    "opportunity_reject",
    "opportunity_submit",
    "postcodes_load",
    "resident_account_closed",
    "saved_search_confirm",
    "saved_search_create",
    "saved_search_for_unsubscribe",
    "saved_search_unsubscribe",
    "unsubscribe_token",
    "unsubscribe_url",
]
