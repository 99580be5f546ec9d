"""Walking distances from firms to stops along a :class:`WalkingNetwork`.

Rules
-----
- **What a distance is.** Firm access leg (straight, to the nearest point on
  the nearest edge) + the walk along the network + the stop's access leg,
  in metres. A firm and a stop on the same edge may also walk straight along
  that edge between their snapped points.
- **One pass.** :func:`nearest` runs one multi-source Dijkstra
  (:func:`scipy.sparse.csgraph.dijkstra` with ``min_only=True``) from a
  virtual node per stop, joined to both end nodes of the stop's edge by its
  access leg plus the partial edge length to that node.
- **Stop ids.** Rows sharing a stop id are one stop (a station with several
  entrances); its distance is that of the nearest of its points.
- **Unreachable** firms have ``network_m`` NaN, ``reachable`` false and a
  ``reason``: ``no_location`` (no point), ``off_network`` (farther than the
  snapping limit from every edge), ``no_stop`` (no stop on the network) or
  ``disconnected`` (no stop on the firm's part of the network). They are
  never within any threshold. Stops that are off the network are listed in
  ``attrs["stops_unreachable"]`` (stop id to reason).
- **Order.** Results do not depend on the row order of firms, stops or the
  network; among stops at exactly the same distance the lowest stop id wins
  where the firm's own edge decides, otherwise Dijkstra's first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from areas.analysis.network.graph import (
    SNAP_LIMIT_M,
    SnappedPoints,
    WalkingNetwork,
    as_network,
)
from areas.errors import SchemaError

__all__ = ["REASONS", "nearest", "within", "stop_graph"]

#: Values of ``reason`` for unreachable firms.
REASONS = ("no_location", "off_network", "no_stop", "disconnected")
#: Dijkstra rows held at once by :func:`within` (a row is one float per node).
_CHUNK_CELLS = 20_000_000


def _snapped(net: WalkingNetwork, points, snap_limit_m, layer) -> SnappedPoints:
    if isinstance(points, SnappedPoints):
        return points
    return net.snap(points, snap_limit_m=snap_limit_m, layer=layer)


def _stop_rank(stop_ids, n: int):
    ids = pd.Series(np.asarray(stop_ids, dtype=object)).astype("string")
    if len(ids) != n:
        msg = f"`stop_ids` has {len(ids)} values for {n} stops; give one id per stop"
        raise SchemaError(msg, layer="stops")
    if ids.isna().any():
        msg = "`stop_ids` has missing values; give every stop an id"
        raise SchemaError(msg, layer="stops")
    uniq, rank = np.unique(ids.to_numpy(dtype=object).astype(str), return_inverse=True)
    return uniq, rank


def stop_graph(net: WalkingNetwork, stops: SnappedPoints, rank: np.ndarray, n_stops: int):
    """Return the network plus one virtual node per stop (numbered ``n_nodes + rank``).

    Each stop node has directed edges to both end nodes of each edge its
    points snapped to, weighted by the access leg plus the partial length.
    """
    n = net.n_nodes
    e, a, d = stops.edge, stops.along_m, stops.access_m
    src = n + rank[stops.point]
    r = np.r_[src, src]
    c = np.r_[net.u[e], net.v[e]]
    w = np.r_[d + a, d + net.length_m[e] - a]
    order = np.lexsort((w, c, r))
    r, c, w = r[order], c[order], w[order]
    first = np.r_[True, (r[1:] != r[:-1]) | (c[1:] != c[:-1])]
    r, c, w = r[first], c[first], np.maximum(w[first], 1e-9)
    g = net.graph
    extra = np.bincount(r - n, minlength=n_stops)
    indptr = np.r_[g.indptr, g.indptr[-1] + np.cumsum(extra)]
    return csr_matrix(
        (np.r_[g.data, w], np.r_[g.indices, c], indptr), shape=(n + n_stops, n + n_stops)
    )


def _same_edge(firms: SnappedPoints, stops: SnappedPoints, rank: np.ndarray):
    """Firm snap, stop rank and straight along-edge distance for snaps sharing an edge."""
    order = np.argsort(stops.edge, kind="stable")
    se = stops.edge[order]
    lo = np.searchsorted(se, firms.edge, "left")
    hi = np.searchsorted(se, firms.edge, "right")
    cnt = hi - lo
    fs = np.repeat(np.arange(len(firms.edge)), cnt)
    k = np.repeat(lo, cnt) + (np.arange(len(fs)) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    st = order[k]
    dist = firms.access_m[fs] + stops.access_m[st] + np.abs(firms.along_m[fs] - stops.along_m[st])
    return fs, rank[stops.point[st]], dist


def _best(point, dist, stop, n):
    """Per point the smallest distance (lowest stop rank among equals)."""
    order = np.lexsort((stop, dist, point))
    point, dist, stop = point[order], dist[order], stop[order]
    first = np.r_[True, point[1:] != point[:-1]] if len(point) else np.zeros(0, bool)
    best = np.full(n, np.inf)
    best_stop = np.full(n, -1, dtype=np.int64)
    best[point[first]] = dist[first]
    best_stop[point[first]] = stop[first]
    return best, best_stop


def nearest(
    network,
    firm_points,
    stop_points,
    stop_ids,
    *,
    snap_limit_m: float = SNAP_LIMIT_M,
) -> pd.DataFrame:
    """Find the walking distance from every firm to its nearest stop along the network.

    Parameters
    ----------
    network : WalkingNetwork or GeoDataFrame
        A built network (:func:`~areas.analysis.network.build_network`) or a
        network layer, built on the spot.
    firm_points, stop_points : GeoSeries, GeoDataFrame, points or SnappedPoints
        Firms and stops (reprojected to EPSG:25832; plain arrays are taken
        to be in it). Already snapped points (``network.snap(...)``) are
        reused, which saves the snapping when several stop sets are asked.
    stop_ids : sequence
        One id per stop; rows sharing an id are one stop.
    snap_limit_m : float, default :data:`~areas.analysis.network.SNAP_LIMIT_M`
        Farther from the network is unreachable.

    Returns
    -------
    pandas.DataFrame
        One row per firm, in input order (the index of a geo input is kept),
        with ``network_m`` (float, NaN when unreachable), ``stop_id``
        (categorical; missing when unreachable), ``reachable`` (bool) and
        ``reason`` (categorical: ``""`` when reachable, else one of
        :data:`REASONS`). ``attrs`` holds ``snap_limit_m`` and
        ``stops_unreachable``.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np
    >>> from shapely import LineString
    >>> from areas.analysis.network import build_network
    >>> net = build_network(gpd.GeoDataFrame(
    ...     geometry=[LineString([(0, 0), (1000, 0)])], crs="EPSG:25832"))
    >>> out = nearest(net, np.array([[100.0, 30.0]]), np.array([[700.0, -40.0]]), ["s1"])
    >>> float(out.loc[0, "network_m"]), out.loc[0, "stop_id"]
    (670.0, 's1')
    """
    net = as_network(network)
    firms = _snapped(net, firm_points, snap_limit_m, "companies")
    stops = _snapped(net, stop_points, snap_limit_m, "stops")
    uniq, rank = _stop_rank(stop_ids, stops.n)
    n_stops = len(uniq)
    dist = np.full(firms.n, np.inf)
    stop = np.full(firms.n, -1, dtype=np.int64)
    on_net_stops = np.unique(rank[stops.point])
    if len(on_net_stops) and len(firms.point):
        g = stop_graph(net, stops, rank, n_stops)
        sources = net.n_nodes + on_net_stops
        dn, _, src = dijkstra(
            g, directed=True, indices=sources, min_only=True, return_predecessors=True
        )
        e, a = firms.edge, firms.along_m
        du = dn[net.u[e]] + a
        dv = dn[net.v[e]] + net.length_m[e] - a
        via_u = du <= dv
        cand = np.where(via_u, du, dv) + firms.access_m
        cstop = np.where(via_u, src[net.u[e]], src[net.v[e]]) - net.n_nodes
        cstop = np.where(np.isfinite(cand), cstop, -1)
        fs, srank, sdist = _same_edge(firms, stops, rank)
        if len(fs) or len(np.unique(firms.point)) != len(firms.point):
            dist, stop = _best(
                np.r_[firms.point, firms.point[fs]],
                np.r_[cand, sdist],
                np.r_[cstop, srank],
                firms.n,
            )
        else:
            dist[firms.point] = cand
            stop[firms.point] = cstop
    reach = np.isfinite(dist)
    reason = np.zeros(firms.n, dtype=np.int8)  # codes into ["", *REASONS]
    reason[firms.status == "no_location"] = 1
    reason[firms.status == "off_network"] = 2
    reason[(reason == 0) & ~reach] = 3 if len(on_net_stops) == 0 else 4
    out = pd.DataFrame(
        {
            "network_m": np.where(reach, dist, np.nan),
            "stop_id": pd.Categorical.from_codes(stop, categories=pd.Index(uniq, dtype=object)),
            "reachable": reach,
            "reason": pd.Categorical.from_codes(reason, categories=["", *REASONS]),
        },
        index=_index(firm_points, firms.n),
    )
    out.attrs["snap_limit_m"] = float(firms.snap_limit_m)
    out.attrs["stops_unreachable"] = _stops_unreachable(stops, uniq, rank)
    return out


def _index(points, n):
    index = getattr(points, "index", None)
    return index if index is not None and len(index) == n else pd.RangeIndex(n)


def _stops_unreachable(stops: SnappedPoints, uniq, rank) -> dict:
    bad = stops.status != ""
    snapped = np.zeros(len(uniq), bool)
    snapped[rank[stops.point]] = True
    return {
        str(uniq[r]): str(s)
        for r, s in zip(rank[bad], stops.status[bad], strict=True)
        if not snapped[r]
    }


def _node_stop_table(net, g, sources, limit_m):
    """Sparse node-by-stop matrix of distances ≤ ``limit_m`` (chunked Dijkstra)."""
    n_all = g.shape[0]
    step = max(1, _CHUNK_CELLS // n_all)
    rows, cols, vals = [], [], []
    for lo in range(0, len(sources), step):
        chunk = sources[lo : lo + step]
        d = dijkstra(g, directed=True, indices=chunk, limit=limit_m)[:, : net.n_nodes]
        i, j = np.nonzero(np.isfinite(d))
        rows.append(j)
        cols.append(chunk[i] - net.n_nodes)
        vals.append(d[i, j])
    r, c, w = (np.concatenate(x) if x else np.zeros(0) for x in (rows, cols, vals))
    return r.astype(np.int64), c.astype(np.int64), w


def _expand(node_rows: np.ndarray, table: csr_matrix):
    """For each query node every (query, column, value) of its row."""
    lo, hi = table.indptr[node_rows], table.indptr[node_rows + 1]
    cnt = hi - lo
    q = np.repeat(np.arange(len(node_rows)), cnt)
    k = np.repeat(lo, cnt) + (np.arange(len(q)) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    return q, table.indices[k], table.data[k]


def within(
    network,
    firm_points,
    stop_points,
    stop_ids,
    limit_m: float,
    *,
    snap_limit_m: float = SNAP_LIMIT_M,
) -> pd.DataFrame:
    """Every stop within ``limit_m`` of walking of every firm.

    For departures within 600 m or PTAL catchments (640 m bus, 960 m rail).
    One Dijkstra per stop, cut off at ``limit_m``; inputs as in
    :func:`nearest`.

    Returns
    -------
    pandas.DataFrame
        Long table with ``firm`` (position of the firm in ``firm_points``),
        ``stop_id`` and ``network_m`` (≤ ``limit_m``), sorted by firm and
        distance. Unreachable firms have no rows.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np
    >>> from shapely import LineString
    >>> from areas.analysis.network import build_network
    >>> net = build_network(gpd.GeoDataFrame(
    ...     geometry=[LineString([(0, 0), (1000, 0)])], crs="EPSG:25832"))
    >>> stops = np.array([[200.0, 0.0], [900.0, 0.0]])
    >>> within(net, np.array([[100.0, 0.0]]), stops, ["a", "b"], 600).to_dict("list")
    {'firm': [0], 'stop_id': ['a'], 'network_m': [100.0]}
    """
    net = as_network(network)
    firms = _snapped(net, firm_points, snap_limit_m, "companies")
    stops = _snapped(net, stop_points, snap_limit_m, "stops")
    uniq, rank = _stop_rank(stop_ids, stops.n)
    on_net = np.unique(rank[stops.point])
    parts_f, parts_s, parts_d = [], [], []
    if len(on_net) and len(firms.point):
        g = stop_graph(net, stops, rank, len(uniq))
        r, c, w = _node_stop_table(net, g, net.n_nodes + on_net, float(limit_m))
        table = csr_matrix((np.maximum(w, 1e-12), (r, c)), shape=(net.n_nodes, len(uniq)))
        e = firms.edge
        for node, extra in ((net.u[e], firms.along_m), (net.v[e], net.length_m[e] - firms.along_m)):
            q, s, d = _expand(node, table)
            parts_f.append(firms.point[q])
            parts_s.append(s)
            parts_d.append(d + extra[q] + firms.access_m[q])
        fs, srank, sdist = _same_edge(firms, stops, rank)
        parts_f.append(firms.point[fs])
        parts_s.append(srank)
        parts_d.append(sdist)
    f = np.concatenate(parts_f) if parts_f else np.zeros(0, np.int64)
    s = np.concatenate(parts_s) if parts_s else np.zeros(0, np.int64)
    d = np.concatenate(parts_d) if parts_d else np.zeros(0)
    ok = d <= limit_m
    f, s, d = f[ok], s[ok], d[ok]
    order = np.lexsort((d, s, f))
    f, s, d = f[order], s[order], d[order]
    first = np.r_[True, (f[1:] != f[:-1]) | (s[1:] != s[:-1])] if len(f) else np.zeros(0, bool)
    f, s, d = f[first], s[first], d[first]
    order = np.lexsort((s, d, f))
    out = pd.DataFrame(
        {
            "firm": f[order].astype(np.int64),
            "stop_id": pd.array(uniq[s[order]].astype(object), dtype="string"),
            "network_m": d[order],
        }
    )
    out.attrs["snap_limit_m"] = float(firms.snap_limit_m)
    out.attrs["limit_m"] = float(limit_m)
    return out
