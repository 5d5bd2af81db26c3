"""The error a service raises when one of its rules is broken, and how a view shows it on a form."""

from __future__ import annotations

from django import forms


class ApplicationError(Exception):
    """A rule of the service was broken; the message is written for the person who broke it.

    Services raise it (or a subclass); views turn it into a form error or a message.
    """

    def __init__(
        self, message: str, *, field: str | None = None, code: str = "invalid", also: tuple[str, ...] = ()
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        # A pair that does not match (account number and postcode): the message goes on `field`, the first,
        # and the fields in `also` are marked as wrong too, without saying it twice.
        self.also = also
        self.code = code


def add_application_error(form: forms.Form, error: ApplicationError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    if field:
        form.marked_fields = {name: field for name in error.also if name in form.fields}
