"""Hackney Works writes for a signed-in resident: saved jobs and closing the account."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log


@transaction.atomic
def listing_save(*, user, opp_id: int, saved: bool) -> None:
    from ..models import SavedListing

    if saved:
        SavedListing.objects.get_or_create(user=user, opportunity_id=opp_id)
    else:
        SavedListing.objects.filter(user=user, opportunity_id=opp_id).delete()


@transaction.atomic
def resident_account_closed(*, user, actor) -> None:
    """The resident closed their portal account: job alerts stop and saved jobs go. Applications already
    sent stay with the employer's records, no longer linked to a login."""
    from ..models import SavedListing, SavedSearch

    stopped = SavedSearch.objects.filter(user=user, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    SavedListing.objects.filter(user=user).delete()
    audit_log(actor=actor, action="employment.resident.account_closed", data={"alerts_stopped": stopped})
