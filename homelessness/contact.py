"""The one check of an applicant's safe-contact answers, made before anything is sent to them.

People at risk of abuse tell us how it is safe to reach them: a message by another channel may be read by
the person who harms them. The intake asks for one safe way (phone call, text message or email) and whether
we must not send any messages at all. A channel they did not choose is ruled out; nothing is sent by it,
and the reason is kept for officers. Referrals made by another body do not ask (`safe_method` is blank):
the address was given with the person's consent, so email is allowed, but post is not without an answer.
"""

from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"


class SafeMethod(models.TextChoices):
    NOT_ASKED = "", "Not asked"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"


_NOT_SENT = {Channel.EMAIL: "Not emailed", Channel.SMS: "Not texted", Channel.LETTER: "Not posted"}
# The safe method that allows each channel (a phone call is made by an officer, never sent by the portal).
_ALLOWED_BY = {Channel.EMAIL: SafeMethod.EMAIL, Channel.SMS: SafeMethod.TEXT}
_ONLY = {
    SafeMethod.PHONE: "phone call only",
    SafeMethod.TEXT: "text message only",
    SafeMethod.EMAIL: "email only",
}
_NAME = {Channel.EMAIL: "email", Channel.SMS: "text messages", Channel.LETTER: "letters"}
_ADDRESS = {Channel.EMAIL: "email address", Channel.SMS: "mobile number", Channel.LETTER: "postal address"}


def contact_check(
    *, channel: str, safe_method: str, no_messages: bool, address: str, address_suppressed: bool = False
) -> str:
    """Why a message may not be sent by `channel`, in words for officers; "" when it may be sent."""
    channel = Channel(channel)
    not_sent = _NOT_SENT[channel]
    if no_messages:
        return f"{not_sent}: the applicant said we must not send them any messages"
    if channel != Channel.LETTER and safe_method and safe_method != _ALLOWED_BY[channel]:
        # Before "no address": the reason officers need is that this way is not safe, not that it is empty.
        return (
            f"{not_sent}: the applicant said {_NAME[channel]} {'is' if channel == Channel.EMAIL else 'are'}"
            f" not safe ({_ONLY[SafeMethod(safe_method)]})"
        )
    if not address:
        return f"{not_sent}: the applicant gave no {_ADDRESS[channel]}"
    if channel == Channel.LETTER:
        if address_suppressed:
            return f"{not_sent}: the applicant's address is suppressed"
        if safe_method:
            return (
                f"{not_sent}: the applicant did not say letters are safe ({_ONLY[SafeMethod(safe_method)]})"
            )
        return ""
    return ""


def draft_contact_check(answers: dict, *, channel: str = Channel.EMAIL, address: str) -> str:
    """The same check on an intake still in progress (the contact page may not be answered yet)."""
    contact = answers.get("contact") or {}
    return contact_check(
        channel=channel,
        safe_method=contact.get("safe_method", "") or "",
        no_messages=bool(contact.get("no_messages")),
        address=address,
    )


def case_contact_check(case, *, channel: str) -> str:
    """The check for a case, with the contact details it holds (it holds no postal contact address)."""
    address = {Channel.EMAIL: case.contact_email, Channel.SMS: case.contact_phone}.get(Channel(channel), "")
    return contact_check(
        channel=channel,
        safe_method=case.safe_method,
        no_messages=case.no_messages,
        address=address,
        address_suppressed=case.address_suppressed,
    )
