"""Officers' actions on a case, one module each (see `base.py`). Adding an action is adding a module."""

from __future__ import annotations

import importlib
import pkgutil

from .base import CaseAction


def _discover() -> list[CaseAction]:
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name != "base":
            found.append(importlib.import_module(f"{__name__}.{info.name}").action)
    return found


ACTIONS: list[CaseAction] = _discover()

__all__ = ["ACTIONS", "CaseAction"]
