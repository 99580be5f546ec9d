"""The nearest stop in a straight line, with a deterministic tie rule.

Stops whose distances differ by at most :data:`TIE_TOLERANCE_M` are equally
near; the one with the lowest ``stop_id`` wins, so results do not depend on
the row order of the stops. Several stops at one spot count as one (the
lowest id). One :class:`scipy.spatial.cKDTree` per mode group is queried for
all firms at once, in a cache-friendly order (:func:`locality_order`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

__all__ = [
    "TIE_TOLERANCE_M",
    "WORKERS",
    "StopTree",
    "build_tree",
    "locality_order",
    "nearest",
    "nearer",
]

#: Distances closer than this (m) count as equal; the lowest ``stop_id`` wins.
TIE_TOLERANCE_M = 1e-6
#: Threads for the nearest-stop queries (``-1``: all cores; results do not depend on it).
WORKERS = -1


@dataclass(frozen=True)
class StopTree:
    """Stops deduplicated by location, in a k-d tree.

    Attributes
    ----------
    tree : scipy.spatial.cKDTree or None
        ``None`` when there is no stop.
    stop_index : numpy.ndarray
        Tree point -> position of the stop in the arrays given to :func:`build_tree`
        (the lowest id at that spot).
    rank : numpy.ndarray
        Tree point -> rank of its stop id.
    size : int
        Stops given (before deduplication).
    """

    tree: cKDTree | None
    stop_index: np.ndarray
    rank: np.ndarray
    size: int


def build_tree(xy: np.ndarray, rank: np.ndarray) -> StopTree:
    """Index stops at ``xy`` whose ids rank ``rank`` (lower wins ties)."""
    if len(xy) == 0:
        e = np.empty(0, dtype=np.intp)
        return StopTree(tree=None, stop_index=e, rank=e, size=0)
    rows = np.argsort(rank, kind="stable")
    # Several stops at one spot (a bus and a rail stop sharing a point): keep the lowest id,
    # the first of each spot in a stable sort by coordinates of the rows in id order.
    pts = xy[rows]
    by_xy = np.lexsort((pts[:, 1], pts[:, 0]))
    s = pts[by_xy]
    first_at_spot = np.r_[True, (s[1:] != s[:-1]).any(axis=1)]
    kept = rows[by_xy[first_at_spot]]
    kept = kept[np.argsort(rank[kept])]
    return StopTree(tree=cKDTree(xy[kept]), stop_index=kept, rank=rank[kept], size=len(xy))


def locality_order(points: np.ndarray) -> np.ndarray | None:
    """Order points cell by cell on a 256 x 256 grid (serpentine rows).

    Neighbouring firms are then queried one after the other, which keeps the
    tree's nodes in cache and makes the queries markedly faster for large
    inputs. The order does not change any result. ``None``: keep the order
    (small inputs).
    """
    if len(points) < 20_000:
        return None
    lo = points.min(axis=0)
    span = points.max(axis=0) - lo
    span[span <= 0] = 1.0
    cell = np.minimum((points - lo) * (256.0 / span), 255.0).astype(np.uint16)
    gx, gy = cell[:, 0], cell[:, 1]
    gx = np.where(gy & 1, 255 - gx, gx)
    return np.argsort((gy << 8) | gx, kind="stable")


def nearest(group: StopTree, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(stop, distance_m)`` per point: the stop's position, ``-1``/``NaN`` if none."""
    n = len(points)
    if group.tree is None or n == 0:
        return np.full(n, -1, dtype=np.intp), np.full(n, np.nan)
    k = 2 if group.tree.n >= 2 else 1
    dist, idx = group.tree.query(points, k=k, workers=WORKERS)
    if k == 1:
        return group.stop_index[idx], dist
    d0 = dist[:, 0]
    best = idx[:, 0]
    tie = np.flatnonzero(dist[:, 1] - d0 <= TIE_TOLERANCE_M)
    if len(tie):
        # Equidistant stops (rare outside drawn test grids): the lowest stop id wins.
        found = group.tree.query_ball_point(
            points[tie], r=d0[tie] + TIE_TOLERANCE_M, workers=WORKERS
        )
        lengths = np.fromiter(map(len, found), dtype=np.intp, count=len(tie))
        flat = np.concatenate(found).astype(np.intp)
        owner = np.repeat(np.arange(len(tie)), lengths)
        order = np.lexsort((group.rank[flat], owner))
        first = np.r_[0, np.cumsum(lengths)[:-1]]
        best = best.copy()
        best[tie] = flat[order][first]
        d0 = d0.copy()
        d0[tie] = np.hypot(*(points[tie] - group.tree.data[best[tie]]).T)
    return group.stop_index[best], d0


def nearer(
    a: tuple[np.ndarray, np.ndarray],
    b: tuple[np.ndarray, np.ndarray],
    rank: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per firm, the nearer of two ``(stop_row, distance_m)`` answers; ties: lowest id.

    ``rank`` ranks the stop ids of the rows both answers refer to; a missing
    answer (``-1``/``NaN``) loses to any other.
    """
    a_row, a_d = a
    b_row, b_d = b
    use_a = (a_d < b_d) | np.isnan(b_d)  # NaN compares False
    with np.errstate(invalid="ignore"):
        tie = np.flatnonzero(np.abs(a_d - b_d) <= TIE_TOLERANCE_M)
    use_a[tie] = rank[a_row[tie]] < rank[b_row[tie]]
    return np.where(use_a, a_row, b_row), np.where(use_a, a_d, b_d)
