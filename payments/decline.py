"""Card provider outcomes in plain English, as GOV.UK Pay words them. A provider's own text ("The provided
PaymentMethod has failed authentication", "Bad request") is never shown to a resident."""

DECLINED = "Your card has been declined. No money has been taken. Try another card or call us."

_MESSAGES = {
    "incorrect_number": "The card number is not correct. No money has been taken.",
    "invalid_number": "The card number is not correct. No money has been taken.",
    "incorrect_cvc": "The security code is not correct. No money has been taken.",
    "invalid_cvc": "The security code is not correct. No money has been taken.",
    "expired_card": "The card has expired. No money has been taken. Try another card.",
    "invalid_expiry_month": "The expiry date is not correct. No money has been taken.",
    "invalid_expiry_year": "The expiry date is not correct. No money has been taken.",
    "insufficient_funds": DECLINED,
    "card_declined": DECLINED,
    "do_not_honor": DECLINED,
    "generic_decline": DECLINED,
    "lost_card": DECLINED,
    "stolen_card": DECLINED,
    "card_not_supported": "This type of card is not accepted. No money has been taken. Try another card.",
    "currency_not_supported": "This type of card is not accepted. No money has been taken. Try another card.",
    "processing_error": "There was a problem with the payment. No money has been taken. Try again.",
    "authentication_required": (
        "Your bank could not confirm it was you. No money has been taken. Try again, or try another card."
    ),
    "payment_intent_authentication_failure": (
        "Your bank could not confirm it was you. No money has been taken. Try again, or try another card."
    ),
}


def decline_message(*, code: str = "", decline_code: str = "", message: str = "") -> str:
    """The resident's message for a provider's error code (the decline code first: it is the more exact)."""
    for key in (decline_code, code):
        if key and key in _MESSAGES:
            return _MESSAGES[key]
    if "authentication" in (message or "").lower():
        return _MESSAGES["authentication_required"]
    return DECLINED
