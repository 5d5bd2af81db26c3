"""The email addresses the portal will write to: Django's check, without addresses at a bare IP address.

RFC 5321 allows a domain literal, `name@[192.0.2.1]`: mail delivered straight to that host. No resident or
employer has such an address, and a receipt, an alert or a sign-in link sent there is mail from the council's
relay to a host the sender chose, an internal one say. So it is refused like any badly formed address.
"""

import re

from django.core import validators

# Matches nothing: Django's validator accepts a domain literal only when this matches it.
_NO_DOMAIN_LITERAL = re.compile(r"(?!)")


def install() -> None:
    """Every email field, form or model, ours and the libraries' (allauth's sign-up), is checked by Django's
    one shared `validate_email`; changing that instance reaches fields declared before this runs (a form
    class imported by an admin module, say), where changing the fields' default validators would not."""
    validators.validate_email.literal_regex = _NO_DOMAIN_LITERAL
