"""The map background: water and coast, municipal boundaries, main roads and railways.

By default a map of the bundled layers draws the bundled background files
(``layers/background_*.geojson``, see ``layers/README.md``) light under the
data, with the attribution their sources require (``layers/attribution.json``).
A map of a user's own layers draws what the user names (``background=`` a
GeoDataFrame or a file any GDAL driver reads), or nothing.

A background feature is styled by its ``kind`` column (``sea``, ``lake``,
``municipality``, ``motorway``, ``main_road``, ``s_train``, ``light_rail``);
features of another or no kind are drawn as thin grey lines or pale areas.
Only what lies in the map's view (grown by a margin) goes into the page.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from areas.atlas import Atlas
from areas.errors import ConfigError
from areas.load.datasets import bundled_dir
from areas.output.i18n import check_lang
from areas.output.maps.geo import _feature, _web_geometries
from areas.schema import WORK_CRS

__all__ = [
    "BACKGROUND_FILES",
    "ATTRIBUTION_FILE",
    "BACKGROUND_STYLES",
    "bundled_background",
    "bundled_attribution",
    "resolve_background",
    "background_features",
]

#: The bundled background files, bottom to top.
BACKGROUND_FILES = (
    "background_water.geojson",
    "background_municipalities.geojson",
    "background_roads.geojson",
    "background_railways.geojson",
)
#: The attribution texts (``da``, ``en``) and sources of the bundled layers.
ATTRIBUTION_FILE = "attribution.json"

#: Styles by ``kind``: light, thin, never interactive.
BACKGROUND_STYLES: dict[str, dict[str, Any]] = {
    "sea": {
        "stroke": True,
        "color": "#9cc3dd",
        "weight": 0.8,
        "fillColor": "#d4e6f2",
        "fillOpacity": 1.0,
    },
    "lake": {
        "stroke": True,
        "color": "#9cc3dd",
        "weight": 0.6,
        "fillColor": "#d4e6f2",
        "fillOpacity": 1.0,
    },
    "municipality": {"color": "#8c8c8c", "weight": 1.2, "dashArray": "6 3 1 3", "fill": False},
    "motorway": {"color": "#c7b9a3", "weight": 3.5, "fill": False},
    "main_road": {"color": "#d3c8b6", "weight": 2.2, "fill": False},
    "s_train": {"color": "#8f8f8f", "weight": 1.6, "dashArray": "8 3", "fill": False},
    "light_rail": {"color": "#a58fae", "weight": 1.6, "dashArray": "3 3", "fill": False},
    "other_line": {"color": "#b0b0b0", "weight": 1.2, "fill": False},
    "other_area": {"color": "#b0b0b0", "weight": 0.8, "fillColor": "#e6e4de", "fillOpacity": 0.8},
}
_MARGIN_M = 3_000.0


@functools.cache
def _bundled_frame() -> gpd.GeoDataFrame:
    folder = bundled_dir()
    frames = []
    for name in BACKGROUND_FILES:
        path = folder / name
        if path.exists():
            frames.append(gpd.read_file(path).to_crs(WORK_CRS))
    if not frames:
        return gpd.GeoDataFrame({"kind": []}, geometry=[], crs=WORK_CRS)
    import pandas as pd

    frame = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=WORK_CRS)


def bundled_background() -> gpd.GeoDataFrame:
    """Return the bundled background features (``kind``, ``name``; EPSG:25832), bottom to top.

    Examples
    --------
    >>> kinds = set(bundled_background()["kind"])
    >>> {"sea", "municipality", "motorway"} <= kinds
    True
    """
    return _bundled_frame().copy()


@functools.cache
def _attribution_record() -> dict:
    path = bundled_dir() / ATTRIBUTION_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def bundled_attribution(lang: str = "en") -> str:
    """Return the attribution the bundled layers' sources require, in ``lang``.

    Examples
    --------
    >>> "GeoFA" in bundled_attribution("da")
    True
    """
    return str(_attribution_record().get(check_lang(lang), ""))


def _is_bundled(atlas: Atlas) -> bool:
    """Return True when the atlas's districts were read from the bundled layers."""
    source = atlas.sources.get("districts")
    path = getattr(source, "path", None)
    if not path:
        return False
    try:
        return Path(str(path)).resolve().parent == bundled_dir().resolve()
    except (OSError, ValueError):
        return False


def _read_file(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        msg = f"the background file {path} does not exist; give a file GDAL reads or none"
        raise ConfigError(msg)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own errors for unreadable files
        msg = f"the background file {path} cannot be read: {exc}"
        raise ConfigError(msg) from exc
    return frame


def resolve_background(spec: Any, atlas: Atlas) -> tuple[gpd.GeoDataFrame | None, bool]:
    """Return the background to draw (EPSG:25832) and whether it is the bundled one.

    ``spec`` is ``"auto"`` (the bundled background for the bundled layers,
    none for a user's own), ``"bundled"``, None or False (none), a
    GeoDataFrame or a path of a file.
    """
    if spec is None or spec is False:
        return None, False
    if isinstance(spec, str) and spec in ("auto", "bundled"):
        if spec == "auto" and not _is_bundled(atlas):
            return None, False
        return bundled_background(), True
    if isinstance(spec, gpd.GeoDataFrame):
        frame, where = spec, "`background`"
    elif isinstance(spec, (str, os.PathLike)):
        frame, where = _read_file(Path(spec)), f"the background file {spec}"
    else:
        msg = (
            "`background` must be 'auto', 'bundled', None, a GeoDataFrame or a file path, "
            f"got {type(spec).__name__}"
        )
        raise ConfigError(msg)
    if frame.crs is None:
        msg = f"{where} has no CRS; set one (e.g. EPSG:25832) or write it in the file"
        raise ConfigError(msg)
    return frame.to_crs(WORK_CRS), False


def _style_key(kind: Any, geom: shapely.Geometry) -> str:
    if isinstance(kind, str) and kind in BACKGROUND_STYLES:
        return kind
    polygonal = geom.geom_type in ("Polygon", "MultiPolygon")
    return "other_area" if polygonal else "other_line"


def background_features(
    frame: gpd.GeoDataFrame, bounds: tuple[float, float, float, float], simplify_m: float
) -> tuple[list[dict], dict[str, dict]]:
    """Return the background's GeoJSON features clipped to ``bounds`` grown by a margin."""
    x0, y0, x1, y1 = bounds
    box = shapely.box(x0 - _MARGIN_M, y0 - _MARGIN_M, x1 + _MARGIN_M, y1 + _MARGIN_M)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    keep &= shapely.intersects(geoms, box)
    clipped = shapely.intersection(geoms[keep], box)
    kinds = (
        frame["kind"].to_numpy(dtype=object)[keep]
        if "kind" in frame.columns
        else [None] * int(keep.sum())
    )
    nonempty = ~shapely.is_empty(clipped)
    clipped = clipped[nonempty]
    kinds = [k for k, ok in zip(kinds, nonempty, strict=True) if ok]
    ids = [f"background-{i}" for i in range(len(clipped))]
    web = _web_geometries(clipped, ids, "background", simplify_m=simplify_m)
    features = []
    used: dict[str, dict] = {}
    for geom, gj, kind, fid in zip(clipped, web, kinds, ids, strict=True):
        key = _style_key(kind, geom)
        used[key] = {**BACKGROUND_STYLES[key], "interactive": False}
        features.append(_feature(gj, key, "", [], fid))
    return features, used
