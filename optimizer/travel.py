"""Travel times between points: great-circle × detour at a speed, or shortest paths on roads.

The default model (no ``[travel].roads``) is the contract's: great-circle distance (earth radius
6,371,000 m) × ``detour`` at ``speed_kmh``, in integer seconds. Minutes shown to people are the
seconds rounded to the nearest minute (``minutes_of``). With a road graph, a leg is the shortest
path between the nodes nearest to its ends, plus the straight walk to and from those nodes; the
path geometry is kept for maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from optimizer.domain.errors import InputProblem, InvalidInputError
from optimizer.domain.model import TravelSettings

EARTH_RADIUS_M = 6_371_000.0


def great_circle_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Haversine distance in metres; broadcasts over numpy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def project_m(lats, lons, lat0: float, lon0: float) -> np.ndarray:
    """Local planar metres (x east, y north) around ``(lat0, lon0)``; exact enough for a town."""
    lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    x = np.radians(lons - lon0) * EARTH_RADIUS_M * np.cos(np.radians(lat0))
    y = np.radians(lats - lat0) * EARTH_RADIUS_M
    return np.column_stack([x, y])


def minutes_of(seconds) -> np.ndarray:
    """Seconds → whole minutes, rounded half up."""
    return (np.asarray(seconds, dtype=np.int64) + 30) // 60


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Square matrices over a list of points: ``seconds[i, j]`` from i to j."""

    seconds: np.ndarray
    metres: np.ndarray

    def __post_init__(self) -> None:
        if self.seconds.shape != self.metres.shape or self.seconds.ndim != 2:
            raise ValueError("travel matrices must be square and alike")
        self.seconds.flags.writeable = False
        self.metres.flags.writeable = False

    @property
    def minutes(self) -> np.ndarray:
        return minutes_of(self.seconds)


class TravelModel(Protocol):
    description: str

    def matrix(self, lats, lons) -> TravelMatrix: ...

    def path(self, a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]: ...


class GreatCircleTravel:
    """Great-circle distance × detour at a constant speed."""

    def __init__(self, speed_kmh: float = 12.0, detour: float = 1.3):
        self.speed_ms = speed_kmh / 3.6
        self.detour = detour
        self.description = f"直线距离 × {detour} 绕行系数，时速 {speed_kmh} 公里"

    def matrix(self, lats, lons) -> TravelMatrix:
        lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
        metres = great_circle_m(lats[:, None], lons[:, None], lats[None, :], lons[None, :])
        metres *= self.detour
        seconds = np.rint(metres / self.speed_ms)
        return TravelMatrix(seconds.astype(np.int64), np.rint(metres).astype(np.int64))

    def path(self, a, b):
        return [a, b]


class RoadGraphTravel:
    """Shortest paths on a road graph (networkx), from the node nearest to each point."""

    def __init__(self, graph, speed_kmh: float, name: str = "roads"):
        # Only a campaign with [travel].roads needs these (0.4 s to import at every start).
        import networkx as nx
        from scipy.spatial import cKDTree

        self.graph = graph
        self.speed_ms = speed_kmh / 3.6
        self.nodes = list(graph.nodes)
        self.lat = np.array([float(graph.nodes[n]["y"]) for n in self.nodes])
        self.lon = np.array([float(graph.nodes[n]["x"]) for n in self.nodes])
        self.lat0, self.lon0 = float(self.lat.mean()), float(self.lon.mean())
        self.tree = cKDTree(project_m(self.lat, self.lon, self.lat0, self.lon0))
        self._nx = nx
        self.description = f"道路网 {name}（{len(self.nodes)} 个节点），时速 {speed_kmh} 公里"

    def nearest(self, lats, lons) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest node of each point, and the straight distance to it (m)."""
        xy = project_m(lats, lons, self.lat0, self.lon0)
        snap_m, index = self.tree.query(xy)
        return np.asarray(index), np.asarray(snap_m)

    def matrix(self, lats, lons) -> TravelMatrix:
        lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
        index, snap = self.nearest(lats, lons)
        unique = np.unique(index)
        road = np.full((len(lats), len(lats)), np.inf)
        for source in unique:
            lengths = self._nx.single_source_dijkstra_path_length(
                self.graph, self.nodes[source], weight="length"
            )
            row = np.array([lengths.get(self.nodes[k], np.inf) for k in index])
            road[index == source, :] = row
        metres = road + snap[:, None] + snap[None, :]
        np.fill_diagonal(metres, 0.0)
        if not np.isfinite(metres).all():
            # Disconnected pieces of the graph: fall back to the straight line for those legs.
            straight = great_circle_m(lats[:, None], lons[:, None], lats[None, :], lons[None, :])
            metres = np.where(np.isfinite(metres), metres, straight * 1.5)
        seconds = np.rint(metres / self.speed_ms)
        return TravelMatrix(seconds.astype(np.int64), np.rint(metres).astype(np.int64))

    def path(self, a, b):
        index, _ = self.nearest([a[0], b[0]], [a[1], b[1]])
        try:
            nodes = self._nx.shortest_path(
                self.graph, self.nodes[index[0]], self.nodes[index[1]], weight="length"
            )
        except self._nx.NetworkXNoPath:
            return [a, b]
        return [a, *((self.graph.nodes[n]["y"], self.graph.nodes[n]["x"]) for n in nodes), b]


def _with_lengths(graph):
    """Edges without a ``length`` attribute get their great-circle length."""
    for u, v, data in graph.edges(data=True):
        if "length" not in data:
            nu, nv = graph.nodes[u], graph.nodes[v]
            data["length"] = float(
                great_circle_m(float(nu["y"]), float(nu["x"]), float(nv["y"]), float(nv["x"]))
            )
        else:
            data["length"] = float(data["length"])
    return graph


def load_road_graph(path: Path):
    """A road graph from GraphML (networkx) or OSM XML (osmnx, if installed)."""
    import networkx as nx  # only with [travel].roads, as in RoadGraphTravel

    label = "campaign.toml"
    try:
        if path.suffix.lower() == ".osm":
            try:
                import osmnx
            except ImportError:
                msg = "读取 .osm 道路文件需要安装 osmnx（pip install osmnx），或改用 .graphml"
                raise InvalidInputError([InputProblem(label, None, "travel.roads", msg)]) from None
            graph = osmnx.graph_from_xml(path, simplify=True)
        else:
            graph = nx.read_graphml(path)
        missing = [n for n, d in graph.nodes(data=True) if "x" not in d or "y" not in d]
    except (OSError, ValueError, KeyError, nx.NetworkXError) as e:
        msg = f"无法读取道路文件 {path.name}: {e}"
        raise InvalidInputError([InputProblem(label, None, "travel.roads", msg)]) from e
    if missing or graph.number_of_nodes() == 0:
        msg = f"道路文件 {path.name} 的节点缺少坐标 x（经度）/ y（纬度）"
        raise InvalidInputError([InputProblem(label, None, "travel.roads", msg)])
    return _with_lengths(graph)


def travel_model(settings: TravelSettings, folder: str | Path | None = None) -> TravelModel:
    """The travel model a campaign asks for: road graph if ``[travel].roads``, else great-circle."""
    if settings.roads and folder is not None:
        path = Path(folder) / settings.roads
        return RoadGraphTravel(load_road_graph(path), settings.speed_kmh, path.name)
    return GreatCircleTravel(settings.speed_kmh, settings.detour)


def travel_matrix(lats, lons, settings: TravelSettings, folder=None) -> TravelMatrix:
    """Travel seconds and metres between every pair of the given points."""
    return travel_model(settings, folder).matrix(lats, lons)
