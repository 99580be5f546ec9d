"""Geometry and frame checks shared by the analyses.

Everything here works on numpy arrays of shapely geometries or coordinates; no
function changes the frame it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from areas.errors import (
    DuplicateIdError,
    GeometryError,
    GeometryTypeError,
    LayerError,
    MissingColumnError,
    MissingCrsError,
    SchemaError,
    format_ids,
)
from areas.schema import SQM_PER_HA, WORK_CRS

__all__ = [
    "MIN_AREA_M2",
    "work_geometry",
    "check_columns",
    "check_ids",
    "point_coordinates",
    "polygon_array",
    "polygon_layer",
    "PointIndex",
    "clip_pairs",
    "union_by_group",
    "area_ha",
    "safe_share",
    "numeric_column",
    "text_column",
    "first_by_rank",
    "as_counts",
    "nullable_int",
]

#: Intersections smaller than this (m²) are slivers from touching edges or from
#: reprojection round trips, not real overlaps (coordinates are kept to 0.01 m).
MIN_AREA_M2 = 0.01

_POLYGON_TYPES = (3, 6)  # shapely type ids of Polygon and MultiPolygon
_POINT_TYPE = 0


def work_geometry(frame: gpd.GeoDataFrame, *, layer: str) -> np.ndarray:
    """Return the frame's geometries in EPSG:25832 as a numpy array.

    The frame is not copied when it is already in EPSG:25832; otherwise its
    geometry column is reprojected (the frame itself is left untouched).

    Raises
    ------
    LayerError
        If ``frame`` is not a GeoDataFrame.
    MissingCrsError
        If the frame has no CRS (a :class:`~areas.errors.CrsError`).
    """
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = f"`{layer}` must be a geopandas.GeoDataFrame, got {type(frame).__name__}"
        raise LayerError(msg, layer=layer)
    if frame.crs is None:
        msg = (
            f"`{layer}` has no CRS; set it with `frame.set_crs(...)` (for example "
            f"{WORK_CRS}) so that hectares and metres can be computed"
        )
        raise MissingCrsError(msg, layer=layer)
    geoms = frame.geometry
    if frame.crs != WORK_CRS:
        geoms = geoms.to_crs(WORK_CRS)
    return np.asarray(geoms.array, dtype=object)


def check_columns(frame: pd.DataFrame, columns: Iterable[str], *, layer: str) -> None:
    """Raise :class:`MissingColumnError` naming every absent column."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = (
            f"`{layer}` lacks the column(s) {', '.join(missing)}; "
            f"present: {', '.join(map(str, frame.columns))}"
        )
        raise MissingColumnError(msg, layer=layer)


def check_ids(frame: pd.DataFrame, id_column: str, *, layer: str) -> np.ndarray:
    """Return the ids as an array of ``str`` after checking they are present and unique."""
    check_columns(frame, [id_column], layer=layer)
    ids = frame[id_column]
    if ids.isna().any():
        rows = [str(i) for i in frame.index[ids.isna().to_numpy()]]
        msg = (
            f"`{layer}` has rows without `{id_column}` (index {format_ids(rows)}); "
            "every feature needs an id"
        )
        raise SchemaError(msg, layer=layer)
    values = ids.astype(str).to_numpy(dtype=object)
    dup = pd.Index(values).duplicated(keep=False)
    if dup.any():
        dups = sorted(set(values[dup]))
        msg = (
            f"`{layer}` has duplicate `{id_column}` values: {format_ids(dups)}; ids must be unique"
        )
        raise DuplicateIdError(msg, layer=layer, ids=dups)
    return values


def point_coordinates(
    geoms: np.ndarray, ids: Sequence[str] | np.ndarray, *, layer: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(xy, usable)``: an ``(n, 2)`` float array and a mask of rows with a point.

    Null and empty geometries give ``NaN`` coordinates and ``usable == False``.

    Raises
    ------
    GeometryTypeError
        If a geometry is not a point.
    """
    type_ids = shapely.get_type_id(geoms)
    wrong = (type_ids != _POINT_TYPE) & (type_ids >= 0)
    if wrong.any():
        bad = np.asarray(ids, dtype=object)[wrong]
        msg = f"`{layer}` must hold points; these features are not: {format_ids(bad)}"
        raise GeometryTypeError(msg, layer=layer, ids=list(bad))
    coords = shapely.get_coordinates(geoms)  # skips null and empty points
    if len(coords) == len(geoms):
        finite = np.isfinite(coords).all(axis=1)
        if finite.all():
            return coords, finite
        return np.where(finite[:, None], coords, np.nan), finite
    usable = (type_ids == _POINT_TYPE) & ~shapely.is_empty(geoms)
    xy = np.full((len(geoms), 2), np.nan)
    xy[usable] = coords
    finite = np.isfinite(xy).all(axis=1)
    xy[~finite] = np.nan
    return xy, usable & finite


def polygon_array(
    geoms: np.ndarray, ids: Sequence[str] | np.ndarray, *, layer: str
) -> tuple[np.ndarray, np.ndarray]:
    """Check polygon geometries; return ``(geoms, usable)``.

    Null and empty geometries are not usable (they contribute nothing). Invalid
    or non-polygonal geometries are an error: the loader repairs them, and a
    hand-made frame should be repaired with :func:`shapely.make_valid`.
    """
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    type_ids = shapely.get_type_id(geoms)
    wrong = usable & ~np.isin(type_ids, _POLYGON_TYPES)
    if wrong.any():
        bad = np.asarray(ids, dtype=object)[wrong]
        msg = (
            f"`{layer}` must hold polygons or multipolygons; "
            f"these features are not: {format_ids(bad)}"
        )
        raise GeometryTypeError(msg, layer=layer, ids=list(bad))
    invalid = usable & ~shapely.is_valid(geoms)
    if invalid.any():
        bad = np.asarray(ids, dtype=object)[invalid]
        msg = (
            f"`{layer}` has invalid polygons: {format_ids(bad)}; repair them with "
            "`shapely.make_valid` or load the layer with `areas.load`, "
            "which repairs and reports them"
        )
        raise GeometryError(msg, layer=layer, ids=list(bad))
    return geoms, usable


def polygon_layer(
    frame: gpd.GeoDataFrame, id_column: str, required: Iterable[str] = (), *, layer: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check a polygon layer; return ``(ids, geoms, usable)``.

    The ``id_column`` and ``required`` columns must be present and the ids
    unique (:func:`check_ids`); the geometries, in EPSG:25832
    (:func:`work_geometry`), must be polygons (:func:`polygon_array`).
    """
    check_columns(frame, [id_column, *required], layer=layer)
    ids = check_ids(frame, id_column, layer=layer)
    geoms, usable = polygon_array(work_geometry(frame, layer=layer), ids, layer=layer)
    return ids, geoms, usable


class PointIndex:
    """Located points sorted by x, for point-in-polygon tests against many polygons.

    Built once per set of points (for example the firms) and queried with each
    polygon layer; see :meth:`covering`.
    """

    def __init__(self, xy: np.ndarray, usable: np.ndarray):
        located = np.flatnonzero(usable)
        self._order = located[np.argsort(xy[located, 0], kind="stable")]
        self._xs = xy[self._order, 0]
        self._xy = xy

    def covering(self, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(polygon_index, point_index)`` for every polygon that covers a point.

        "Covers" includes the boundary (for a point, *intersects* and *covers*
        are the same test). Each polygon takes the points in its x-range by
        binary search, those in its y-range by a mask, and tests the rest
        with :func:`shapely.intersects_xy` on a prepared private copy of the
        polygon (the caller's geometries are left as they are).
        """
        polys = shapely.from_wkb(shapely.to_wkb(np.asarray(polygons, dtype=object)))
        ok = ~(shapely.is_missing(polys) | shapely.is_empty(polys))
        out_poly: list[np.ndarray] = []
        out_pt: list[np.ndarray] = []
        if ok.any() and len(self._order):
            b = shapely.bounds(polys)
            lo = np.searchsorted(self._xs, b[:, 0], side="left")
            hi = np.searchsorted(self._xs, b[:, 2], side="right")
            for j in np.flatnonzero(ok):  # one vectorised test per polygon
                cand = self._order[lo[j] : hi[j]]
                y = self._xy[cand, 1]
                inside_box = (y >= b[j, 1]) & (y <= b[j, 3])
                cand = cand[inside_box]
                if len(cand) == 0:
                    continue
                hit = shapely.intersects_xy(polys[j], self._xy[cand, 0], y[inside_box])
                out_pt.append(cand[hit])
                out_poly.append(np.full(int(hit.sum()), j, dtype=np.intp))
        if not out_pt:
            empty = np.empty(0, dtype=np.intp)
            return empty, empty
        return np.concatenate(out_poly), np.concatenate(out_pt).astype(np.intp)


def clip_pairs(
    pieces: np.ndarray, districts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clip every piece to every district it overlaps.

    Returns ``(district_index, piece_index, clipped_geometry)`` for the pairs
    whose intersection has an area of at least :data:`MIN_AREA_M2`.
    """
    ok_p = np.flatnonzero(~(shapely.is_missing(pieces) | shapely.is_empty(pieces)))
    ok_d = np.flatnonzero(~(shapely.is_missing(districts) | shapely.is_empty(districts)))
    if len(ok_p) == 0 or len(ok_d) == 0:
        e = np.empty(0, dtype=np.intp)
        return e, e, np.empty(0, dtype=object)
    tree = shapely.STRtree(pieces[ok_p])
    q_d, q_p = tree.query(districts[ok_d], predicate="intersects")
    d_idx, p_idx = ok_d[q_d], ok_p[q_p]
    clipped = shapely.intersection(pieces[p_idx], districts[d_idx])
    keep = shapely.area(clipped) >= MIN_AREA_M2
    return d_idx[keep], p_idx[keep], clipped[keep]


def union_by_group(geoms: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Return, for each group 0..n_groups-1, the union of its geometries (empty if none)."""
    out = np.full(n_groups, shapely.from_wkt("POLYGON EMPTY"), dtype=object)
    if len(geoms) == 0:
        return out
    order = np.argsort(groups, kind="stable")
    g_sorted = groups[order]
    bounds = np.flatnonzero(np.r_[True, g_sorted[1:] != g_sorted[:-1], True])
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        members = geoms[order[start:end]]
        out[g_sorted[start]] = members[0] if len(members) == 1 else shapely.union_all(members)
    return out


def area_ha(geoms: np.ndarray) -> np.ndarray:
    """Area in hectares (0 for null or empty geometries)."""
    a = shapely.area(geoms)
    return np.where(np.isnan(a), 0.0, a) / SQM_PER_HA


def safe_share(numerator, denominator) -> np.ndarray:
    """``numerator / denominator`` as floats, NaN where the denominator is 0 or missing."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    ok = np.isfinite(den) & (den != 0)
    np.divide(num, den, out=out, where=ok)
    return out


def area_share(part, whole) -> np.ndarray:
    """Return the share of ``whole`` that an area ``part`` of it covers, in [0, 1] exactly.

    NaN where :func:`safe_share` gives NaN. ``part`` is an intersection with
    ``whole``, so only floating-point error in the overlay can put the
    quotient outside [0, 1] (``1.0000000000003848`` for a district a BID
    covers completely); it is clipped away.
    """
    return np.clip(safe_share(part, whole), 0.0, 1.0)


def numeric_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return a column as float (NaN for missing), or all NaN when the column is absent."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def text_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return a column as an object array of ``str`` or ``None``."""
    if column not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    s = frame[column]
    out = s.astype(object).to_numpy(dtype=object, copy=True)
    missing = s.isna().to_numpy()
    out[missing] = None
    out[~missing] = [str(v) for v in out[~missing]]
    return out


def first_by_rank(
    owner: np.ndarray, candidate: np.ndarray, rank: np.ndarray, n_owners: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each owner, the candidate with the lowest rank and the number of candidates.

    ``owner`` and ``candidate`` are the two columns of a pair list (for example
    point index and polygon index). Returns ``(best, count)`` where ``best`` is
    ``-1`` for owners without a candidate.
    """
    best = np.full(n_owners, -1, dtype=np.intp)
    count = np.zeros(n_owners, dtype=np.intp)
    if len(owner) == 0:
        return best, count
    count = np.bincount(owner, minlength=n_owners).astype(np.intp)
    if count.max() <= 1:  # the common case: one candidate each, nothing to choose
        best[owner] = candidate
        return best, count
    order = np.lexsort((rank[candidate], owner))
    o_sorted = owner[order]
    first = np.r_[True, o_sorted[1:] != o_sorted[:-1]]
    best[o_sorted[first]] = candidate[order][first]
    return best, count


def as_counts(values: np.ndarray) -> np.ndarray:
    """Return sums of counts as ``int64`` when they are whole numbers, else as floats."""
    values = np.asarray(values, dtype=float)
    if np.all(np.isfinite(values)) and np.all(values == np.round(values)):
        return values.astype(np.int64)
    return values


def nullable_int(values) -> pd.arrays.IntegerArray:
    """Return whole numbers held as floats (``NaN`` for missing) as a nullable ``Int64`` array."""
    values = np.asarray(values, dtype=float)
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)
