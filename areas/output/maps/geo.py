"""Map data helpers: strict JSON for HTML, reprojection checked to Denmark, features, text."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import areas.output.i18n as _i18n
from areas.errors import CoordinateError, format_ids
from areas.output.i18n import MISSING, format_date, format_number
from areas.output.terminal import terminal_text
from areas.schema import (
    DENMARK_BOUNDS_4326,
    WEB_CRS,
    WORK_CRS,
)


def _json_for_html(obj: Any) -> str:
    """Serialise ``obj`` as strict JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _collection_json(parts: Sequence[str]) -> str:
    """Return the JSON of a FeatureCollection from its features' JSON (:func:`_json_for_html`).

    The same text as :func:`_json_for_html` of the whole collection: maps that
    share a layer serialise each feature once.
    """
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def _text(value: Any) -> str:
    """Return a cell value as text: "–" when missing, ISO for dates."""
    if _i18n.is_missing(value):
        return MISSING
    if isinstance(value, pd.Timestamp):
        return format_date(value)
    return terminal_text(value, keep_newlines=True)  # control characters made visible


def _int_or_none(value: Any) -> int | None:
    return None if _i18n.is_missing(value) else int(value)


def _round_or_none(value: Any) -> int | None:
    return None if _i18n.is_missing(value) else int(round(float(value)))


def _escape(text: str) -> str:
    return html.escape(str(text), quote=True)


def _indexed(frame: pd.DataFrame, key: str, memo: dict | None = None) -> pd.DataFrame:
    """Return ``frame`` indexed by the text of its ``key`` column (or index), first row per key.

    With ``memo`` (a dict kept while one set of maps is drawn), the table is
    made once per frame and key.
    """
    if memo is not None:
        hit = memo.get((id(frame), key))
        if hit is not None and hit[0] is frame:
            return hit[1]
    table = frame.set_index(key) if key in frame.columns else frame
    table = table[~table.index.duplicated(keep="first")]
    table.index = table.index.astype(str)
    if memo is not None:
        memo[(id(frame), key)] = (frame, table)  # the frame is kept: its id stays its own
    return table


def _lookup(
    frame: pd.DataFrame | None,
    key: str,
    ids: Iterable[str],
    columns: Sequence[str],
    memo: dict | None = None,
) -> pd.DataFrame:
    """Return ``columns`` of ``frame`` for ``ids`` (by the ``key`` column or the index).

    Absent rows and columns are missing values. ``memo``: see :func:`_indexed`.
    """
    ids = list(ids)
    out = pd.DataFrame(index=pd.Index(ids, dtype=object))
    if frame is None or len(frame) == 0:
        for col in columns:
            out[col] = pd.Series([pd.NA] * len(ids), index=out.index, dtype=object)
        return out
    table = _indexed(frame, key, memo)
    # the rows of ``ids`` (-1: absent), taken as ``Series.reindex`` takes them (absent rows
    # missing in the column's own kind of missing value), once for all columns
    rows = table.index.get_indexer(out.index)
    for col in columns:
        if col in table.columns:
            out[col] = pd.api.extensions.take(table[col].array, rows, allow_fill=True).to_numpy()
        else:
            out[col] = pd.Series([pd.NA] * len(ids), index=out.index, dtype=object)
    return out


def _check_in_denmark(bounds: np.ndarray, ids: Sequence[str], kind: str) -> None:
    """Raise :class:`CoordinateError` for geometries outside Denmark.

    ``bounds`` is n × 4: lon_min, lat_min, lon_max, lat_max.
    """
    if len(bounds) == 0:
        return
    lon0, lat0, lon1, lat1 = DENMARK_BOUNDS_4326
    with np.errstate(invalid="ignore"):
        ok = (
            (bounds[:, 0] >= lon0)
            & (bounds[:, 1] >= lat0)
            & (bounds[:, 2] <= lon1)
            & (bounds[:, 3] <= lat1)
        )
    bad = [ids[int(i)] for i in np.flatnonzero(~ok)]
    if bad:
        msg = (
            f"{len(bad)} feature(s) fall outside Denmark {DENMARK_BOUNDS_4326} once reprojected "
            f"from {WORK_CRS} to {WEB_CRS}: {format_ids(bad)}. Check the coordinates and the CRS "
            "the layer was read with"
        )
        raise CoordinateError(msg, layer=kind, ids=bad)


def _web_geometries(
    geoms: np.ndarray, ids: Sequence[str], kind: str, *, simplify_m: float = 0.0
) -> list[dict[str, Any]]:
    """Simplify in EPSG:25832, reproject to EPSG:4326, check Denmark, round to 6 decimals."""
    geoms = np.asarray(geoms, dtype=object)
    if simplify_m and len(geoms):
        geoms = shapely.simplify(geoms, simplify_m, preserve_topology=True)
    web = gpd.GeoSeries(geoms, crs=WORK_CRS).to_crs(WEB_CRS).values
    _check_in_denmark(shapely.bounds(np.asarray(web, dtype=object)), list(ids), kind)
    rounded = shapely.transform(np.asarray(web, dtype=object), lambda c: np.round(c, 6))
    return [shapely.geometry.mapping(g) for g in rounded]


def _feature(
    geometry: dict[str, Any], style: str, title: str, rows: list[list[str]], fid: str
) -> dict:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"id": fid, "s": style, "t": title, "r": rows},
    }


def _number(value: Any, lang: str, decimals: int = 0, unit: str = "") -> str:
    text = format_number(value, lang, decimals=decimals)
    return f"{text} {unit}" if unit and text != MISSING else text
