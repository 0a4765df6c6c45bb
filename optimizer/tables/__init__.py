"""Input and output tables: reading and validating campaign folders, writing the outputs."""

from optimizer.tables.read import read_campaign

__all__ = ["read_campaign"]
