"""CRS checks: which CRS a layer is in, and whether its coordinates can be right.

Coordinates are tested against a box around Denmark. When they fall outside it
the message names the likely cause: UTM metres labelled EPSG:4326, longitude
and latitude swapped, zone 33 labelled zone 32, web-map metres.

Examples
--------
>>> crs_label("EPSG:25832"), same_crs("EPSG:25832", 25832)
('EPSG:25832', True)
>>> guess_crs([12.4], [55.6])
'EPSG:4326'
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from areas.errors import AreasWarning, CoordinateError, CrsError, MissingCrsError, format_ids
from areas.load.config import LayerConfig
from areas.load.values import to_float
from areas.problems import Collector
from areas.schema import DENMARK_BOUNDS_4326, DENMARK_BOUNDS_25832, WORK_CRS

__all__ = ["crs_label", "same_crs", "transform", "guess_crs", "resolve_crs", "reproject_and_check"]


def crs_label(crs) -> str | None:
    """Return ``crs`` as ``EPSG:n`` where it has a code, else as its PROJ text."""
    if crs is None:
        return None
    crs = pyproj.CRS.from_user_input(crs)
    epsg = crs.to_epsg(min_confidence=70)
    if epsg is not None:
        return f"EPSG:{epsg}"
    return crs.to_string()


def same_crs(a, b) -> bool:
    """Return True when ``a`` and ``b`` are the same CRS (axis order aside)."""
    a, b = pyproj.CRS.from_user_input(a), pyproj.CRS.from_user_input(b)
    if a.equals(b, ignore_axis_order=True):
        return True
    ea, eb = a.to_epsg(min_confidence=70), b.to_epsg(min_confidence=70)
    return ea is not None and ea == eb


def _in_box(x, y, box) -> np.ndarray:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(invalid="ignore"):
        return (
            np.isfinite(x)
            & np.isfinite(y)
            & (x >= box[0])
            & (x <= box[2])
            & (y >= box[1])
            & (y <= box[3])
        )


def transform(x, y, src, dst=WORK_CRS):
    """Return the coordinate arrays ``x``, ``y`` transformed from ``src`` to ``dst``."""
    transformer = pyproj.Transformer.from_crs(src, dst, always_xy=True)
    with np.errstate(all="ignore"):
        return transformer.transform(
            np.asarray(x, dtype=float), np.asarray(y, dtype=float), errcheck=False
        )


_CANDIDATES = ("EPSG:25832", "EPSG:4326", "swapped", "EPSG:25833", "EPSG:3857")


def _fits(cand: str, x, y, src=None) -> np.ndarray:
    """Which points (x, y as written in the file) lie in Denmark when read as ``cand``."""
    if cand == "swapped":
        if src is not None and not pyproj.CRS.from_user_input(src).is_geographic:
            return np.zeros(len(np.atleast_1d(x)), dtype=bool)
        return _in_box(y, x, DENMARK_BOUNDS_4326)
    if cand == "EPSG:4326":
        return _in_box(x, y, DENMARK_BOUNDS_4326)
    if cand == "EPSG:25832":
        return _in_box(x, y, DENMARK_BOUNDS_25832)
    tx, ty = transform(x, y, cand)
    return _in_box(tx, ty, DENMARK_BOUNDS_25832)


def guess_crs(x, y) -> str | None:
    """Return the first candidate CRS in which every point lies in Denmark, or None."""
    for cand in _CANDIDATES:
        if cand != "swapped" and len(x) and _fits(cand, x, y).all():
            return cand
    return None


def resolve_crs(raw, spec_in: LayerConfig, default_crs, col: Collector, frame):
    """Return the CRS the layer's coordinates are in; record an error when it is unknown."""
    declared = raw.crs
    stated = spec_in.crs
    if stated is not None and declared is not None and not same_crs(stated, declared):
        if spec_in.crs_override:
            col.warn(
                f"the file declares {crs_label(declared)} but its coordinates were read as "
                f"{crs_label(stated)}, as stated with `crs_override`",
                category=AreasWarning,
            )
            return pyproj.CRS.from_user_input(stated)
        col.error(
            CrsError,
            f"the file declares {crs_label(declared)} but `crs` says {crs_label(stated)}",
            fix=(
                "remove `crs` (it is for files without a CRS), or, if the file's label is wrong, "
                "keep it and add `crs_override=True` (command line: crs_override = true in the "
                f"[{col.kind}] table of an areas.toml)"
            ),
        )
        return None
    for crs in (stated, declared, default_crs, raw.xy_crs):
        if crs is not None:
            return pyproj.CRS.from_user_input(crs)
    guess = None
    if raw.fmt != "csv":
        geoms = np.asarray(raw.geometry.array, dtype=object)
        ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
        if ok.any():
            b = shapely.bounds(geoms[ok])
            guess = guess_crs((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2)
    else:
        x, _ = to_float(frame[raw.xy[0]], raw.decimal)
        y, _ = to_float(frame[raw.xy[1]], raw.decimal)
        ok = (x.notna() & y.notna()).to_numpy()
        if ok.any():
            guess = guess_crs(x.to_numpy()[ok], y.to_numpy()[ok])
    hint = f"; its coordinates look like {guess}" if guess and guess != "swapped" else ""
    suggestion = guess if guess and guess != "swapped" else "EPSG:25832"
    what = {"shp": " (no .prj file)", "csv": " (its coordinate columns are not lon/lat)"}.get(
        raw.fmt, ""
    )
    col.error(
        MissingCrsError,
        f"has no CRS{what} and none was stated{hint}",
        fix=(
            f'state the CRS: `crs="{suggestion}"` (command line: --crs {suggestion}, or '
            f'crs = "{suggestion}" in the [{spec_in.kind}] table of an areas.toml), or save the '
            "file with its CRS"
        ),
    )
    return None


def reproject_and_check(geoms, live, crs_src, raw, col: Collector, labels, raw_xy=None):
    """Reproject the live geometries to EPSG:25832; error on features outside Denmark.

    With ``raw_xy`` (CSV) the points are already in EPSG:25832 and ``raw_xy`` holds the
    coordinates as written.
    """
    n = len(geoms)
    out = np.full(n, None, dtype=object)
    idx = np.flatnonzero(live)
    if raw_xy is not None:
        rx, ry = raw_xy[0][idx], raw_xy[1][idx]
        raw_bounds = np.column_stack([rx, ry, rx, ry])
        warr = geoms[idx]
    elif same_crs(crs_src, WORK_CRS):
        raw_bounds = shapely.bounds(geoms[idx])
        warr = geoms[idx]
    elif (shapely.get_type_id(geoms[idx]) == 0).all():  # points: transform the coordinate arrays
        rx, ry = shapely.get_x(geoms[idx]), shapely.get_y(geoms[idx])
        raw_bounds = np.column_stack([rx, ry, rx, ry])
        tx, ty = transform(rx, ry, crs_src)
        warr = shapely.points(tx, ty)
    else:
        raw_bounds = shapely.bounds(geoms[idx])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warr = np.asarray(
                gpd.GeoSeries(geoms[idx], crs=crs_src).to_crs(WORK_CRS).array, dtype=object
            )
    b = shapely.bounds(warr)
    box = DENMARK_BOUNDS_25832
    with np.errstate(invalid="ignore"):
        inside = (
            np.isfinite(b).all(axis=1)
            & (b[:, 0] >= box[0])
            & (b[:, 2] <= box[2])
            & (b[:, 1] >= box[1])
            & (b[:, 3] <= box[3])
        )
    out[idx] = warr
    if inside.all():
        return out
    outside = idx[~inside]
    mask = np.zeros(n, dtype=bool)
    mask[outside] = True
    ids = labels(mask)
    cx = (raw_bounds[~inside, 0] + raw_bounds[~inside, 2]) / 2
    cy = (raw_bounds[~inside, 1] + raw_bounds[~inside, 3]) / 2
    label = crs_label(crs_src)
    cause = None
    for cand in _CANDIDATES:
        if cand != "swapped" and same_crs(cand, crs_src):
            continue
        if _fits(cand, cx, cy, crs_src).all():
            cause = cand
            break
    everything = not inside.any()
    sample = ", ".join(f"({x:.6g}, {y:.6g})" for x, y in list(zip(cx, cy, strict=True))[:2])
    lead = (
        f"{'all ' if everything else ''}{len(ids)} feature(s) lie outside Denmark when their "
        f"coordinates are read as {label}: {format_ids(ids)} (e.g. {sample})"
    )
    if cause == "swapped":
        where = (
            f"the columns `{raw.xy[0]}` and `{raw.xy[1]}`"
            if raw.fmt == "csv"
            else "the coordinates"
        )
        message = (
            f"{lead}. Their longitude and latitude are swapped: read the other way round "
            "they lie in Denmark"
        )
        fix = f"swap {where} (longitude is x, the first coordinate; latitude is y)"
    elif cause is not None:
        explain = {
            "EPSG:25832": "UTM zone 32N metres (EPSG:25832)",
            "EPSG:4326": "longitude/latitude degrees (EPSG:4326)",
            "EPSG:25833": "UTM zone 33N metres (EPSG:25833), the zone east of 12°E",
            "EPSG:3857": "web-map metres (EPSG:3857)",
        }[cause]
        message = f"{lead}. Read as {explain} they lie in Denmark: the CRS label is wrong"
        if raw.fmt == "csv" and raw.xy_crs is not None and cause != "EPSG:4326":
            fix = (
                f"the columns `{raw.xy[0]}`/`{raw.xy[1]}` hold {explain}, not degrees: rename "
                f'them x/y and state `crs="{cause}"` (command line: --crs {cause}, or '
                f'crs = "{cause}" in the [{col.kind}] table of an areas.toml)'
            )
        else:
            fix = (
                f'state `crs="{cause}"` with `crs_override=True` (command line: crs = "{cause}" '
                f"and crs_override = true in the [{col.kind}] table of an areas.toml), or save "
                "the file again with its real CRS"
            )
    else:
        message = f"{lead}"
        fix = (
            "check these coordinates; common causes are swapped longitude/latitude, metres "
            "(EPSG:25832) labelled as degrees, or a wrong CRS label"
        )
    col.error(CoordinateError, message, ids=ids, fix=fix)
    out[outside] = None
    return out
