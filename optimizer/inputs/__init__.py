"""Campaign folders in: ``campaign.toml`` and the target, cadre and outcome tables, validated
with every problem collected (file, row as Excel shows it, column)."""

from optimizer.inputs.campaign import read_campaign
from optimizer.inputs.outcomes import read_outcome_rows, read_outcomes

__all__ = ["read_campaign", "read_outcome_rows", "read_outcomes"]
