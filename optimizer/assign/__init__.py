"""Cadres → areas: the flow models, compact areas, and the diagnosis of a shortfall.

Names are loaded on first use, so importing one light module of the package (``figures``,
``windows``) does not import SciPy and OR-Tools."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_API = {
    "assign_areas": "optimizer.assign.solve",
}

__all__ = [
    "assign_areas",
]


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'optimizer.assign' has no attribute {name!r}")
    return getattr(importlib.import_module(_API[name]), name)


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from optimizer.assign.solve import assign_areas
