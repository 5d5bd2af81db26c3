"""Shared tables (audit events, sent messages) hold rows about records that their own app restricts.

Core cannot import the apps, so each app registers a scope here: a function `(user, queryset) -> queryset`
that removes the rows this user may not see. Every view of a shared table goes through `visible_to`, so
an app's rule (e.g. restricted homelessness cases) holds in the audit log and the message log too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db.models import Model, QuerySet

Scope = Callable[[object, QuerySet], QuerySet]

_scopes: dict[type[Model], list[Scope]] = defaultdict(list)


def scope_register(model: type[Model], scope: Scope) -> None:
    if scope not in _scopes[model]:
        _scopes[model].append(scope)


def visible_to(user, queryset: QuerySet) -> QuerySet:
    for scope in _scopes[queryset.model]:
        queryset = scope(user, queryset)
    return queryset
