"""Geometry checks and repairs of one layer, and the reprojection to EPSG:25832.

The steps, in order: the CRS (:func:`areas.load.crs.resolve_crs`); missing,
empty and undecodable geometries (excluded with the reason); unclosed rings
(closed); geometry collections in a polygon layer (their polygons kept) and
one-point MultiPoints in a point layer (made Points); wrong geometry types (an
error); points at (0, 0) (excluded); coordinates outside Denmark (an error);
invalid polygons (``shapely.make_valid``); identical geometries (a warning).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from areas.atlas import Repair
from areas.errors import CoordinateError, GeometryTypeError, format_ids
from areas.errors import shown as shown_value
from areas.load.crs import reproject_and_check, resolve_crs, same_crs, transform
from areas.load.values import to_float
from areas.problems import Collector
from areas.schema import SQM_PER_HA, WORK_CRS

if TYPE_CHECKING:
    from areas.load.normalise import LayerWork

__all__ = ["Shapes", "check_geometry"]

_POLYGON_TYPES = (3, 6)  # shapely type ids: Polygon, MultiPolygon
_LINE_TYPES = (1, 5)  # LineString, MultiLineString
_TYPE_NAMES = {
    -1: "none", 0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon",
    4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection",
}  # fmt: skip


@dataclass
class Shapes:
    """The geometries of a layer as they go through the checks.

    Attributes
    ----------
    geoms : numpy.ndarray
        The geometries as read (CSV: points already in EPSG:25832), repaired in place.
    reasons : numpy.ndarray
        Why each feature is excluded, or None.
    live : numpy.ndarray
        Features still in the running.
    wrong : numpy.ndarray
        Features of the wrong geometry type (an error).
    out : numpy.ndarray
        The geometries in EPSG:25832 (None where there is none).
    repairs : list of Repair
        What was repaired, feature by feature.
    crs : pyproj.CRS or None
        The CRS the coordinates were read in.
    raw_xy : tuple of numpy.ndarray or None
        CSV: the coordinates as written.
    """

    geoms: np.ndarray
    reasons: np.ndarray
    live: np.ndarray
    wrong: np.ndarray
    out: np.ndarray
    repairs: list[Repair] = field(default_factory=list)
    crs: object = None
    raw_xy: tuple[np.ndarray, np.ndarray] | None = None


def check_geometry(work: LayerWork, default_crs) -> Shapes:
    """Run every geometry check of the layer in ``work``; return the outcome."""
    crs_src = resolve_crs(work.raw, work.config, default_crs, work.col, work.frame)
    shapes = _read_shapes(work, crs_src)
    _close_rings(work, shapes)
    if work.schema.geometry == "polygon":
        _keep_polygonal_parts(work, shapes)
        shapes.wrong |= shapes.live & ~np.isin(shapely.get_type_id(shapes.geoms), _POLYGON_TYPES)
        _report_wrong_types(work, shapes, "(Multi)Polygon")
    elif work.schema.geometry == "line":
        _keep_line_parts(work, shapes)
        shapes.wrong |= shapes.live & ~np.isin(shapely.get_type_id(shapes.geoms), _LINE_TYPES)
        _report_wrong_types(work, shapes, "(Multi)LineString")
        zero = shapes.live & (shapely.length(shapes.geoms) == 0)
        shapes.reasons[zero] = "a line of zero length (all its vertices at one place)"
        shapes.live &= ~zero
    else:
        _single_points(work, shapes)
        shapes.wrong |= shapes.live & (shapely.get_type_id(shapes.geoms) != 0)
        _report_wrong_types(work, shapes, "Point")
        _drop_null_island(shapes)
    if crs_src is not None and shapes.live.any():
        _reproject(work, shapes)
    return shapes


def _read_shapes(work: LayerWork, crs_src) -> Shapes:
    """Return the geometries with the reasons to exclude missing and empty ones."""
    raw, n = work.raw, work.n
    raw_xy = None  # CSV: the coordinates as written, for (0, 0) and the CRS diagnosis
    if raw.fmt == "csv":
        geoms, blank_xy, raw_xy = _csv_points(raw, work.frame, work.col, work.labels, crs_src)
    else:
        assert raw.geometry is not None  # every format but CSV has a geometry column
        geoms = np.asarray(raw.geometry.array, dtype=object)
        blank_xy = None
    reasons = np.full(n, None, dtype=object)  # exclusion reason per row
    missing = shapely.is_missing(geoms)
    if raw.unreadable is not None:
        reasons[raw.unreadable] = "a geometry that cannot be decoded"
        missing = missing & ~raw.unreadable
    reasons[missing] = (
        "no coordinates (blank coordinate fields)" if blank_xy is not None else "no geometry"
    )
    empty = ~shapely.is_missing(geoms) & shapely.is_empty(geoms)
    reasons[empty] = "empty geometry"
    if raw_xy is None:
        non_finite = _non_finite(geoms, ~missing & ~empty)
    else:  # as written: a transform of metres read as degrees is infinite, said later
        with np.errstate(invalid="ignore"):
            written = np.isfinite(raw_xy[0]) & np.isfinite(raw_xy[1])
        non_finite = ~missing & ~empty & ~written
    reasons[non_finite] = "a vertex with a NaN or infinite coordinate"
    live = reasons == None  # noqa: E711 - elementwise on an object array
    return Shapes(
        geoms=geoms,
        reasons=reasons,
        live=live,
        wrong=np.zeros(n, dtype=bool),
        out=np.full(n, None, dtype=object),
        crs=crs_src,
        raw_xy=raw_xy,
    )


def _non_finite(geoms: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Return the mask of the geometries with a NaN or infinite coordinate."""
    out = np.zeros(len(geoms), dtype=bool)
    if not present.any():
        return out
    coords, index = shapely.get_coordinates(geoms[present], return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    if bad.any():
        out[np.flatnonzero(present)[np.unique(index[bad])]] = True
    return out


def _close_rings(work: LayerWork, shapes: Shapes) -> None:
    raw = work.raw
    if raw.ring_closed is not None and raw.ring_closed.any():
        closed = work.labels(raw.ring_closed)
        shapes.repairs += [Repair(i, "closed an unclosed polygon ring") for i in closed]
        work.col.warn(
            f"closed the unclosed polygon ring(s) of {len(closed)} feature(s): "
            f"{format_ids(closed)}",
            ids=closed,
            fix="close every ring in the source (last vertex = first vertex)",
        )


def _keep_polygonal_parts(work: LayerWork, shapes: Shapes) -> None:
    """Keep the polygons of geometry collections; mark those without any as wrong."""
    n = work.n
    gc = shapes.live & (shapely.get_type_id(shapes.geoms) == 7)
    if not gc.any():
        return
    fixed = np.array([_polygonal_part(g) for g in shapes.geoms[gc]], dtype=object)
    shapes.geoms = shapes.geoms.copy()
    shapes.geoms[gc] = fixed
    lost = np.flatnonzero(gc)[shapely.is_missing(fixed)]
    gc_ok = np.flatnonzero(gc)[~shapely.is_missing(fixed)]
    shapes.wrong[lost] = True
    if len(gc_ok):
        ok_labels = work.labels(np.isin(np.arange(n), gc_ok))
        shapes.repairs += [
            Repair(i, "kept the polygons of a geometry collection") for i in ok_labels
        ]
        work.col.warn(
            f"kept only the polygons of the geometry collection(s) of {len(ok_labels)} "
            f"feature(s): {format_ids(ok_labels)}",
            ids=ok_labels,
            fix="store (Multi)Polygons only in this layer",
        )


def _keep_line_parts(work: LayerWork, shapes: Shapes) -> None:
    """Turn rings into lines and keep the lines of geometry collections (a listed repair)."""
    types = shapely.get_type_id(shapes.geoms)
    fix = shapes.live & np.isin(types, (2, 7))
    if not fix.any():
        return
    shapes.geoms = shapes.geoms.copy()
    for i in np.flatnonzero(fix):
        parts = (
            shapely.get_parts(shapely.force_2d(shapes.geoms[i]))
            if types[i] == 7
            else [shapes.geoms[i]]
        )
        lines = [
            shapely.LineString(p.coords)
            for p in parts
            if shapely.get_type_id(p) in (1, 2) and not p.is_empty
        ]
        lines += [q for p in parts if shapely.get_type_id(p) == 5 for q in shapely.get_parts(p)]
        shapes.geoms[i] = (
            None if not lines else lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)
        )
    lost = fix & shapely.is_missing(shapes.geoms)
    shapes.wrong |= lost
    kept = fix & ~lost
    if kept.any():
        labels = work.labels(kept)
        shapes.repairs += [
            Repair(i, "kept the lines of a ring or geometry collection") for i in labels
        ]
        work.col.warn(
            f"kept only the lines of the ring(s) or geometry collection(s) of {len(labels)} "
            f"feature(s): {format_ids(labels)}",
            ids=labels,
            fix="store (Multi)LineStrings only in the network layer",
        )


def _single_points(work: LayerWork, shapes: Shapes) -> None:
    """Turn MultiPoints of one point into Points."""
    geoms = shapes.geoms
    mp = shapes.live & (shapely.get_type_id(geoms) == 4) & (shapely.get_num_geometries(geoms) == 1)
    if not mp.any():
        return
    shapes.geoms = geoms.copy()
    shapes.geoms[mp] = shapely.get_geometry(geoms[mp], 0)
    mp_labels = work.labels(mp)
    shapes.repairs += [Repair(i, "MultiPoint of one point made a Point") for i in mp_labels]
    work.col.warn(
        f"turned the one-point MultiPoint(s) of {len(mp_labels)} feature(s) into Points: "
        f"{format_ids(mp_labels)}",
        ids=mp_labels,
    )


def _report_wrong_types(work: LayerWork, shapes: Shapes, expected: str) -> None:
    wrong = shapes.wrong
    if wrong.any():
        type_ids = shapely.get_type_id(shapes.geoms)
        found = sorted({_TYPE_NAMES.get(int(t), str(t)) for t in type_ids[wrong]})
        shown = [
            f"{i} ({_TYPE_NAMES.get(int(t), t)})"
            for i, t in zip(work.labels(wrong), type_ids[wrong], strict=True)
        ]
        work.col.error(
            GeometryTypeError,
            f"`{work.kind}` must hold {expected} geometries, but {int(wrong.sum())} feature(s) "
            f"hold {', '.join(found)}: {format_ids(shown)}",
            ids=work.labels(wrong),
            fix="remove these features or move them to the layer they belong to",
        )
    shapes.live &= ~wrong


def _drop_null_island(shapes: Shapes) -> None:
    """Exclude points at (0, 0), the mark of a failed geocoding."""
    geoms = shapes.geoms
    with np.errstate(invalid="ignore"):
        if shapes.raw_xy is not None:
            x0, y0 = shapes.raw_xy
        else:
            x0, y0 = shapely.get_x(geoms), shapely.get_y(geoms)
        null_island = shapes.live & (x0 == 0) & (y0 == 0)
    shapes.reasons[null_island] = "a point at (0, 0) (the mark of a failed geocoding)"
    shapes.live &= ~null_island


def _reproject(work: LayerWork, shapes: Shapes) -> None:
    """Reproject to EPSG:25832, check the coordinates, and repair polygons."""
    shapes.out = reproject_and_check(
        shapes.geoms, shapes.live, shapes.crs, work.raw, work.col, work.labels, shapes.raw_xy
    )
    if work.schema.geometry != "polygon":
        return
    live_ok = shapes.live & ~shapely.is_missing(shapes.out)
    shapes.out, repairs_made, collapsed = _repair_polygons(
        shapes.out, live_ok, work.col, work.labels
    )
    shapes.repairs += repairs_made
    shapes.reasons[collapsed] = (
        "a polygon collapsed to zero area (nothing is left after make_valid)"
    )
    shapes.live &= ~collapsed
    _warn_duplicate_geometries(shapes.out, shapes.live, work.col, work.labels)


def _polygonal_part(geom):
    parts = shapely.get_parts(geom)
    polys = [p for p in parts if shapely.get_type_id(p) in _POLYGON_TYPES and not p.is_empty]
    if not polys:
        return None
    merged = shapely.union_all(polys)
    return merged if shapely.get_type_id(merged) in _POLYGON_TYPES else None


def _csv_points(raw, frame, col: Collector, labels, crs_src):
    """Return (points, blank mask, (x, y) as written).

    The points are in EPSG:25832 when the CRS is known (one vectorised transform).
    """
    xname, yname = raw.xy
    x, bad_x = to_float(frame[xname], raw.decimal)
    y, bad_y = to_float(frame[yname], raw.decimal)
    bad = bad_x | bad_y
    if bad.any():
        shown = [
            f"{i} ({shown_value(a)}, {shown_value(b)})"
            for i, a, b in zip(
                labels(bad),
                frame.loc[bad, xname].tolist(),
                frame.loc[bad, yname].tolist(),
                strict=True,
            )
        ]
        col.error(
            CoordinateError,
            f"the coordinates (`{xname}`, `{yname}`) of {int(bad.sum())} feature(s) are not "
            f"numbers: {format_ids(shown)}",
            ids=labels(bad),
            fix=(
                "write coordinates as plain numbers with a decimal point "
                "(or a decimal comma in a `;`-separated file)"
            ),
        )
    xv, yv = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
    blank = np.isnan(xv) | np.isnan(yv)
    px, py = np.where(blank, 0.0, xv), np.where(blank, 0.0, yv)
    if crs_src is not None and not same_crs(crs_src, WORK_CRS):
        px, py = transform(px, py, crs_src)  # one vectorised transform, points built once
    geoms = shapely.points(px, py)
    geoms[blank] = None
    return geoms, blank, (xv, yv)


def _repair_polygons(geoms, live, col: Collector, labels):
    """make_valid the invalid polygons; return (geoms, repairs, collapsed mask)."""
    n = len(geoms)
    collapsed = np.zeros(n, dtype=bool)
    repairs: list[Repair] = []
    if not live.any():
        return geoms, repairs, collapsed
    valid = np.ones(n, dtype=bool)
    valid[live] = shapely.is_valid(geoms[live])
    invalid = live & ~valid
    if not invalid.any():
        return geoms, repairs, collapsed
    geoms = geoms.copy()
    idx = np.flatnonzero(invalid)
    before = shapely.area(geoms[idx])
    fixed = np.array([_polygonal_part(g) for g in shapely.make_valid(geoms[idx])], dtype=object)
    after = np.where(shapely.is_missing(fixed), 0.0, shapely.area(fixed))
    gone = shapely.is_missing(fixed) | (after <= 0)
    collapsed[idx[gone]] = True
    ok = idx[~gone]
    geoms[ok] = fixed[~gone]
    geoms[idx[gone]] = None
    mask = np.zeros(n, dtype=bool)
    mask[ok] = True
    ok_ids = labels(mask)
    details = [
        f"area {a / SQM_PER_HA:.4g} ha → {b / SQM_PER_HA:.4g} ha"
        for a, b in zip(before[~gone], after[~gone], strict=True)
    ]
    repairs += [
        Repair(i, "made valid (shapely.make_valid)", d)
        for i, d in zip(ok_ids, details, strict=True)
    ]
    if ok_ids:
        shown = [f"{i} ({d})" for i, d in zip(ok_ids, details, strict=True)]
        col.warn(
            f"repaired {len(ok_ids)} invalid polygon(s) (self-intersecting, e.g. a bow-tie) with "
            f"shapely.make_valid, keeping the polygonal parts: {format_ids(shown)}",
            ids=ok_ids,
            fix="check the repaired outlines and correct them in the source",
        )
    return geoms, repairs, collapsed


def _warn_duplicate_geometries(geoms, live, col: Collector, labels):
    idx = np.flatnonzero(live & ~shapely.is_missing(geoms))
    if len(idx) < 2:
        return
    keys = pd.Series(shapely.to_wkb(shapely.normalize(geoms[idx])))
    dup = keys.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    mask = np.zeros(len(geoms), dtype=bool)
    mask[idx[dup]] = True
    ids = labels(mask)
    groups: dict[bytes, list[str]] = {}
    for key, i in zip(keys[dup].tolist(), ids, strict=True):
        groups.setdefault(key, []).append(i)
    shown = "; ".join(" = ".join(g) for g in groups.values())
    col.warn(
        f"{len(ids)} features have identical geometries under different ids (kept all): {shown}",
        ids=ids,
        fix="remove copied features, or check that each id has its own outline",
    )
