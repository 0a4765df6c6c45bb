"""Packages whose public names load on first use.

A package's ``__init__`` that imported its whole API eagerly made importing any one light
module of it (``route.problem``, ``inputs.outcomes``) import OR-Tools or SciPy too, a second
of every command's start. Each such ``__init__`` keeps a name → module table and answers
``__getattr__`` through ``load``; type checkers see the same names under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping


def load(package: str, api: Mapping[str, str], name: str) -> object:
    """The attribute ``name`` of ``package``, imported from the module ``api`` names."""
    module = api.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
