"""Cadres → areas: the flow models, compact areas, and the diagnosis of a shortfall."""

from optimizer.assign.solve import assign_areas

__all__ = ["assign_areas"]
