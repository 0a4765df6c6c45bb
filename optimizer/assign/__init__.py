"""Cadres → areas: the flow models, compact areas, and the diagnosis of a shortfall.

Names are loaded on first use, so importing one light module of the package (``figures``,
``windows``) does not import SciPy and OR-Tools."""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimizer.domain.lazy import load

_API = {
    "assign_areas": "optimizer.assign.solve",
}

__all__ = [
    "assign_areas",
]


def __getattr__(name: str):
    return load(__name__, _API, name)


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from optimizer.assign.solve import assign_areas
