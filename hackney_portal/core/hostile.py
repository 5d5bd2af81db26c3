"""Hostile characters: stripped from everything a request carries, and from everything we write out.

No one types a control character into a form. PostgreSQL refuses NUL in text (a 500 wherever it reached a
query), XML 1.0 refuses most C0 controls (the RSS feed and the H-CLIC files broke on them), and terminals,
spreadsheets and mail headers each misread some of them. So they are removed on the way in, once, by
`ControlCharactersMiddleware` for every view (a form cannot forget it), and again on the way out by
`xml_safe` / `strip_control`, because rows can arrive by other routes (SQL, imports, old data).
"""

from __future__ import annotations

import re

from django.http import Http404, QueryDict

# C0 controls but tab and newline, DEL, the C1 block, lone surrogates and the two XML non-characters.
# Carriage returns are folded into newlines first (browsers send textarea lines as CRLF).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NEWLINES = re.compile("\r\n?")
# The same, but also without newline and tab: one line of a header, subject, or XML attribute.
_LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def strip_control(value: str) -> str:
    """The text without control characters; CRLF and lone CR become a newline, tab and newline stay."""
    if not value:
        return value
    return _CONTROL.sub("", _NEWLINES.sub("\n", value))


def one_line(value: str) -> str:
    """Text fit for a mail header or a one-line field: control characters gone, line breaks a space."""
    return " ".join(strip_control(_LINE_BREAKS.sub(" ", value or "")).split())


def xml_safe(value) -> str:
    """Only characters XML 1.0 allows (tab and newline kept), whatever the database held."""
    return strip_control("" if value is None else str(value))


def querydict_clean(data: QueryDict) -> QueryDict:
    """A mutable-then-frozen copy of `data` with control characters stripped from keys and values."""
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(strip_control(key), [strip_control(v) for v in values])
    cleaned._mutable = False
    return cleaned


def querystring_parse(query: str) -> QueryDict:
    """A stored query string read back as a form's data: hostile characters gone, too many fields an error
    (django.core.exceptions.TooManyFieldsSent) rather than unbounded work."""
    return querydict_clean(QueryDict(query or ""))


class ControlCharactersMiddleware:
    """Strip control characters from the query string, the form body, upload names and URL arguments,
    before any view or form sees them. Runs in `process_view`, after CSRF has read the body, so it parses
    nothing that would not be parsed anyway; JSON and raw bodies (the Stripe webhook) are left as sent,
    since their signatures cover the exact bytes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.GET = querydict_clean(request.GET)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            request.POST = querydict_clean(request.POST)
            for _, uploads in request.FILES.lists():
                for upload in uploads:
                    upload.name = strip_control(upload.name)
        for key, value in list(view_kwargs.items()):
            if isinstance(value, str):
                view_kwargs[key] = strip_control(value)
        # Positional arguments are a tuple that cannot be cleaned in place; none of our URLs has one, so a
        # request that carries control characters in one finds nothing.
        if any(isinstance(v, str) and strip_control(v) != v for v in view_args):
            raise Http404
        return None
