"""Walking station zones: the land within each walking band of each station.

How a zone is formed
--------------------
A place belongs to a station's band of ``R`` metres when a firm standing
there would be given a walking distance of at most ``R`` by
:func:`~areas.analysis.network.nearest`: its straight access leg to the
nearest point ``p`` of the network (at most the snapping limit) plus the walk
from ``p`` along the network to the station (including the station's own
access leg) is at most ``R``. The zone is that set, computed as follows:

1. The network near the station is sampled every ``resolution_m`` metres
   along each edge, plus every node; each sample ``q`` gets its walking
   distance ``t(q)`` to the station (one Dijkstra per station, cut at the
   widest band, plus the straight walk along the station's own edge).
2. The Voronoi cells of the samples stand for "the land whose nearest network
   point is ``q``", so a place is judged by the path it would snap to, and
   land across a railway or a river is judged by the path on its own side.
3. Each cell is clipped to a disc around ``q`` of radius
   ``min(R - t(q), snapping limit)``; the zone is the union of these pieces.

So every point of a zone lies within ``R`` of the station by straight walk
to a network point and then along the network, and, up to the sampling
(points within about ``resolution_m`` of a zone's edge may be judged either
way), the zones agree with the firm-by-firm verdicts. The zones assume what
the distances assume: the network holds every path people may walk, and the
straight access leg is free of obstacles. Zones are cumulative: the
1,200 m zone contains the 600 m one.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra

from areas.analysis.network.distance import _snapped, _stop_rank, stop_graph
from areas.analysis.network.graph import SNAP_LIMIT_M, WalkingNetwork, as_network
from areas.constants import FINGERPLAN_BANDS_M
from areas.schema import SQM_PER_HA, WORK_CRS

__all__ = ["ZONE_RESOLUTION_M", "station_zones"]

#: Default spacing (m) of the network samples that shape a zone.
ZONE_RESOLUTION_M = 10.0


def _samples(net: WalkingNetwork, resolution_m: float):
    """Points along every edge (edge, position) and the nodes (edge -1)."""
    m = np.maximum(np.ceil(net.length_m / resolution_m).astype(np.int64), 1)
    edge = np.repeat(np.arange(net.n_edges), m)
    k = np.arange(len(edge)) - np.repeat(np.cumsum(m) - m, m)
    pos = (k + 0.5) * (net.length_m / m)[edge]
    geoms = np.asarray(net.edges.geometry.array, dtype=object)
    pts = shapely.line_interpolate_point(geoms[edge], pos)
    xy = np.r_[shapely.get_coordinates(pts), net.node_xy]
    node = np.r_[np.full(len(edge), -1), np.arange(net.n_nodes)]
    edge = np.r_[edge, np.full(net.n_nodes, -1)]
    pos = np.r_[pos, np.zeros(net.n_nodes)]
    return xy, edge, pos, node


def _sample_distance(net, dn, edge, pos, node, station_snaps):
    """Return the walking distance from the station to each sample."""
    t = np.full(len(edge), np.inf)
    on_node = node >= 0
    t[on_node] = dn[node[on_node]]
    e = edge[~on_node]
    p = pos[~on_node]
    t[~on_node] = np.minimum(dn[net.u[e]] + p, dn[net.v[e]] + net.length_m[e] - p)
    s_edge, s_along, s_access = station_snaps
    for se, sa, sd in zip(s_edge, s_along, s_access, strict=True):
        here = edge == se
        t[here] = np.minimum(t[here], sd + np.abs(pos[here] - sa))
    return t


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Make geometries valid and polygonal (cells of collinear samples can be slivers)."""
    out = geoms.copy()
    for i in np.flatnonzero(~shapely.is_valid(geoms)):
        parts = shapely.get_parts(shapely.make_valid(geoms[i]))
        polys = [p for p in parts if shapely.get_type_id(p) in (3, 6)]
        out[i] = shapely.union_all(polys) if polys else shapely.Polygon()
    return out


def _zones(xy, t, box, bands, snap_limit_m):
    """Per band the union of Voronoi cells clipped to discs of the remaining allowance.

    The cells are formed once per station, for every band.
    """
    inside = (
        (xy[:, 0] >= box[0]) & (xy[:, 0] <= box[2]) & (xy[:, 1] >= box[1]) & (xy[:, 1] <= box[3])
    )
    idx = np.flatnonzero(inside)
    if not np.any(t[idx] < bands[-1]):
        return [shapely.Polygon()] * len(bands)
    points = shapely.points(xy[idx])
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=shapely.box(*box))
    )
    near = np.flatnonzero(t[idx] < bands[-1])
    hit_point, hit_cell = shapely.STRtree(cells).query(points[near], predicate="intersects")
    cell_of = np.full(len(near), -1)
    cell_of[hit_point[::-1]] = hit_cell[::-1]  # first cell touching the point
    used = np.unique(cell_of[cell_of >= 0])
    cells[used] = _polygonal(cells[used])
    out = []
    for band_m in bands:
        radius = np.minimum(band_m - t[idx][near], snap_limit_m)
        use = (radius > 0) & (cell_of >= 0)
        if not use.any():
            out.append(shapely.Polygon())
            continue
        discs = shapely.buffer(points[near][use], radius[use], quad_segs=16)
        pieces = shapely.intersection(cells[cell_of[use]], discs)
        out.append(shapely.union_all(pieces))
    return out


#: Zones of this many stations are kept, so that maps, the report and a second scenario
#: of the same network reuse them: a station's zones depend only on the network, the
#: station's points, the bands, the resolution and the snapping limit (the key).
CACHE_STATIONS = 256
_CACHE: OrderedDict[tuple, tuple] = OrderedDict()
_CACHE_LOCK = threading.Lock()

#: Threads that compute the stations' zones side by side (GEOS works outside Python's lock).
ZONE_THREADS = max(1, min(2, os.cpu_count() or 1))


def _in_parallel(func: Callable[[int], list], n: int) -> list[list]:
    """Return ``[func(0), ..., func(n - 1)]``, computed by :data:`ZONE_THREADS` threads.

    Each station's zones depend on that station alone, so the result is the
    same, in the same order, as one after the other; an error is raised as it
    would be there (the first failing station's), and an interrupt stops the
    stations not yet started.
    """
    if ZONE_THREADS <= 1 or n <= 1:
        return [func(i) for i in range(n)]
    pool = ThreadPoolExecutor(max_workers=ZONE_THREADS, thread_name_prefix="areas-zones")
    try:
        return list(pool.map(func, range(n)))
    finally:  # an error or an interrupt: the stations not started are not computed
        pool.shutdown(wait=True, cancel_futures=True)


def station_zones(
    network,
    station_points,
    station_ids,
    bands_m: Sequence[float] = FINGERPLAN_BANDS_M,
    *,
    resolution_m: float = ZONE_RESOLUTION_M,
    snap_limit_m: float = SNAP_LIMIT_M,
) -> gpd.GeoDataFrame:
    """Polygons of the land within each walking band of each station.

    See the module notes for how a polygon is formed and what it assumes.

    Parameters
    ----------
    network : WalkingNetwork or GeoDataFrame
        A built network or a network layer.
    station_points : GeoSeries, GeoDataFrame or points
        Where the walk to each station starts (platform or entrance).
    station_ids : sequence
        One id per point; points sharing an id (several entrances) are one
        station.
    bands_m : sequence of float, default (600, 1200)
        Walking distances; each band's zone holds all land within it.
    resolution_m : float, default :data:`ZONE_RESOLUTION_M`
        Spacing of the network samples; smaller is finer and slower.
    snap_limit_m : float, default :data:`~areas.analysis.network.SNAP_LIMIT_M`
        Longest straight access leg.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per station and band, in EPSG:25832: ``station_id``,
        ``band_m``, ``geometry`` and ``area_ha``. A station off the network
        has empty zones (listed in ``attrs["stations_unreachable"]``).
    """
    net = as_network(network)
    stations = _snapped(net, station_points, snap_limit_m, "stations")
    uniq, rank = _stop_rank(station_ids, stations.n)
    bands = sorted(float(b) for b in bands_m)
    g = stop_graph(net, stations, rank, len(uniq))
    xy, edge, pos, node = _samples(net, float(resolution_m))
    reach = 2 * float(snap_limit_m) + 2 * float(resolution_m)
    rows: dict[str, list] = {"station_id": [], "band_m": [], "geometry": []}
    unreachable = []

    def station(r: int) -> list:
        mine = rank[stations.point] == r
        if not mine.any():
            return [shapely.Polygon()] * len(bands)
        pts = stations.xy[rank == r]
        key = (
            net.fingerprint,
            pts.tobytes(),
            tuple(bands),
            float(resolution_m),
            float(snap_limit_m),
        )
        with _CACHE_LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return list(_CACHE[key])
        zones = _station(r, mine, pts)
        with _CACHE_LOCK:
            _CACHE[key] = tuple(zones)
            while len(_CACHE) > CACHE_STATIONS:
                _CACHE.popitem(last=False)
        return zones

    def _station(r: int, mine: np.ndarray, pts: np.ndarray) -> list:
        dn = dijkstra(g, directed=True, indices=net.n_nodes + r, limit=bands[-1])
        snaps = (stations.edge[mine], stations.along_m[mine], stations.access_m[mine])
        t = _sample_distance(net, dn[: net.n_nodes], edge, pos, node, snaps)
        lo = np.nanmin(pts, axis=0) - bands[-1] - reach
        hi = np.nanmax(pts, axis=0) + bands[-1] + reach
        box = (lo[0], lo[1], hi[0], hi[1])
        return _zones(xy, t, box, bands, float(snap_limit_m))

    for r, (sid, zones) in enumerate(zip(uniq, _in_parallel(station, len(uniq)), strict=True)):
        if not (rank[stations.point] == r).any():
            unreachable.append(str(sid))
        for b, z in zip(bands, zones, strict=True):
            rows["station_id"].append(str(sid))
            rows["band_m"].append(b)
            rows["geometry"].append(z)
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=WORK_CRS)
    out["area_ha"] = shapely.area(np.asarray(out.geometry.array)) / SQM_PER_HA
    out.attrs["stations_unreachable"] = unreachable
    out.attrs["resolution_m"] = float(resolution_m)
    out.attrs["snap_limit_m"] = float(snap_limit_m)
    return out
