"""Pure domain and optimization: no dramatiq, no folium, no database."""

from optimizer.errors import InputProblem, InvalidInputError, ZoufangError
from optimizer.tables import read_campaign

__all__ = ["InputProblem", "InvalidInputError", "ZoufangError", "read_campaign"]
