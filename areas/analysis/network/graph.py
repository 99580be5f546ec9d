"""Build a walking graph from a layer of lines, and snap points onto its edges.

Rules
-----
- **Which lines.** Every (Multi)LineString of the layer whose ``walkable`` is
  not false. Null or empty geometries and geometries of another type are an
  error naming the ``edge_id`` values (the loader repairs or refuses them
  first).
- **Noding.** Lines on the same ``level`` (missing = 0) are split where they
  cross in their interiors and where the end of one lies on (within
  :data:`NODE_TOLERANCE_M` of) the interior of another: road centre lines
  from GeoFA and GeoDanmark are not noded. The test is vectorised on short
  straight pieces found with a k-d tree; lines that already meet at their end
  points (most OpenStreetMap exports) pass it without being cut, and no
  planar union of the whole layer is ever formed. Lines on different levels
  (a bridge over a road) cross without meeting; they meet only where their
  end points coincide. Overlapping collinear lines are joined only where
  the end of one lies on the other.
- **Nodes.** Line ends closer than :data:`NODE_TOLERANCE_M` (0.5 m) are one
  node: digitising gaps of some decimetres are common in municipal road
  data, while no two distinct junctions of a walking network are that close.
  Edges shorter than that collapse and are dropped; closed rings are split in
  two so that a roundabout drawn as one ring stays walkable.
- **Lengths** are the lengths of the edge geometries in metres (EPSG:25832),
  not the distance between their end nodes. Between two nodes the shortest
  of parallel edges is the graph's edge; every edge stays available for
  snapping.
- **Snapping.** A point is snapped to the nearest point on the nearest edge
  (not the nearest node); its straight access leg counts in its distance. A
  point farther than the snapping limit (default :data:`SNAP_LIMIT_M`) from
  every edge is *off the network*: never given a distance.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from areas.analysis.network._points import points_xy
from areas.errors import CrsError, GeometryError, GeometryTypeError, LayerError, format_ids
from areas.schema import WORK_CRS

__all__ = [
    "NODE_TOLERANCE_M",
    "SNAP_LIMIT_M",
    "WalkingNetwork",
    "SnappedPoints",
    "build_network",
    "as_network",
]

#: Line ends closer than this (m) are one node; see the module notes.
NODE_TOLERANCE_M = 0.5
#: Default snapping limit (m). Addresses of firms on the large fenced plots of
#: Danish business districts lie up to some 200 m from the nearest mapped road
#: (a 16 ha plot is 400 m a side); 300 m keeps those on the network, while a
#: point farther off than half the 600 m Fingerplan core distance signals a
#: gap in the network data rather than a walk, and is reported unreachable.
SNAP_LIMIT_M = 300.0
#: Longest straight piece in the snapping index (m); shorter pieces make the
#: k-d tree search tighter at the cost of memory.
INDEX_PIECE_M = 25.0
#: Longest straight piece tested for crossings (m).
_NODING_PIECE_M = 50.0
#: Points snapped per batch (bounds the memory of the candidate arrays).
_SNAP_BATCH = 200_000
#: k-d tree workers (all cores).
WORKERS = -1
#: Candidates tried per point before the exact fallback.
_K_FIRST = 8
#: Equal-distance snaps (m): a point this close to equally near edges snaps to all.
_TIE_M = 1e-7

_LINE, _MULTILINE = 1, 5


# --------------------------------------------------------------------------- layer


def _bool_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    values = frame[column]
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        text = values.astype("string").str.strip().str.lower()
        return ~text.isin(["false", "no", "0", "f", "n"]).fillna(False).to_numpy(bool)
    return ~(values.fillna(True).to_numpy() == False)  # noqa: E712


def _level_column(frame: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    if "level" not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64)
    raw = pd.to_numeric(frame["level"], errors="coerce")
    bad = raw.notna() & (raw != raw.round())
    bad |= frame["level"].notna() & raw.isna()
    if bad.any():
        wrong = ids[bad.to_numpy()]
        msg = f"`level` must be a whole number (0 = ground); not so for edges {format_ids(wrong)}"
        raise LayerError(msg, layer="network", ids=list(wrong))
    return raw.fillna(0).to_numpy().astype(np.int64)


def _layer_lines(layer: gpd.GeoDataFrame):
    """Check the layer; return walkable single lines and their attributes."""
    if not isinstance(layer, gpd.GeoDataFrame):
        msg = f"`network` must be a geopandas.GeoDataFrame, got {type(layer).__name__}"
        raise LayerError(msg, layer="network")
    if layer.crs is None:
        msg = f"`network` has no CRS; set it with `frame.set_crs(...)`, for example {WORK_CRS}"
        raise CrsError(msg, layer="network")
    if "edge_id" in layer.columns:
        ids = layer["edge_id"].astype("string").fillna("").to_numpy(dtype=object)
    else:
        ids = np.array([str(i) for i in range(len(layer))], dtype=object)
    geoms = layer.geometry
    if layer.crs != WORK_CRS:
        geoms = geoms.to_crs(WORK_CRS)
    geoms = np.asarray(geoms.array, dtype=object)
    types = shapely.get_type_id(geoms)
    missing = (types < 0) | shapely.is_empty(geoms)
    if missing.any():
        msg = (
            f"{missing.sum()} network lines have no geometry: edges {format_ids(ids[missing])}; "
            "drop them or draw them"
        )
        raise GeometryError(msg, layer="network", ids=list(ids[missing]))
    wrong = (types != _LINE) & (types != _MULTILINE)
    if wrong.any():
        msg = f"`network` must hold (Multi)LineStrings; these are not: {format_ids(ids[wrong])}"
        raise GeometryTypeError(msg, layer="network", ids=list(ids[wrong]))
    level = _level_column(layer, ids)
    kind = (
        layer["kind"].astype("string").to_numpy(dtype=object)
        if "kind" in layer.columns
        else np.full(len(layer), None, dtype=object)
    )
    keep = _bool_column(layer, "walkable")
    if (types[keep] == _LINE).all():
        parts, rows = geoms[keep], np.flatnonzero(keep)
    else:
        parts, source = shapely.get_parts(geoms[keep], return_index=True)
        rows = np.flatnonzero(keep)[source]
    return parts, rows, ids, level, kind, int((~keep).sum())


# --------------------------------------------------------------------------- noding


@dataclass
class _Lines:
    """Single lines as flat vertex arrays."""

    xy: np.ndarray  # (m, 2) vertices
    line: np.ndarray  # (m,) line of each vertex
    s: np.ndarray  # (m,) distance along its line
    start: np.ndarray  # (n,) first vertex of each line
    length: np.ndarray  # (n,)

    @classmethod
    def from_geoms(cls, geoms: np.ndarray) -> _Lines:
        xy, line = shapely.get_coordinates(geoms, return_index=True)
        step = np.hypot(*np.diff(xy, axis=0).T)
        first = np.r_[True, line[1:] != line[:-1]]
        step = np.where(first[1:], 0.0, step)
        s = np.r_[0.0, np.cumsum(step)]
        start = np.flatnonzero(first)
        s = s - s[start][line]
        end = np.r_[start[1:], len(line)] - 1
        return cls(xy, line, s, start, s[end])

    @property
    def end(self) -> np.ndarray:
        return np.r_[self.start[1:], len(self.line)] - 1


def _pieces(lines: _Lines, max_len: float):
    """Straight pieces no longer than ``max_len``: (a, b, line, s0, s1)."""
    seg = np.flatnonzero(lines.line[1:] == lines.line[:-1])
    a, b = lines.xy[seg], lines.xy[seg + 1]
    s0, s1 = lines.s[seg], lines.s[seg + 1]
    n = np.maximum(np.ceil((s1 - s0) / max_len).astype(np.int64), 1)
    rep = np.repeat(np.arange(len(seg)), n)
    k = np.arange(len(rep)) - np.repeat(np.cumsum(n) - n, n)
    f0 = (k / n[rep])[:, None]
    f1 = ((k + 1) / n[rep])[:, None]
    pa = a[rep] + (b[rep] - a[rep]) * f0
    pb = a[rep] + (b[rep] - a[rep]) * f1
    ds = (s1 - s0)[rep]
    return pa, pb, lines.line[seg][rep], s0[rep] + ds * f0[:, 0], s0[rep] + ds * f1[:, 0]


def _cross2(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]


def _split_positions(lines: _Lines, level: np.ndarray, tol: float):
    """Where lines must be cut: (line, s) for crossings, T-junctions and rings.

    Pairs of straight pieces (of different lines on the same level) whose
    midpoints are close enough to touch are tested at once: where they
    intersect, each line is cut unless the point is one of its own ends.
    Each piece is lengthened by ``tol`` for the test, so a line ending up to
    ``tol`` short of another still meets it (a T-junction with a gap).
    """
    pa, pb, pline, ps0, ps1 = _pieces(lines, _NODING_PIECE_M)
    half = float(np.hypot(*(pb - pa).T).max(initial=0.0)) / 2
    out_line, out_s = [], []
    pairs = cKDTree((pa + pb) / 2).query_pairs(2 * half + 2 * tol, output_type="ndarray")
    if len(pairs):
        i, j = pairs[:, 0], pairs[:, 1]
        ok = (pline[i] != pline[j]) & (level[pline[i]] == level[pline[j]])
        i, j = i[ok], j[ok]
        ax, ay = pa[i, 0], pa[i, 1]
        rx, ry = pb[i, 0] - ax, pb[i, 1] - ay
        qx, qy = pb[j, 0] - pa[j, 0], pb[j, 1] - pa[j, 1]
        wx, wy = pa[j, 0] - ax, pa[j, 1] - ay
        den = rx * qy - ry * qx
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (wx * qy - wy * qx) / den
            w = (wx * ry - wy * rx) / den
            ei = tol / np.hypot(rx, ry)
            ej = tol / np.hypot(qx, qy)
        hit = (den != 0) & (t >= -ei) & (t <= 1 + ei) & (w >= -ej) & (w <= 1 + ej)
        i, j = i[hit], j[hit]
        t, w = np.clip(t[hit], 0.0, 1.0), np.clip(w[hit], 0.0, 1.0)
        for p, f in ((i, t), (j, w)):
            out_line.append(pline[p])
            out_s.append(ps0[p] + (ps1[p] - ps0[p]) * f)
    # closed rings: cut in the middle
    ring = np.hypot(*(lines.xy[lines.start] - lines.xy[lines.end]).T) <= tol
    ring &= lines.length > 2 * tol
    out_line.append(np.flatnonzero(ring))
    out_s.append(lines.length[ring] / 2)
    sl, ss = np.concatenate(out_line), np.concatenate(out_s)
    inner = (ss > tol) & (ss < lines.length[sl] - tol)
    sl, ss = sl[inner], ss[inner]
    order = np.lexsort((ss, sl))
    sl, ss = sl[order], ss[order]
    keep = np.r_[True, (sl[1:] != sl[:-1]) | (np.diff(ss) > tol)][: len(sl)]
    return sl[keep], ss[keep]


def _cut(lines: _Lines, sl: np.ndarray, ss: np.ndarray):
    """Cut lines at (line, s): vertex arrays of the pieces and each piece's line."""
    if len(sl) == 0:
        piece = lines.line
        return lines.xy, piece, lines.s, np.arange(len(lines.start))
    own = lines.line
    # the cut's segment: last vertex with s <= ss in its line (vectorised bisection)
    lo = lines.start[sl].copy()
    hi = lines.end[sl].copy()
    while True:
        active = hi - lo > 1
        if not active.any():
            break
        m = (lo + hi) // 2
        go = active & (lines.s[m] <= ss)
        lo = np.where(go, m, lo)
        hi = np.where(active & ~go, m, hi)
    a, b = lines.xy[lo], lines.xy[hi]
    span = lines.s[hi] - lines.s[lo]
    f = np.where(span > 0, (ss - lines.s[lo]) / np.where(span > 0, span, 1), 0.0)
    cut_xy = a + (b - a) * f[:, None]
    # rows: vertices (kind 0) and cut points twice (kind 1 ends a piece, 2 starts one)
    line = np.r_[own, sl, sl]
    s = np.r_[lines.s, ss, ss]
    xy = np.r_[lines.xy, cut_xy, cut_xy]
    n_cut = len(sl)
    kind = np.r_[np.zeros(len(own), np.int8), np.ones(n_cut, np.int8), np.full(n_cut, 2, np.int8)]
    order = np.lexsort((kind, s, line))
    line, s, xy, kind = line[order], s[order], xy[order], kind[order]
    # a vertex where a cut falls gives way to the cut point (no zero-length segments)
    same = (line[1:] == line[:-1]) & (np.abs(s[1:] - s[:-1]) <= 1e-9)
    before_cut = np.r_[same & (kind[1:] == 1), False]
    after_cut = np.r_[False, same & (kind[:-1] == 2)]
    drop = (kind == 0) & (before_cut | after_cut)
    line, s, xy, kind = line[~drop], s[~drop], xy[~drop], kind[~drop]
    first = np.r_[True, line[1:] != line[:-1]]
    starts = first | (kind == 2)
    piece = np.cumsum(starts) - 1
    piece_line = line[starts]
    s = s - s[starts][piece]
    return xy, piece, s, piece_line


# --------------------------------------------------------------------------- network


@dataclass
class SnappedPoints:
    """Points snapped onto a network's edges; one row per snap.

    A point equally near several edges (for example one lying on a node) has a
    snap on each; ``point`` says which input point a row belongs to.

    Attributes
    ----------
    n : int
        Number of input points.
    point, edge : ndarray of int
        Input point and edge of each snap.
    along_m : ndarray of float
        Position of the snapped point along the edge from its node ``u``.
    access_m : ndarray of float
        Straight access leg from the point to the edge.
    status : ndarray of str
        Per input point: ``""`` (snapped), ``"no_location"`` or ``"off_network"``.
    xy : ndarray
        Per input point its EPSG:25832 coordinates (NaN without location).
    """

    n: int
    point: np.ndarray
    edge: np.ndarray
    along_m: np.ndarray
    access_m: np.ndarray
    status: np.ndarray
    xy: np.ndarray
    snap_limit_m: float


@dataclass(eq=False)
class WalkingNetwork:
    """A walking graph built once from a network layer and reused by every analysis.

    Build it with :func:`build_network`. Nodes are numbered in coordinate order
    and edges in node order, so the graph does not depend on the row order of
    the layer.

    Attributes
    ----------
    node_xy : ndarray, shape (n_nodes, 2)
        Node coordinates in EPSG:25832.
    u, v : ndarray of int
        End nodes of each edge (the geometry runs from ``u`` to ``v``).
    length_m : ndarray of float
        Edge lengths along their geometry.
    graph : scipy.sparse.csr_matrix
        Symmetric node-by-node matrix of the shortest edge between two nodes.
    info : dict
        Counts that reconcile the layer with the graph.
    """

    node_xy: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    edge_source: np.ndarray  # row of the layer each edge comes from
    edge_ids: np.ndarray  # edge_id of that row
    level: np.ndarray
    kind: np.ndarray
    vertex_xy: np.ndarray  # vertices of all edges, edge by edge
    vertex_edge: np.ndarray
    vertex_s: np.ndarray
    graph: csr_matrix
    info: dict = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        """Number of edges (after noding and merging)."""
        return len(self.u)

    @cached_property
    def edges(self) -> gpd.GeoDataFrame:
        """The edges as a GeoDataFrame in EPSG:25832 (for maps and checks)."""
        geoms = shapely.linestrings(self.vertex_xy, indices=self.vertex_edge)
        return gpd.GeoDataFrame(
            {
                "edge_id": self.edge_ids,
                "u": self.u,
                "v": self.v,
                "length_m": self.length_m,
                "level": self.level,
                "kind": self.kind,
            },
            geometry=geoms,
            crs=WORK_CRS,
        )

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the graph's geometry: equal for networks built from the same lines."""
        h = hashlib.sha256()
        for a in (self.node_xy, self.u, self.v, self.length_m, self.vertex_xy, self.vertex_edge):
            h.update(np.ascontiguousarray(a).tobytes())
        return h.hexdigest()

    @cached_property
    def _index(self) -> _SnapIndex:
        start = np.flatnonzero(np.r_[True, self.vertex_edge[1:] != self.vertex_edge[:-1]])
        lines = _Lines(self.vertex_xy, self.vertex_edge, self.vertex_s, start, self.length_m)
        return _SnapIndex.build(lines)

    def snap(self, points, *, snap_limit_m: float = SNAP_LIMIT_M, layer: str = "points"):
        """Snap points to the nearest point on the nearest edge.

        Parameters
        ----------
        points : GeoSeries, GeoDataFrame, array of shapely points or (n, 2) array
            Points; geo-objects need a CRS and are reprojected to EPSG:25832,
            plain arrays are taken to be in EPSG:25832.
        snap_limit_m : float, default :data:`SNAP_LIMIT_M`
            Points farther from every edge are ``"off_network"``.
        layer : str
            Name used in error messages.

        Returns
        -------
        SnappedPoints
        """
        xy = points_xy(points, layer=layer)
        return _snap_xy(self, xy, float(snap_limit_m))


@dataclass
class _SnapIndex:
    """Short straight pieces of the edges in a k-d tree over their midpoints."""

    tree: cKDTree
    ax: np.ndarray
    ay: np.ndarray
    dx: np.ndarray
    dy: np.ndarray
    inv_dd: np.ndarray
    edge: np.ndarray
    s0: np.ndarray
    ds: np.ndarray
    half: float

    @classmethod
    def build(cls, lines: _Lines) -> _SnapIndex:
        pa, pb, edge, s0, s1 = _pieces(lines, INDEX_PIECE_M)
        d = pb - pa
        dd = (d * d).sum(axis=1)
        half = float(np.sqrt(dd.max(initial=0.0))) / 2
        inv = np.where(dd > 0, 1.0 / np.where(dd > 0, dd, 1.0), 0.0)
        return cls(
            cKDTree((pa + pb) / 2),
            pa[:, 0].copy(),
            pa[:, 1].copy(),
            d[:, 0].copy(),
            d[:, 1].copy(),
            inv,
            edge,
            s0,
            s1 - s0,
            half,
        )

    def candidates(self, xy: np.ndarray, k: int):
        """Exact distance to the ``k`` pieces with the nearest midpoints, and a proof flag.

        The nearest piece is among them (``proven``) when the best distance is
        below the ``k``-th midpoint distance minus the longest half piece.
        """
        k = min(k, self.tree.n)
        dmid, pid = self.tree.query(xy, k=k, workers=WORKERS)
        dmid, pid = dmid.reshape(len(xy), k), pid.reshape(len(xy), k)
        ex = xy[:, :1] - self.ax[pid]
        ey = xy[:, 1:] - self.ay[pid]
        dx, dy = self.dx[pid], self.dy[pid]
        f = (ex * dx + ey * dy) * self.inv_dd[pid]
        np.clip(f, 0.0, 1.0, out=f)
        ex -= dx * f
        ey -= dy * f
        dist = np.hypot(ex, ey)
        best = dist.min(axis=1)
        proven = (k == self.tree.n) | (best < dmid[:, -1] - self.half - _TIE_M)
        beyond = dmid[:, -1] - self.half
        along = self.s0[pid] + self.ds[pid] * f
        return dist, self.edge[pid], along, best, proven, beyond


def _snap_xy(net: WalkingNetwork, xy: np.ndarray, limit: float) -> SnappedPoints:
    n = len(xy)
    located = np.isfinite(xy).all(axis=1)
    status = np.where(located, "", "no_location").astype(object)
    todo = np.flatnonzero(located)
    out_p, out_e, out_a, out_d = [], [], [], []
    if net.n_edges == 0:
        status[todo] = "off_network"
        todo = todo[:0]
    index = net._index
    k = _K_FIRST
    while len(todo):
        left = []
        for lo in range(0, len(todo), _SNAP_BATCH):
            batch = todo[lo : lo + _SNAP_BATCH]
            cand_d, cand_e, cand_a, best, proven, beyond = index.candidates(xy[batch], k)
            # settled: the nearest piece is known, or every unseen piece is beyond the limit
            done = proven | (beyond > limit)
            take = done & (best <= limit)
            hit = take[:, None] & (cand_d <= best[:, None] + _TIE_M)
            r, c = np.nonzero(hit)
            out_p.append(batch[r])
            out_e.append(cand_e[r, c])
            out_a.append(cand_a[r, c])
            out_d.append(cand_d[r, c])
            status[batch[done & ~take]] = "off_network"
            left.append(batch[~done])
        todo = np.concatenate(left)
        k *= 4
    p = np.concatenate(out_p) if out_p else np.zeros(0, np.int64)
    e = np.concatenate(out_e) if out_e else np.zeros(0, np.int64)
    a = np.concatenate(out_a) if out_a else np.zeros(0)
    d = np.concatenate(out_d) if out_d else np.zeros(0)
    multi = np.bincount(p, minlength=n) > 1
    if multi.any():  # one snap per (point, edge, position)
        order = np.lexsort((a, e, p))
        p, e, a, d = p[order], e[order], a[order], d[order]
        keep = np.r_[True, (p[1:] != p[:-1]) | (e[1:] != e[:-1]) | (np.diff(a) > _TIE_M)]
        keep = keep[: len(p)]
        p, e, a, d = p[keep], e[keep], a[keep], d[keep]
    return SnappedPoints(n, p, e, a, d, status, xy, limit)


def _merge_nodes(end_xy: np.ndarray, tol: float):
    """Label of each end point's node and the node coordinates, in coordinate order."""
    order = np.lexsort((end_xy[:, 1], end_xy[:, 0]))
    sxy = end_xy[order]
    new = np.r_[True, (sxy[1:] != sxy[:-1]).any(axis=1)]
    uniq = sxy[new]
    label_sorted = np.cumsum(new) - 1
    pairs = cKDTree(uniq).query_pairs(tol, output_type="ndarray")
    if len(pairs):
        m = len(uniq)
        adj = csr_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
        _, comp = connected_components(adj, directed=False)
        # components numbered by their first (lowest) member, in coordinate order
        first = np.full(comp.max() + 1, m)
        np.minimum.at(first, comp, np.arange(m))
        rank = np.argsort(np.argsort(first))
        comp = rank[comp]
        node_xy = uniq[np.sort(first)]
    else:
        comp = np.arange(len(uniq))
        node_xy = uniq
    label = np.empty(len(end_xy), dtype=np.int64)
    label[order] = comp[label_sorted]
    return label, node_xy


def build_network(
    layer: gpd.GeoDataFrame,
    *,
    split_crossings: bool = True,
    node_tolerance_m: float = NODE_TOLERANCE_M,
) -> WalkingNetwork:
    """Build the walking graph of a network layer.

    Parameters
    ----------
    layer : GeoDataFrame
        (Multi)LineStrings with optional columns ``edge_id``, ``walkable``
        (false = excluded), ``level`` (whole numbers; lines on different
        levels cross without meeting) and ``kind``. Any CRS; reprojected to
        EPSG:25832.
    split_crossings : bool, default True
        Split lines where they cross or touch on the same level (see the
        module notes). ``False`` trusts the layer to be noded: lines meet only
        at their end points.
    node_tolerance_m : float, default :data:`NODE_TOLERANCE_M`
        Line ends closer than this are one node.

    Returns
    -------
    WalkingNetwork

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> layer = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (100, 0)]),
    ...     LineString([(50, -50), (50, 50)])], crs="EPSG:25832")
    >>> net = build_network(layer)
    >>> net.n_nodes, net.n_edges, float(net.length_m.sum())
    (5, 4, 200.0)
    """
    tol = float(node_tolerance_m)
    parts, rows, ids, level_all, kind_all, excluded = _layer_lines(layer)
    lines = _Lines.from_geoms(parts)
    line_level = level_all[rows]
    if split_crossings and len(parts):
        sl, ss = _split_positions(lines, line_level, tol)
    else:
        sl = ss = np.zeros(0)
    xy, piece, s, piece_line = _cut(lines, sl.astype(np.int64), ss)
    first = np.flatnonzero(np.r_[True, piece[1:] != piece[:-1]])
    last = np.r_[first[1:], len(piece)] - 1
    length = s[last]
    label, node_xy = _merge_nodes(np.r_[xy[first], xy[last]], tol)
    n_pieces = len(first)
    u, v = label[:n_pieces], label[n_pieces:]
    keep = (u != v) & (length > 0)
    # canonical edge order: by end nodes, then length, then source row
    src = rows[piece_line]
    order = np.lexsort((src, length, np.maximum(u, v), np.minimum(u, v)))
    order = order[keep[order]]
    counts = (last - first + 1)[order]
    vstart = first[order]
    rep = np.repeat(np.arange(len(order)), counts)
    within_edge = np.arange(len(rep)) - np.repeat(np.cumsum(counts) - counts, counts)
    vidx = np.repeat(vstart, counts) + within_edge
    uu, vv, ll = u[order], v[order], length[order]
    graph = _graph(uu, vv, ll, len(node_xy))
    info = {
        "lines_in_layer": len(layer),
        "lines_not_walkable": excluded,
        "cuts": int(len(sl)),
        "edges": int(len(order)),
        "edges_collapsed": int((~keep).sum()),
        "nodes": int(len(node_xy)),
        "node_tolerance_m": tol,
        "split_crossings": bool(split_crossings),
    }
    return WalkingNetwork(
        node_xy=node_xy,
        u=uu,
        v=vv,
        length_m=ll,
        edge_source=src[order],
        edge_ids=ids[src[order]],
        level=level_all[src[order]],
        kind=kind_all[src[order]],
        vertex_xy=xy[vidx],
        vertex_edge=rep,
        vertex_s=s[vidx],
        graph=graph,
        info=info,
    )


def _graph(u: np.ndarray, v: np.ndarray, length: np.ndarray, n: int) -> csr_matrix:
    """Symmetric CSR matrix holding the shortest edge between each pair of nodes."""
    r, c, w = np.r_[u, v], np.r_[v, u], np.r_[length, length]
    return min_csr(r, c, w, (n, n))


def min_csr(r: np.ndarray, c: np.ndarray, w: np.ndarray, shape) -> csr_matrix:
    """Return a CSR matrix keeping the smallest of duplicate entries (never their sum)."""
    key = r.astype(np.int64) * shape[1] + c
    order = np.argsort(key, kind="stable")
    key, w = key[order], w[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, int)
    w = np.maximum(np.minimum.reduceat(w, first), 1e-9) if len(first) else w
    r, c = key[first] // shape[1], key[first] % shape[1]
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(np.bincount(r, minlength=shape[0]))
    return csr_matrix((w, c, indptr), shape=shape)


def as_network(network) -> WalkingNetwork:
    """Return ``network`` if built, else build it from a layer."""
    if isinstance(network, WalkingNetwork):
        return network
    return build_network(network)
