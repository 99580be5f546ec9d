"""A compact point layer: many points in a small, self-contained page.

:func:`compact_points_layer` packs a GeoDataFrame of points into one base64
string inside the page and returns a folium layer that draws them with
``static/compact.js`` (inlined; no network):

- **coordinates** are quantised to ``step_deg`` (default 10⁻⁵°: at most
  0.56 m north–south and 0.32 m east–west from the input at Copenhagen's
  latitude, so every point is within 1 m), sorted in strips, delta-encoded and
  zig-zagged to small unsigned integers;
- **columns** are packed by kind: repeated strings as a dictionary and codes,
  other strings as NUL-separated UTF-8, integers as offsets from their
  minimum, floats as float32; every array is stored as byte planes (all first
  bytes, then all second bytes, ...), the layout deflate compresses best;
- the whole buffer is deflate-compressed (``compress=True``) and unpacked by
  the browser's own ``DecompressionStream``.

In the browser the points are decoded once into typed arrays and drawn onto
the layer's own canvas; only the points in view are drawn and no marker
object is ever made, so street-level zoom costs what the view holds. Tooltips
(hover, or click on touch screens) come from a screen-space bucket index.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element, Figure
from folium.map import Layer
from jinja2 import Template

from areas.errors import OutputError
from areas.output.i18n import MISSING, check_lang, column_label, format_cell

__all__ = [
    "COMPACT_JS",
    "STEP_DEG",
    "CompactPoints",
    "compact_js",
    "compact_points_layer",
    "encode_points",
]

COMPACT_JS = Path(__file__).resolve().parent / "static" / "compact.js"
#: The point shapes, shared with the web map's markers.
SHAPES_JS = Path(__file__).resolve().parent.parent / "maps" / "static" / "shapes.js"
#: The shapes a point can take (``shapes=``).
SHAPES = ("circle", "square", "triangle", "diamond")
#: Default quantisation step of the coordinates, in degrees (about 1.1 m of latitude).
STEP_DEG = 1e-5
#: A string column with fewer distinct values than this share of its rows is a dictionary.
DICTIONARY_SHARE = 0.5
_STRIP = 64  # rows are sorted in strips of this many steps of latitude, then by longitude

_LABELS = {
    "missing": (MISSING, MISSING),
    "unavailable": (
        "This browser cannot unpack the points layer; a current browser shows it.",
        "Denne browser kan ikke pakke punktlaget ud; en opdateret browser viser det.",
    ),
}


@functools.cache
def compact_js() -> str:
    """Return ``shapes.js`` and ``compact.js``, safe to place in a ``<script>`` element.

    Examples
    --------
    >>> "L.AreasCompactPoints" in compact_js()
    True
    """
    text = SHAPES_JS.read_text(encoding="utf-8") + COMPACT_JS.read_text(encoding="utf-8")
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def _width(max_value: int) -> int:
    for width in (1, 2, 4):
        if max_value < 256**width:
            return width
    msg = f"a packed column needs values below 2**32, got {max_value}"
    raise OutputError(msg)


def _planes(values: np.ndarray, width: int) -> bytes:
    """Unsigned integers as byte planes (little-endian byte b of every value, b = 0..width-1)."""
    raw = np.ascontiguousarray(values.astype(f"<u{width}"))
    return raw.view(np.uint8).reshape(-1, width).T.tobytes()


def _zigzag(delta: np.ndarray) -> np.ndarray:
    return ((delta << 1) ^ (delta >> 63)).astype(np.uint64)


def _encode_column(
    name: str, series: pd.Series, lang: str, ids: Sequence[str]
) -> tuple[dict, bytes]:
    """Pack one column; return its description (without offset) and its bytes."""
    values = series.reset_index(drop=True)
    missing = values.isna().to_numpy()
    is_bool = pd.api.types.is_bool_dtype(values.dtype)
    if pd.api.types.is_integer_dtype(values.dtype) and not is_bool:
        ints = values.to_numpy(dtype="float64", na_value=np.nan)
        low = int(np.nanmin(ints)) if (~missing).any() else 0
        codes = np.where(missing, 0, np.nan_to_num(ints - low + 1)).astype(np.int64)
        width = _width(int(codes.max(initial=0)))
        meta = {"kind": "int", "min": low, "width": width, "unit": _unit(name, lang)}
        return meta, _planes(codes, width)
    if pd.api.types.is_float_dtype(values.dtype):
        floats = values.to_numpy(dtype="float32", na_value=np.nan)
        meta = {"kind": "float", "decimals": _decimals(name), "unit": _unit(name, lang)}
        if name.endswith("_share"):
            meta["scale"] = 100
        return meta, floats.astype("<f4").tobytes()
    text = values.astype("object")
    distinct = pd.unique(text[~missing])
    if is_bool or len(distinct) <= max(1, DICTIONARY_SHARE * len(text)):
        labels = [format_cell(v, name, lang) for v in distinct]
        lookup = {v: i + 1 for i, v in enumerate(distinct)}
        codes = np.array([0 if m else lookup[v] for v, m in zip(text, missing, strict=True)])
        width = _width(int(codes.max(initial=0)))
        return {"kind": "cat", "dict": labels, "width": width}, _planes(codes, width)
    strings = ["" if m else str(v) for v, m in zip(text, missing, strict=True)]
    bad = [ids[i] for i, s in enumerate(strings) if "\x00" in s]
    if bad:
        msg = f"column `{name}` holds a NUL character in rows {', '.join(bad[:10])}; remove it"
        raise OutputError(msg)
    meta = {"kind": "text", "missing": np.flatnonzero(missing).tolist()}
    return meta, "\x00".join(strings).encode("utf-8")


def _unit(name: str, lang: str) -> str:
    if name.endswith("_share"):
        return " %" if lang == "da" else "%"
    for suffix, unit in (("_m2", " m²"), ("_m", " m"), ("_ha", " ha"), ("_min", " min")):
        if name.endswith(suffix):
            return unit
    return ""


def _decimals(name: str) -> int:
    if name.endswith(("_share", "_ha")):
        return 1
    if name.endswith(("_m", "_m2")):
        return 0
    return 2


def encode_points(
    frame: gpd.GeoDataFrame,
    columns: Sequence[str],
    *,
    lang: str = "en",
    step_deg: float = STEP_DEG,
    compress: bool = True,
) -> dict[str, Any]:
    """Pack the points of ``frame`` and its ``columns`` as :func:`compact_points_layer` embeds them.

    Returns the JSON-ready description: ``n``, ``origin`` (lon, lat of the
    quantisation grid), ``step``, ``coords`` and ``columns`` (offsets into the
    packed buffer), ``compressed`` and ``data`` (the buffer in base64). The rows
    are stored in a spatial order, not the frame's.

    Examples
    --------
    >>> import shapely
    >>> pts = gpd.GeoDataFrame({"sector": ["Å", "Å", "Å", "B"]},
    ...     geometry=shapely.points([[12.3, 55.6], [12.4, 55.7], [12.5, 55.6], [12.3, 55.7]]),
    ...     crs="EPSG:4326")
    >>> packed = encode_points(pts, ["sector"], compress=False)
    >>> packed["n"], packed["columns"][0]["kind"], sorted(packed["columns"][0]["dict"])
    (4, 'cat', ['B', 'Å'])
    """
    check_lang(lang)
    if frame.crs is None:
        msg = "the points frame has no CRS; set one (e.g. EPSG:25832) before mapping it"
        raise OutputError(msg)
    unknown = [c for c in columns if c not in frame.columns]
    if unknown:
        msg = f"`columns` names columns the frame lacks: {', '.join(unknown)}"
        raise OutputError(msg)
    web = frame.to_crs("EPSG:4326") if not frame.crs.equals("EPSG:4326") else frame
    geom = web.geometry
    empty = geom.is_empty.to_numpy() | geom.isna().to_numpy()
    not_points = (~empty) & (geom.geom_type.to_numpy() != "Point")
    ids = [str(i) for i in frame.index]
    if empty.any() or not_points.any():
        bad = [ids[i] for i in np.flatnonzero(empty | not_points)[:10]]
        msg = f"the points frame has empty or non-point geometries at rows {', '.join(bad)}"
        raise OutputError(msg)
    lon, lat = geom.x.to_numpy(), geom.y.to_numpy()
    n = len(lon)
    origin = (
        float(np.floor(lon.min(initial=0) / step_deg) * step_deg) if n else 0.0,
        float(np.floor(lat.min(initial=0) / step_deg) * step_deg) if n else 0.0,
    )
    qx = np.rint((lon - origin[0]) / step_deg).astype(np.int64)
    qy = np.rint((lat - origin[1]) / step_deg).astype(np.int64)
    order = np.lexsort((qx, qy // _STRIP))
    qx, qy = qx[order], qy[order]
    deltas = np.concatenate([_zigzag(np.diff(qx, prepend=0)), _zigzag(np.diff(qy, prepend=0))])
    width = _width(int(deltas.max(initial=0)))
    parts = [_planes(deltas, width)]
    coords = {"offset": 0, "length": len(parts[0]), "width": width}
    offset = len(parts[0])
    described = []
    sorted_ids = [ids[i] for i in order]
    for name in columns:
        meta, blob = _encode_column(name, frame[name].iloc[order], lang, sorted_ids)
        described.append({"name": name, **meta, "offset": offset, "length": len(blob)})
        parts.append(blob)
        offset += len(blob)
    buffer = b"".join(parts)
    if compress:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        buffer = packer.compress(buffer) + packer.flush()
    return {
        "n": n,
        "origin": origin,
        "step": step_deg,
        "coords": coords,
        "columns": described,
        "compressed": compress,
        "data": base64.b64encode(buffer).decode("ascii"),
    }


class _Raw(Element):
    """An element rendered verbatim (never compiled as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "AreasRaw"
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class CompactPoints(Layer):
    """The folium layer :func:`compact_points_layer` returns (one overlay of the layer control)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = new L.AreasCompactPoints(
                "{{ this.get_name() }}_data", {{ this.options_json }});
            {%- if this.show %}
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, payload: dict[str, Any], *, name: str, radius: float, show: bool) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "AreasCompactPoints"
        self.payload = payload
        self.options_json = json.dumps({"radius": radius})

    def render(self, **kwargs):
        """Inline the script once per page and place the data block, then the layer's script."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            msg = "the compact points layer must sit in a folium map placed in a Figure"
            raise OutputError(msg)
        figure.header.add_child(_Raw(f"<script>{compact_js()}</script>\n"), name="areas_compact")
        text = json.dumps(self.payload, ensure_ascii=False, allow_nan=False)
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        figure.html.add_child(
            _Raw(f'<script type="application/json" id="{self.get_name()}_data">{text}</script>'),
            name=f"{self.get_name()}_data",
        )
        script = self._template.module.__dict__["script"](self, kwargs)
        figure.script.add_child(_Raw(script), name=self.get_name())


def compact_points_layer(
    frame: gpd.GeoDataFrame,
    *,
    columns: Sequence[str],
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    color_by: str | None = None,
    colors: Mapping[Any, str] | None = None,
    shapes: Mapping[Any, str] | None = None,
    name: str = "Points",
    lang: str = "en",
    radius: float = 3.0,
    style: Mapping[str, Any] | None = None,
    step_deg: float = STEP_DEG,
    compress: bool = True,
    show: bool = True,
) -> CompactPoints:
    """Return a folium layer drawing every point of ``frame`` from a compact embedded array.

    Parameters
    ----------
    frame
        Points, in any CRS (reprojected to EPSG:4326 here).
    columns
        Columns to embed; the tooltip shows them in this order (``title``
        first, as its heading).
    title
        Column shown as the tooltip's heading (default: none).
    labels
        Tooltip label per column (default: the toolkit's column labels in ``lang``).
    color_by, colors
        A column and a mapping of its values to CSS colours; points whose
        value is not in ``colors`` get ``style["fillColor"]``.
    shapes
        A mapping of the values of ``color_by`` to a shape (``"circle"``,
        ``"square"``, ``"triangle"``, ``"diamond"``): a second channel beside
        the colour, for readers who cannot tell the colours apart (default: circles).
    name
        The layer's name in the layer control.
    lang : {"en", "da"}
        Language of numbers (separators), units and category labels.
    radius
        Point radius in pixels.
    style
        ``color``, ``weight``, ``opacity``, ``fillColor``, ``fillOpacity`` of the points.
    step_deg
        Quantisation step of the coordinates in degrees.
    compress
        Deflate the packed data (unpacked by the browser's ``DecompressionStream``).
    show
        Whether the layer is on when the page opens.

    Returns
    -------
    CompactPoints
        Add it to a :class:`folium.Map` like any layer.
    """
    check_lang(lang)
    wanted = list(
        dict.fromkeys([*([title] if title else []), *columns, *([color_by] if color_by else [])])
    )
    payload = encode_points(frame, wanted, lang=lang, step_deg=step_deg, compress=compress)
    words = {key: pair[("en", "da").index(lang)] for key, pair in _LABELS.items()}
    given = dict(labels or {})
    rows = [[given.get(c) or _safe_label(c, lang), c] for c in columns if c != title]
    palette = None
    shape_codes = None
    if color_by:
        column = next(c for c in payload["columns"] if c["name"] == color_by)
        if column["kind"] != "cat":
            msg = f"`color_by` must name a column of categories; `{color_by}` has {column['kind']}"
            raise OutputError(msg)
        raw = pd.unique(frame[color_by].dropna().astype("object"))
        by_label = {format_cell(v, color_by, lang): colors.get(v) for v in raw} if colors else {}
        palette = {str(i + 1): by_label.get(label) for i, label in enumerate(column["dict"])}
        if shapes:
            bad = sorted({str(s) for s in shapes.values()} - set(SHAPES))
            if bad:
                msg = f"`shapes` must be among {', '.join(SHAPES)}, got {', '.join(bad)}"
                raise OutputError(msg)
            by_shape = {format_cell(v, color_by, lang): shapes.get(v) for v in raw}
            shape_codes = {
                str(i + 1): by_shape.get(label) or "circle"
                for i, label in enumerate(column["dict"])
            }
    base_style = {
        "color": "#ffffff",
        "weight": 0.6,
        "opacity": 0.9,
        "fillColor": "#1f5fa8",
        "fillOpacity": 0.85,
    }
    base_style.update(style or {})
    payload.update(
        {
            "lang": lang,
            "title": title,
            "rows": rows,
            "colorBy": color_by,
            "colors": palette,
            "shapes": shape_codes,
            "style": base_style,
            "labels": words,
        }
    )
    return CompactPoints(payload, name=name, radius=radius, show=show)


def _safe_label(column: str, lang: str) -> str:
    try:
        return column_label(column, lang)
    except KeyError:
        return column
