"""Campaign folders in: ``campaign.toml`` and the target, cadre and outcome tables, validated
with every problem collected (file, row as Excel shows it, column).

Names are loaded on first use, so reading ``campaign.toml`` or an outcomes file does not
import what checks a whole campaign's geography (SciPy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimizer.domain.lazy import load

_API = {
    "read_campaign": "optimizer.inputs.campaign",
    "read_outcome_rows": "optimizer.inputs.outcomes",
    "read_outcomes": "optimizer.inputs.outcomes",
}

__all__ = [
    "read_campaign",
    "read_outcome_rows",
    "read_outcomes",
]


def __getattr__(name: str):
    return load(__name__, _API, name)


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from optimizer.inputs.campaign import read_campaign
    from optimizer.inputs.outcomes import read_outcome_rows, read_outcomes
