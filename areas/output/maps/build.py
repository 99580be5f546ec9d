"""Folium maps of the business districts, for notebooks and the website.

:func:`overview_map` shows every district; :func:`district_map` zooms to one.
Both return a :class:`folium.Map` that displays inline in Jupyter and is
self-contained from the start (Leaflet inlined, see :mod:`areas.output.offline`);
:func:`save_map` writes it to one HTML file that renders with no network.

The maps do no analysis: the numbers in tooltips and the firm colours come from
:func:`areas.analysis.summary.summarize` (pass ``summary=`` to reuse one). What the map
adds is drawing: the rail-stop catchments (buffers of the stops counted on
``as_of``, drawn in EPSG:25832) and, for many firms, a count grid.

Layers (each a toggle in the layer control, bottom to top): the two rail
catchments, districts (styled by status; a withdrawn plan such as Holmene in
dashed grey), active BIDs, rewilded plots, the firm count grid, firms (canvas
circle markers coloured by Fingerplan distance band to rail or by BID
membership) and stations/stops (colour by mode; in service filled, planned
hollow, under study a dashed ring).

Data go into the page as strict JSON in ``<script type="application/json">``
elements (``data-areas-layer`` names the layer), coordinates in EPSG:4326
rounded to 6 decimals and checked to lie in Denmark. Tooltips are built with
``textContent``, so text from the data (firm and plan names) is never read as
HTML.
"""

from __future__ import annotations

import html
import json
import math
import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from pyproj import Transformer

import areas.output.i18n as _i18n
from areas._atomic import atomic_path
from areas.atlas import Atlas
from areas.errors import AreasWarning, ConfigError, CoordinateError, OutputError, format_ids
from areas.output.i18n import (
    MISSING,
    check_lang,
    column_label,
    format_date,
    format_number,
    format_share,
    t,
)
from areas.output.offline import external_resources, make_self_contained
from areas.scenario import (
    active_bids,
    plots_established,
    resolve_as_of,
    resolve_include,
    stops_in_service,
)
from areas.schema import (
    DENMARK_BOUNDS_4326,
    MODE_GROUPS,
    MODES,
    SQM_PER_HA,
    STATUSES,
    WEB_CRS,
    WORK_CRS,
)

__all__ = [
    "COLOR_BY",
    "LAYERS",
    "CATCHMENTS_M",
    "DEFAULT_SIZE_BUDGET_MB",
    "UnknownDistrictError",
    "overview_map",
    "district_map",
    "save_map",
]

#: Ways to colour firms: Fingerplan distance band to rail, or BID membership.
COLOR_BY = ("rail_band", "bid")
#: Layer keys, bottom to top (their names come from ``areas.output.i18n``: ``layer.<key>``).
LAYERS = (
    "catchment_1200",
    "catchment_600",
    "districts",
    "bids",
    "rewilding",
    "company_grid",
    "companies",
    "stops",
)
#: Catchment radii drawn around rail stops (Fingerplan: 600 m core area, 1,200 m station-near area).
CATCHMENTS_M = (600, 1200)
#: Size above which :func:`save_map` warns.
DEFAULT_SIZE_BUDGET_MB = 15.0
_BYTES_PER_MB = 1_000_000

# --- styles ----------------------------------------------------------------------------------

BACKGROUND = "#f3f2ee"
DISTRICT_STYLES: dict[str, dict[str, Any]] = {
    "existing": {"color": "#24466f", "weight": 2, "fillColor": "#5b82b5", "fillOpacity": 0.16},
    "planned": {
        "color": "#24466f",
        "weight": 2,
        "dashArray": "8 5",
        "fillColor": "#5b82b5",
        "fillOpacity": 0.08,
    },
    "study": {
        "color": "#24466f",
        "weight": 2,
        "dashArray": "2 4",
        "fillColor": "#5b82b5",
        "fillOpacity": 0.05,
    },
    "withdrawn": {
        "color": "#7d7d7d",
        "weight": 2,
        "dashArray": "6 6",
        "fillColor": "#b5b5b5",
        "fillOpacity": 0.12,
    },
}
FOCUS_STYLE = {"color": "#0b1f3a", "weight": 4}
BID_STYLE = {"color": "#b35806", "weight": 2, "fillColor": "#fdb863", "fillOpacity": 0.25}
REWILDING_STYLE = {"color": "#1b7837", "weight": 1, "fillColor": "#5aae61", "fillOpacity": 0.6}
CATCHMENT_STYLES = {
    600: {"color": "#6a51a3", "weight": 1, "fillColor": "#9e9ac8", "fillOpacity": 0.22},
    1200: {
        "color": "#9e9ac8",
        "weight": 1,
        "dashArray": "4 4",
        "fillColor": "#dadaeb",
        "fillOpacity": 0.3,
    },
}
MODE_COLORS = {
    "light_rail": "#7b1fa2",
    "metro": "#00838f",
    "s_train": "#1565c0",
    "regional_rail": "#5d4037",
    "bus": "#455a64",
    "brt": "#ad1457",
}
STOP_STATES = ("in_service", "planned", "study", "withdrawn")
BAND_COLORS = {
    "core": "#1a9850",
    "station_near": "#f39c12",
    "beyond": "#c0392b",
    "unknown": "#9e9e9e",
}
BID_COLORS = {"member": "#08519c", "in_bid": "#6baed6", "outside": "#8c8c8c", "unknown": "#d0d0d0"}
FIRM_MARKER = {"radius": 3.5, "weight": 0.6, "color": "#303030", "opacity": 0.9, "fillOpacity": 0.9}
GRID_COLORS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
GRID_STYLE = {"color": "#ffffff", "weight": 0.5, "fillOpacity": 0.65}


class UnknownDistrictError(ConfigError, LookupError):
    """A district id that is not in the districts layer."""


# --- small helpers ---------------------------------------------------------------------------


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


def _text(value: Any) -> str:
    """Return a cell value as text: "–" when missing, ISO for dates."""
    if _i18n.is_missing(value):
        return MISSING
    return format_date(value) if isinstance(value, pd.Timestamp) else str(value)


def _int_or_none(value: Any) -> int | None:
    return None if _i18n.is_missing(value) else int(value)


def _round_or_none(value: Any) -> int | None:
    return None if _i18n.is_missing(value) else int(round(float(value)))


def _escape(text: str) -> str:
    return html.escape(str(text), quote=True)


def _lookup(
    frame: pd.DataFrame | None, key: str, ids: Iterable[str], columns: Sequence[str]
) -> pd.DataFrame:
    """Return ``columns`` of ``frame`` for ``ids`` (by the ``key`` column or the index).

    Absent rows and columns are missing values.
    """
    ids = list(ids)
    out = pd.DataFrame(index=pd.Index(ids, dtype=object))
    if frame is None or len(frame) == 0:
        for col in columns:
            out[col] = pd.Series([pd.NA] * len(ids), index=out.index, dtype=object)
        return out
    table = frame.set_index(key) if key in frame.columns else frame
    table = table[~table.index.duplicated(keep="first")]
    table.index = table.index.astype(str)
    for col in columns:
        if col in table.columns:
            out[col] = table[col].reindex(out.index).to_numpy()
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


# --- elements --------------------------------------------------------------------------------


class _RawElement(Element):
    """An element rendered verbatim (no template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawElement"
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class _Macro(MacroElement):
    """A macro element whose rendered text is placed on the page as it is.

    branca's ``MacroElement.render`` wraps the output of each macro in
    ``Element(text)``, which compiles that text as a Jinja template a second
    time. The output holds attribute text (names, owners, addresses), so text
    such as ``{{ ... }}`` would run as template code and ``{#`` would stop the
    page with a syntax error. Here each macro is rendered once, with the
    element's attributes, and its output added as a :class:`_RawElement`.
    """

    def render(self, **kwargs) -> None:
        """Add the header, html and script macros to the page, then render the children."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            msg = "the map must be placed in a branca Figure to render"
            raise OutputError(msg)
        macros = self._template.module.__dict__
        for part, target in (
            ("header", figure.header),
            ("html", figure.html),
            ("script", figure.script),
        ):
            macro = macros.get(part)
            if macro is not None:
                target.add_child(_RawElement(macro(self, kwargs)), name=self.get_name())
        for element in list(self._children.values()):
            element.render(**kwargs)


_SUPPORT_CSS = """
.areas-tip { font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  white-space: normal; width: max-content; max-width: 420px; }
.areas-tip-title { font-weight: 600; margin-bottom: 2px; overflow-wrap: anywhere; }
.areas-tip table { border-collapse: collapse; }
.areas-tip td { padding: 0 8px 0 0; vertical-align: top; }
.areas-tip td:first-child { color: #555; max-width: 190px; }
.areas-tip td:last-child { max-width: 230px; overflow-wrap: anywhere; }
.areas-legend { background: rgba(255,255,255,0.94); padding: 6px 9px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3);
  font: 12px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  max-height: 62vh; max-width: 300px; overflow-y: auto; color: #222; }
.areas-legend summary { font-weight: 600; cursor: pointer; }
.areas-legend .areas-legend-title { font-weight: 600; font-size: 13px; }
.areas-legend .areas-legend-sub { color: #555; margin-bottom: 2px; }
.areas-legend h4 { margin: 6px 0 2px; font-size: 12px; font-weight: 600; }
.areas-legend .areas-legend-row { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.areas-legend .areas-legend-row svg { flex: none; }
.areas-legend .areas-legend-cols { display: flex; gap: 14px; }
.areas-legend .areas-legend-inline { display: flex; flex-wrap: wrap; column-gap: 10px; }
.areas-legend .areas-legend-note { color: #555; font-size: 11px; margin-top: 4px; }
.leaflet-control-layers { font-size: 13px; }
/* metric only: Leaflet's scale control draws an imperial line second */
.leaflet-control-scale-line + .leaflet-control-scale-line { display: none; }
"""

_SUPPORT_JS = r"""
window.areasTip = window.areasTip || function (title, rows) {
  var box = document.createElement("div");
  box.className = "areas-tip";
  if (title !== null && title !== undefined) {
    var head = document.createElement("div");
    head.className = "areas-tip-title";
    head.textContent = String(title);
    box.appendChild(head);
  }
  var table = document.createElement("table");
  for (var i = 0; i < rows.length; i++) {
    var tr = table.insertRow();
    tr.insertCell().textContent = String(rows[i][0]);
    tr.insertCell().textContent = String(rows[i][1]);
  }
  box.appendChild(table);
  return box;
};
window.areasFmtInt = window.areasFmtInt || function (value, sep) {
  if (value === null || value === undefined) { return "\u2013"; }
  var s = String(Math.round(Math.abs(value)));
  var out = "";
  while (s.length > 3) { out = sep + s.slice(-3) + out; s = s.slice(0, -3); }
  return (value < 0 ? "-" : "") + s + out;
};
"""


class _Support(_Macro):
    """Shared CSS and tooltip code, plus the map's background colour."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>#{{ this._parent.get_name() }} { background: {{ this.background }}; }</style>
        {% endmacro %}
        """
    )

    def __init__(self, background: str = BACKGROUND) -> None:
        super().__init__()
        self._name = "AreasSupport"
        self.background = background

    def render(self, **kwargs):
        """Add the shared CSS and code to the page header (once per page)."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            msg = "the map must be placed in a branca Figure to render"
            raise OutputError(msg)
        figure.header.add_child(
            _RawElement(f"<style>{_SUPPORT_CSS}</style>\n<script>{_SUPPORT_JS}</script>\n"),
            name="areas_support",
        )
        super().render(**kwargs)


class _JsonData(_Macro):
    """Base of the layers: a strict-JSON data block in the page body."""

    def __init__(self, kind: str, data: Any) -> None:
        super().__init__()
        self.kind = kind
        self.json = _json_for_html(data)


_DATA_BLOCK = (
    '<script type="application/json" id="{{ this.get_name() }}_data" '
    'data-areas-layer="{{ this.kind }}">{{ this.json }}</script>'
)


class _GeoJsonLayer(_JsonData):
    """Polygons or points from a GeoJSON FeatureCollection, styled by a lookup table.

    Each feature's properties hold ``id``, ``s`` (style key), ``t`` (tooltip
    title) and ``r`` (tooltip rows, label/value text pairs).
    """

    _template = Template(
        "{% macro html(this, kwargs) %}" + _DATA_BLOCK + "{% endmacro %}"
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var block = document.getElementById("{{ this.get_name() }}_data");
                var data = JSON.parse(block.textContent);
                var styles = {{ this.styles }};
                var kind = {{ this.kind|tojson }};
                var layer = L.geoJSON(data, {
                    style: function (f) { return styles[f.properties.s]; },
                    pointToLayer: function (f, latlng) {
                        return L.circleMarker(latlng, styles[f.properties.s]);
                    },
                    onEachFeature: function (f, l) {
                        l.options.areasKind = kind;
                        l.options.areasId = f.properties.id;
                    }
                });
                {%- if this.tooltip %}
                layer.bindTooltip(function (l) {
                    return areasTip(l.feature.properties.t, l.feature.properties.r);
                }, {sticky: {{ this.sticky|tojson }}, direction: "top", opacity: 0.95});
                {%- endif %}
                layer.addTo({{ this._parent.get_name() }});
                return layer;
            })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        kind: str,
        features: list[dict],
        styles: dict[str, dict],
        *,
        tooltip: bool = True,
        sticky: bool = True,
    ) -> None:
        super().__init__(kind, {"type": "FeatureCollection", "features": features})
        self._name = "AreasGeoJson"
        self.styles = _json_for_html(styles)
        self.tooltip = tooltip
        self.sticky = sticky


class _FirmPoints(_JsonData):
    """Firms as canvas circle markers, built from a compact array.

    Rows are ``[lat, lon, band, bid_category, name, employees, stop, distance_m, bid]``
    (``stop`` and ``bid`` index the ``stops`` and ``bids`` name lists). With
    ``aggregate`` the markers are drawn only from zoom ``min_zoom`` (and built
    the first time they are needed).
    """

    _template = Template(
        "{% macro html(this, kwargs) %}" + _DATA_BLOCK + "{% endmacro %}"
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var d = JSON.parse(document.getElementById("{{ this.get_name() }}_data")
                    .textContent);
                var map = {{ this.map_name }};
                var group = {{ this._parent.get_name() }};
                var rows = d.rows, L_ = d.labels, sep = d.sep, points = null;
                function tip(layer) {
                    var r = rows[layer.options.areasIndex];
                    var stop = r[6] === null ? d.missing : d.stops[r[6]];
                    var dist = r[7] === null ? d.missing : areasFmtInt(r[7], sep) + " m";
                    var bid = d.bidCats[r[3]] + (r[8] === null ? "" : " (" + d.bids[r[8]] + ")");
                    return areasTip(r[4], [
                        [L_.employees, areasFmtInt(r[5], sep)],
                        [L_.nearest, stop],
                        [L_.distance, dist],
                        [L_.band, d.bands[r[2]]],
                        [L_.bid, bid]
                    ]);
                }
                function build() {
                    points = L.featureGroup();
                    var col = d.colorColumn, colors = d.colors, base = d.marker;
                    for (var i = 0; i < rows.length; i++) {
                        var r = rows[i];
                        L.circleMarker([r[0], r[1]], {
                            radius: base.radius, weight: base.weight, color: base.color,
                            opacity: base.opacity, fillOpacity: base.fillOpacity,
                            fillColor: colors[r[col]], areasKind: "firm", areasIndex: i
                        }).addTo(points);
                    }
                    points.bindTooltip(tip, {direction: "top", offset: [0, -4], opacity: 0.95});
                }
                function sync() {
                    var want = !d.aggregate || map.getZoom() >= d.minZoom;
                    if (want) {
                        if (points === null) { build(); }
                        if (!group.hasLayer(points)) {
                            group.addLayer(points);
                            map.fire("areas:restack");
                        }
                    } else if (points !== null && group.hasLayer(points)) {
                        group.removeLayer(points);
                    }
                }
                map.on("zoomend", sync);
                sync();
                return {rows: rows, sync: sync, points: function () { return points; }};
            })();
        {% endmacro %}
        """
    )

    def __init__(self, data: dict, map_name: str) -> None:
        super().__init__("companies", data)
        self._name = "AreasFirms"
        self.map_name = map_name


class _FirmGrid(_JsonData):
    """Firm counts per square cell; drawn below zoom ``min_zoom`` when ``aggregate``.

    Cells are ``[[lat, lon] × 4, total, colour class, [count per category]]``.
    """

    _template = Template(
        "{% macro html(this, kwargs) %}" + _DATA_BLOCK + "{% endmacro %}"
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var d = JSON.parse(document.getElementById("{{ this.get_name() }}_data")
                    .textContent);
                var map = {{ this.map_name }};
                var group = {{ this._parent.get_name() }};
                var cells = L.featureGroup();
                for (var i = 0; i < d.cells.length; i++) {
                    var c = d.cells[i];
                    L.polygon(c[0], {
                        color: d.style.color, weight: d.style.weight,
                        fillOpacity: d.style.fillOpacity,
                        fillColor: d.colors[c[2]], areasKind: "cell", areasIndex: i
                    }).addTo(cells);
                }
                cells.bindTooltip(function (layer) {
                    var c = d.cells[layer.options.areasIndex];
                    var rows = [];
                    for (var k = 0; k < d.categories.length; k++) {
                        if (c[3][k] > 0) {
                            rows.push([d.categories[k], areasFmtInt(c[3][k], d.sep)]);
                        }
                    }
                    return areasTip(d.title + ": " + areasFmtInt(c[1], d.sep), rows);
                }, {sticky: true, direction: "top", opacity: 0.95});
                function sync() {
                    var want = !d.aggregate || map.getZoom() < d.minZoom;
                    if (want && !group.hasLayer(cells)) {
                        group.addLayer(cells);
                        map.fire("areas:restack");
                    } else if (!want && group.hasLayer(cells)) {
                        group.removeLayer(cells);
                    }
                }
                map.on("zoomend", sync);
                sync();
                return {cells: cells, sync: sync};
            })();
        {% endmacro %}
        """
    )

    def __init__(self, data: dict, map_name: str) -> None:
        super().__init__("company_grid", data)
        self._name = "AreasFirmGrid"
        self.map_name = map_name


class _Stacking(_Macro):
    """Keep the layers in order on the shared canvas when toggled or built lazily."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                var below = [{{ this.below|join(", ") }}];
                var above = [{{ this.above|join(", ") }}];
                function restack() {
                    for (var i = below.length - 1; i >= 0; i--) {
                        if (map.hasLayer(below[i])) { below[i].bringToBack(); }
                    }
                    for (var j = 0; j < above.length; j++) {
                        if (map.hasLayer(above[j])) { above[j].bringToFront(); }
                    }
                }
                map.on("overlayadd", restack);
                map.on("areas:restack", restack);
                restack();
            })();
        {% endmacro %}
        """
    )

    def __init__(self, below: list[str], above: list[str]) -> None:
        super().__init__()
        self._name = "AreasStacking"
        self.below = below
        self.above = above


class _FitView(_Macro):
    """Fit the map to bounds on opening, without animation.

    (An animated opening zoom would swallow a zoom asked for while it runs.)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.fitBounds(
                {{ this.bounds|tojson }},
                {padding: [12, 12], animate: false}
            );
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "AreasFitView"
        self.bounds = bounds


class _Legend(_Macro):
    """An HTML legend placed in a Leaflet control (all text escaped in Python)."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
            <div id="{{ this.get_name() }}" class="areas-legend"
                data-areas-lang="{{ this.lang }}" hidden>{{ this.body }}</div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function () {
                var legend = L.control({position: {{ this.position|tojson }}});
                legend.onAdd = function () {
                    var div = document.getElementById("{{ this.get_name() }}");
                    div.hidden = false;
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    return div;
                };
                legend.addTo({{ this._parent.get_name() }});
            })();
        {% endmacro %}
        """
    )

    def __init__(self, body: str, lang: str, position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "AreasLegend"
        self.body = body
        self.lang = lang
        self.position = position


# --- legend swatches -------------------------------------------------------------------------


def _svg_polygon(style: dict[str, Any]) -> str:
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (
        '<svg width="22" height="14" aria-hidden="true">'
        '<rect x="1.5" y="1.5" width="19" height="11" '
        f'fill="{style.get("fillColor", "none")}" fill-opacity="{style.get("fillOpacity", 0.2)}" '
        f'stroke="{style.get("color", "#333")}" '
        f'stroke-width="{min(style.get("weight", 1), 3)}"{dash}/></svg>'
    )


def _svg_circle(style: dict[str, Any], radius: float | None = None) -> str:
    r = min(radius or style.get("radius", 5), 6.5)
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (
        f'<svg width="16" height="16" aria-hidden="true"><circle cx="8" cy="8" r="{r}" '
        f'fill="{style.get("fillColor", "none")}" fill-opacity="{style.get("fillOpacity", 1)}" '
        f'stroke="{style.get("color", "#333")}" '
        f'stroke-width="{style.get("weight", 1)}"{dash}/></svg>'
    )


def _legend_row(swatch: str, label: str) -> str:
    return f'<div class="areas-legend-row">{swatch}<span>{_escape(label)}</span></div>'


# --- the layers' data ------------------------------------------------------------------------


def _stop_style(mode: str, state: str) -> dict[str, Any]:
    color = MODE_COLORS.get(mode, "#333333")
    radius = 7 if mode in MODE_GROUPS["rail"] else 4.5
    if state == "in_service":
        return {
            "radius": radius,
            "color": "#ffffff",
            "weight": 1.5,
            "fillColor": color,
            "fillOpacity": 1,
        }
    if state == "planned":
        return {
            "radius": radius,
            "color": color,
            "weight": 2.5,
            "fillColor": "#ffffff",
            "fillOpacity": 0.9,
        }
    if state == "study":
        return {
            "radius": radius,
            "color": color,
            "weight": 2,
            "dashArray": "3 3",
            "fillColor": "#ffffff",
            "fillOpacity": 0.35,
        }
    return {
        "radius": radius - 1.5,
        "color": "#8c8c8c",
        "weight": 1.5,
        "dashArray": "1 3",
        "fillColor": "#ffffff",
        "fillOpacity": 0.3,
    }


def _stop_states(stops: pd.DataFrame, as_of: pd.Timestamp) -> np.ndarray:
    """Display state of each stop: in service on ``as_of``, else its plan status."""
    in_service = stops_in_service(stops, as_of, ()) if len(stops) else np.zeros(0, bool)
    status = stops["status"].astype("string").fillna("planned").to_numpy(dtype=object)
    state = np.where(
        status == "withdrawn", "withdrawn", np.where(status == "study", "study", "planned")
    )
    return np.where(in_service, "in_service", state).astype(object)


def _catchment_geometries(
    stops: gpd.GeoDataFrame, counted: np.ndarray, radius_m: float, simplify_m: float
) -> shapely.Geometry | None:
    rail = stops["mode"].isin(MODE_GROUPS["rail"]).to_numpy() & counted
    points = stops.geometry.values[rail]
    if len(points) == 0:
        return None
    area = shapely.union_all(
        shapely.buffer(np.asarray(points, dtype=object), radius_m, quad_segs=16)
    )
    return shapely.simplify(area, simplify_m, preserve_topology=True) if simplify_m else area


def _nice_ceil(value: float) -> int:
    if value <= 1:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * exp:
            return int(step * exp)
    return int(10 * exp)


def _grid_breaks(counts: np.ndarray, k: int = len(GRID_COLORS)) -> list[int]:
    """Lower bounds of up to ``k`` count classes (nice numbers, the first is 1)."""
    if len(counts) == 0:
        return [1]
    qs = np.quantile(counts, np.linspace(0, 1, k + 1)[1:-1])
    breaks = [1]
    for q in qs:
        b = _nice_ceil(float(q))
        if b > breaks[-1]:
            breaks.append(b)
    return breaks


# --- building --------------------------------------------------------------------------------


class _Context:
    """Everything a map needs, resolved once: options, scenario and the analysis results."""

    def __init__(
        self,
        atlas: Atlas,
        *,
        as_of: Any,
        include: Iterable[str] | str | None,
        lang: str,
        summary: Any,
        color_by: str,
    ) -> None:
        if not isinstance(atlas, Atlas):
            msg = (
                f"`atlas` must be an areas.Atlas (from `areas.load()`), got {type(atlas).__name__}"
            )
            raise ConfigError(msg)
        self.atlas = atlas
        self.lang = check_lang(lang)
        if color_by not in COLOR_BY:
            msg = f"`color_by` must be one of {', '.join(COLOR_BY)}, got {color_by!r}"
            raise ConfigError(msg)
        self.color_by = color_by
        if summary is None:
            from areas.analysis.summary import summarize  # the maps only call the public analysis

            include = resolve_include(include)
            summary = summarize(atlas, as_of=resolve_as_of(as_of), include=include)
        params = dict(getattr(summary, "params", None) or {})
        self.summary = summary
        self.params = params
        self.as_of = self._agree("as_of", as_of, params.get("as_of"), resolve_as_of)
        self.include = self._agree(
            "include", include, params.get("include"), lambda v: tuple(sorted(resolve_include(v)))
        )
        distance = params.get("distance", "straight") or "straight"
        factor = params.get("detour_factor")
        self.walk = distance != "straight" and factor not in (None, 0)
        self.detour_factor = float(factor) if self.walk and factor is not None else 1.0

    @staticmethod
    def _agree(name: str, given: Any, from_summary: Any, resolve) -> Any:
        empty = given is None or (name == "include" and not given)
        if from_summary is None:
            return resolve(given)
        if not empty and resolve(given) != resolve(from_summary):
            msg = (
                f"`{name}` is {given!r} but the `summary` was computed with {from_summary!r}; "
                f"leave `{name}` out to use the summary's, or compute a new summary"
            )
            raise ConfigError(msg)
        return resolve(from_summary)

    def part(self, *names: str) -> pd.DataFrame | None:
        obj = self.summary
        for name in names:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        return obj if isinstance(obj, pd.DataFrame) else None


def _district_layer(
    ctx: _Context, simplify_m: float, focus: frozenset[str]
) -> tuple[list[dict], dict]:
    lang = ctx.lang
    d = ctx.atlas.districts
    ids = d["district_id"].astype(str).tolist()
    table = ctx.part("table")
    share_col = "rail_600m_companies_share"
    numbers = _lookup(
        table,
        "district_id",
        ids,
        [
            "area_ha",
            "companies",
            "employees",
            "bid_area_share",
            "companies_in_bid_share",
            "rewilded_ha",
            share_col,
            "median_rail_distance_m",
        ],
    )
    geoms = _web_geometries(d.geometry.values, ids, "districts", simplify_m=simplify_m)
    features = []
    styles = {s: dict(DISTRICT_STYLES[s]) for s in STATUSES}
    for s in STATUSES:
        styles[f"{s}|focus"] = {**DISTRICT_STYLES[s], **FOCUS_STYLE}
    for i, fid in enumerate(ids):
        row = d.iloc[i]
        status = row["status"] if row["status"] in STATUSES else "existing"
        n = numbers.loc[fid]
        rows = [
            [column_label("municipality", lang), _text(row["municipality"])],
            [column_label("status", lang), t(f"status.{status}", lang)],
            [column_label("area_ha", lang), _number(n["area_ha"], lang, 1)],
            [column_label("companies", lang), _number(n["companies"], lang)],
            [column_label("employees", lang), _number(n["employees"], lang)],
            [column_label("bid_area_share", lang), format_share(n["bid_area_share"], lang)],
            [
                column_label("companies_in_bid_share", lang),
                format_share(n["companies_in_bid_share"], lang),
            ],
            [column_label("rewilded_ha", lang), _number(n["rewilded_ha"], lang, 1)],
            [column_label(share_col, lang), format_share(n[share_col], lang)],
            [
                column_label("median_rail_distance_m", lang),
                _number(n["median_rail_distance_m"], lang),
            ],
        ]
        if not _i18n.is_missing(row.get("source")):
            # where the outline comes from, e.g. that an outline is only illustrative
            rows.append([column_label("source", lang), _text(row.get("source"))])
        key = f"{status}|focus" if fid in focus else status
        features.append(_feature(geoms[i], key, _text(row["name"]), rows, fid))
    return features, styles


def _bid_layer(ctx: _Context, simplify_m: float) -> tuple[list[dict], dict]:
    lang = ctx.lang
    bids = ctx.atlas.bids
    active = active_bids(bids, ctx.as_of) if len(bids) else np.zeros(0, bool)
    bids = bids[active]
    ids = bids["bid_id"].astype(str).tolist()
    numbers = _lookup(
        ctx.part("bid", "bids"),
        "bid_id",
        ids,
        ["area_ha", "companies", "members", "participation_share"],
    )
    geoms = _web_geometries(bids.geometry.values, ids, "bids", simplify_m=simplify_m)
    features = []
    for i, fid in enumerate(ids):
        row = bids.iloc[i]
        n = numbers.loc[fid]
        rows = [
            [column_label("start", lang), format_date(row.get("start"))],
            [column_label("end", lang), format_date(row.get("end"))],
            [column_label("area_ha", lang), _number(n["area_ha"], lang, 1)],
            [column_label("companies", lang), _number(n["companies"], lang)],
            [column_label("invited", lang), _number(row.get("invited"), lang)],
            [column_label("members", lang), _number(row.get("members"), lang)],
            [column_label("bid_members", lang), _number(n["members"], lang)],
            [
                column_label("participation_share", lang),
                format_share(n["participation_share"], lang),
            ],
        ]
        features.append(_feature(geoms[i], "bid", _text(row["name"]), rows, fid))
    return features, {"bid": BID_STYLE}


def _rewilding_layer(ctx: _Context, simplify_m: float) -> tuple[list[dict], dict]:
    lang = ctx.lang
    plots = ctx.atlas.rewilding
    analysed = ctx.part("rewilding", "plots")
    if analysed is not None and "counted" in analysed.columns:
        # The plots the analysis counts (established by `as_of`, not a lawn reference, ...).
        counted = _lookup(analysed, "plot_id", plots["plot_id"].astype(str), ["counted"])["counted"]
        keep = np.array([not _i18n.is_missing(v) and bool(v) for v in counted], dtype=bool)
    else:
        keep = plots_established(plots, ctx.as_of) if len(plots) else np.zeros(0, bool)
    plots = plots[keep]
    ids = plots["plot_id"].astype(str).tolist()
    numbers = _lookup(analysed, "plot_id", ids, ["area_ha"])
    area_ha = numbers["area_ha"].to_numpy(dtype=object)
    measured = shapely.area(np.asarray(plots.geometry.values, dtype=object)) / SQM_PER_HA
    geoms = _web_geometries(plots.geometry.values, ids, "rewilding", simplify_m=simplify_m)
    features = []
    for i, fid in enumerate(ids):
        row = plots.iloc[i]
        ha = measured[i] if _i18n.is_missing(area_ha[i]) else area_ha[i]
        est = row.get("established")
        rows = [
            [column_label("owner", lang), _text(row.get("owner"))],
            [column_label("area_ha", lang), _number(ha, lang, 2)],
            [
                column_label("established_year", lang),
                MISSING if _i18n.is_missing(est) else str(est.year),
            ],
            [column_label("habitat", lang), _text(row.get("habitat"))],
            [column_label("species_count", lang), _number(row.get("species_count"), lang)],
        ]
        features.append(_feature(geoms[i], "plot", fid, rows, fid))
    return features, {"plot": REWILDING_STYLE}


def _stop_layer(ctx: _Context) -> tuple[list[dict], dict, dict[str, set]]:
    lang = ctx.lang
    stops = ctx.atlas.stops
    ids = stops["stop_id"].astype(str).tolist()
    states = _stop_states(stops, ctx.as_of)
    geoms = _web_geometries(stops.geometry.values, ids, "stops")
    features: list[dict] = []
    styles: dict[str, dict] = {}
    present: dict[str, set] = {"modes": set(), "states": set()}
    as_of_text = format_date(ctx.as_of)
    for i, fid in enumerate(ids):
        row = stops.iloc[i]
        mode = row["mode"] if row["mode"] in MODES else "bus"
        state = states[i]
        key = f"{mode}|{state}"
        styles.setdefault(key, _stop_style(mode, state))
        present["modes"].add(mode)
        present["states"].add(state)
        status = row["status"] if row["status"] in STATUSES else None
        rows = [
            [column_label("mode", lang), t(f"mode.{mode}", lang)],
            [column_label("status", lang), t(f"status.{status}", lang) if status else MISSING],
            [column_label("opens", lang), format_date(row.get("opens"))],
            [column_label("line", lang), _text(row.get("line"))],
            [
                f"{column_label('in_service', lang)} ({as_of_text})",
                t("yes" if state == "in_service" else "no", lang),
            ],
        ]
        features.append(_feature(geoms[i], key, _text(row["name"]), rows, fid))
    return features, styles, present


def _catchment_layers(ctx: _Context, simplify_m: float) -> dict[int, list[dict]]:
    stops = ctx.atlas.stops
    counted = stops_in_service(stops, ctx.as_of, ctx.include) if len(stops) else np.zeros(0, bool)
    out: dict[int, list[dict]] = {}
    for distance_m in CATCHMENTS_M:
        radius = distance_m / ctx.detour_factor
        geom = _catchment_geometries(stops, counted, radius, simplify_m)
        if geom is None or geom.is_empty:
            out[distance_m] = []
            continue
        fid = f"catchment_{distance_m}"
        [web] = _web_geometries(np.array([geom], dtype=object), [fid], "stops")
        out[distance_m] = [
            _feature(
                web,
                str(distance_m),
                t("layer.catchment", ctx.lang, distance_m=format_number(distance_m, ctx.lang)),
                [],
                fid,
            )
        ]
    return out


_BANDS = ("core", "station_near", "beyond", "unknown")
_BID_CATS = ("member", "in_bid", "outside", "unknown")


def _firm_frame(ctx: _Context, companies: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per firm: position in EPSG:4326 and EPSG:25832, band and BID categories, tooltip values."""
    ids = companies["company_id"].astype(str).tolist()
    dist_col = "rail_walk_m" if ctx.walk else "rail_distance_m"
    transit = _lookup(
        ctx.part("transit", "companies"),
        "company_id",
        ids,
        ["rail_band", "nearest_rail_name", dist_col],
    )
    bid = _lookup(
        ctx.part("bid", "companies"), "company_id", ids, ["in_bid", "bid_id", "bid_member"]
    )

    xy = shapely.get_coordinates(np.asarray(companies.geometry.values, dtype=object))
    if len(xy) != len(ids):
        msg = "every firm must be a single point"
        raise CoordinateError(msg, layer="companies")
    lon, lat = Transformer.from_crs(WORK_CRS, WEB_CRS, always_xy=True).transform(xy[:, 0], xy[:, 1])
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    _check_in_denmark(np.column_stack([lon, lat, lon, lat]), ids, "companies")

    band = transit["rail_band"].astype("string").to_numpy(dtype=object, na_value=None)
    band_idx = np.array([_BANDS.index(b) if b in _BANDS else 3 for b in band], dtype=int)

    in_bid = bid["in_bid"].astype("boolean").to_numpy(dtype=object, na_value=None)
    member = bid["bid_member"].astype("boolean").to_numpy(dtype=object, na_value=None)
    cat = np.full(len(ids), 3, dtype=int)
    for i, (inside, mem) in enumerate(zip(in_bid, member, strict=True)):
        if inside is True:
            cat[i] = 0 if mem is True else 1
        elif inside is False:
            cat[i] = 2
    if "employees" in companies.columns:
        employees = [_int_or_none(v) for v in companies["employees"].to_numpy(dtype=object)]
    else:
        employees = [None] * len(ids)
    return pd.DataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "lat": np.round(lat, 6),
            "lon": np.round(lon, 6),
            "band": band_idx,
            "bid_cat": cat,
            "name": [
                MISSING if _i18n.is_missing(v) else str(v)
                for v in companies["name"].to_numpy(dtype=object)
            ],
            # object columns: a None must stay None (pandas would turn it into NaN)
            "employees": pd.Series(employees, dtype=object),
            "stop": pd.Series(transit["nearest_rail_name"].to_numpy(dtype=object), dtype=object),
            "distance_m": pd.Series(
                [_round_or_none(v) for v in transit[dist_col].to_numpy(dtype=object)], dtype=object
            ),
            "bid_id": pd.Series(bid["bid_id"].to_numpy(dtype=object), dtype=object),
        }
    )


def _firm_data(ctx: _Context, firms: pd.DataFrame, *, aggregate: bool, min_zoom: int) -> dict:
    lang = ctx.lang
    stop_codes, stop_names = pd.factorize(
        pd.Series(firms["stop"], dtype=object).map(
            lambda v: None if _i18n.is_missing(v) else str(v)
        ),
        use_na_sentinel=True,
    )
    bid_names_by_id = dict(
        zip(
            ctx.atlas.bids["bid_id"].astype(str),
            ctx.atlas.bids["name"].to_numpy(dtype=object),
            strict=True,
        )
    )
    bid_ids = [None if _i18n.is_missing(v) else str(v) for v in firms["bid_id"]]
    bid_codes, bid_uniques = pd.factorize(pd.Series(bid_ids, dtype=object), use_na_sentinel=True)
    bid_names = [_text(bid_names_by_id.get(b, b)) for b in bid_uniques]
    rows = [
        [la, lo, b, c, name, emp, None if s < 0 else int(s), dist, None if bc < 0 else int(bc)]
        for la, lo, b, c, name, emp, s, dist, bc in zip(
            firms["lat"].tolist(),
            firms["lon"].tolist(),
            firms["band"].tolist(),
            firms["bid_cat"].tolist(),
            firms["name"].tolist(),
            firms["employees"].tolist(),
            stop_codes.tolist(),
            firms["distance_m"].tolist(),
            bid_codes.tolist(),
            strict=True,
        )
    ]
    palette = BAND_COLORS if ctx.color_by == "rail_band" else BID_COLORS
    cats = _BANDS if ctx.color_by == "rail_band" else _BID_CATS
    return {
        "rows": rows,
        "stops": [str(s) for s in stop_names],
        "bids": bid_names,
        "colorBy": ctx.color_by,
        "colorColumn": 2 if ctx.color_by == "rail_band" else 3,
        "colors": [palette[c] for c in cats],
        "bands": [t(f"band.{b}", lang) for b in _BANDS],
        "bidCats": [t(f"bid.{c}", lang) for c in _BID_CATS],
        "labels": {
            "employees": column_label("employees", lang),
            "nearest": column_label("nearest_rail_stop", lang),
            "distance": column_label(
                "distance_walk_m" if ctx.walk else "distance_straight_m", lang
            ),
            "band": column_label("rail_band", lang),
            "bid": column_label("bid", lang),
        },
        "sep": "," if lang == "en" else ".",
        "missing": MISSING,
        "marker": FIRM_MARKER,
        "aggregate": aggregate,
        "minZoom": min_zoom,
    }


def _grid_data(
    ctx: _Context, firms: pd.DataFrame, *, cell_m: float, aggregate: bool, min_zoom: int
) -> tuple[dict, list[int]]:
    column = "band" if ctx.color_by == "rail_band" else "bid_cat"
    cats = _BANDS if ctx.color_by == "rail_band" else _BID_CATS
    labels = [
        t(f"band.{c}", ctx.lang) if column == "band" else t(f"bid.{c}", ctx.lang) for c in cats
    ]
    ix = np.floor(firms["x"].to_numpy(dtype=float) / cell_m).astype(np.int64)
    iy = np.floor(firms["y"].to_numpy(dtype=float) / cell_m).astype(np.int64)
    keys, inverse = np.unique(np.column_stack([ix, iy]).reshape(-1, 2), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    per_cat = np.zeros((len(keys), len(cats)), dtype=np.int64)
    np.add.at(per_cat, (inverse, firms[column].to_numpy(dtype=np.int64)), 1)
    totals = per_cat.sum(axis=1)
    breaks = _grid_breaks(totals)
    klass = np.searchsorted(np.asarray(breaks), totals, side="right") - 1
    x0 = keys[:, 0] * cell_m
    y0 = keys[:, 1] * cell_m
    cx = np.column_stack([x0, x0 + cell_m, x0 + cell_m, x0]).ravel()
    cy = np.column_stack([y0, y0, y0 + cell_m, y0 + cell_m]).ravel()
    lon, lat = Transformer.from_crs(WORK_CRS, WEB_CRS, always_xy=True).transform(cx, cy)
    lon = np.round(np.asarray(lon), 6).reshape(-1, 4)
    lat = np.round(np.asarray(lat), 6).reshape(-1, 4)
    cells = [
        [
            [[la[k], lo[k]] for k in range(4)],
            int(total),
            int(cl),
            [int(v) for v in counts],
        ]
        for la, lo, total, cl, counts in zip(
            lat.tolist(), lon.tolist(), totals, klass, per_cat, strict=True
        )
    ]
    data = {
        "cells": cells,
        "colors": list(GRID_COLORS),
        "categories": labels,
        "title": column_label("cell_companies", ctx.lang),
        "style": GRID_STYLE,
        "sep": "," if ctx.lang == "en" else ".",
        "aggregate": aggregate,
        "minZoom": min_zoom,
    }
    return data, breaks


def _legend_body(
    ctx: _Context,
    *,
    title: str,
    district_statuses: list[str],
    focus: bool,
    stops_present: dict[str, set],
    firm_counts: np.ndarray,
    grid_breaks: list[int],
    cell_m: float,
    aggregate: bool,
    min_zoom: int,
) -> str:
    lang = ctx.lang
    as_of_text = format_date(ctx.as_of)
    parts = [
        f"<details open><summary>{_escape(t('legend', lang))}</summary>",
        f'<div class="areas-legend-title">{_escape(title)}</div>',
        f'<div class="areas-legend-sub">{_escape(t("as_of", lang, date=as_of_text))}</div>',
        f"<h4>{_escape(t('layer.districts', lang))}</h4>",
    ]
    for s in district_statuses:
        parts.append(_legend_row(_svg_polygon(DISTRICT_STYLES[s]), t(f"status.{s}", lang)))
    if focus:
        parts.append(
            _legend_row(
                _svg_polygon({**DISTRICT_STYLES["existing"], **FOCUS_STYLE}),
                t("status.focus", lang),
            )
        )
    parts.append(_legend_row(_svg_polygon(BID_STYLE), t("layer.bids", lang)))
    parts.append(_legend_row(_svg_polygon(REWILDING_STYLE), t("layer.rewilding", lang)))
    for distance_m in CATCHMENTS_M:
        parts.append(
            _legend_row(
                _svg_polygon(CATCHMENT_STYLES[distance_m]),
                t("layer.catchment", lang, distance_m=format_number(distance_m, lang)),
            )
        )
    note = (
        t(
            "legend.catchment_note_walk",
            lang,
            factor=format_number(ctx.detour_factor, lang, decimals=2),
        )
        if ctx.walk
        else t("legend.catchment_note", lang)
    )
    parts.append(f'<div class="areas-legend-note">{_escape(note)}</div>')

    parts.append(f"<h4>{_escape(t('layer.stops', lang))}</h4>")
    # Colour says the mode, the symbol the status (drawn in a neutral colour:
    # filled, hollow, dashed ring, dotted grey ring); two columns side by side.
    modes = [
        _legend_row(_svg_circle(_stop_style(mode, "in_service"), 5), t(f"mode.{mode}", lang))
        for mode in MODES
        if mode in stops_present["modes"]
    ]
    states = [
        _legend_row(_svg_circle(_stop_style("", state), 5), t(f"status.{state}", lang))
        for state in STOP_STATES
        if state in stops_present["states"]
    ]
    parts.append(
        f'<div class="areas-legend-cols"><div>{"".join(modes)}</div>'
        f"<div>{''.join(states)}</div></div>"
    )

    key = "legend.companies_rail_band" if ctx.color_by == "rail_band" else "legend.companies_bid"
    parts.append(f"<h4>{_escape(t(key, lang))}</h4>")
    cats = _BANDS if ctx.color_by == "rail_band" else _BID_CATS
    palette = BAND_COLORS if ctx.color_by == "rail_band" else BID_COLORS
    for i, c in enumerate(cats):
        if c == "unknown" and firm_counts[i] == 0:
            continue
        label = t(f"band.{c}", lang) if ctx.color_by == "rail_band" else t(f"bid.{c}", lang)
        style = {**FIRM_MARKER, "fillColor": palette[c]}
        parts.append(
            _legend_row(_svg_circle(style), f"{label}: {format_number(firm_counts[i], lang)}")
        )
    parts.append(
        f"<h4>{_escape(t('layer.company_grid', lang, cell_m=format_number(cell_m, lang)))}</h4>"
    )
    parts.append('<div class="areas-legend-inline">')
    bounds = [*grid_breaks[1:], None]
    for i, low in enumerate(grid_breaks):
        high = bounds[i]
        if high is None:
            text = f"≥ {format_number(low, lang)}"
        elif high - 1 == low:
            text = format_number(low, lang)
        else:
            text = f"{format_number(low, lang)}–{format_number(high - 1, lang)}"
        style = {**GRID_STYLE, "color": "#999999", "fillColor": GRID_COLORS[i]}
        parts.append(_legend_row(_svg_polygon(style), text))
    parts.append("</div>")
    if aggregate:
        parts.append(
            f'<div class="areas-legend-note">'
            f"{_escape(t('legend.points_from_zoom', lang, zoom=min_zoom))}</div>"
        )
    parts.append("</details>")
    return "".join(parts)


def _build(
    atlas: Atlas,
    *,
    focus: tuple[str, ...],
    clip: bool,
    as_of: Any,
    include: Iterable[str] | str | None,
    lang: str,
    summary: Any,
    tiles: Any,
    color_by: str,
    grid_m: float,
    aggregate_above: int,
    points_min_zoom: int,
    simplify_m: float,
    margin_m: float,
    width: str | float,
    height: str | float,
) -> folium.Map:
    ctx = _Context(
        atlas, as_of=as_of, include=include, lang=lang, summary=summary, color_by=color_by
    )
    if grid_m <= 0:
        msg = f"`grid_m` must be a positive cell size in metres, got {grid_m!r}"
        raise ConfigError(msg)
    lang = ctx.lang

    districts = atlas.districts
    district_ids = districts["district_id"].astype(str).to_numpy()
    title = t("title.overview", lang)
    # Firms without a location are not drawn: the summary's reconciliation counts them
    # as excluded (an atlas built in memory may hold them; the loader leaves them out).
    located = np.asarray(atlas.companies.geometry.values, dtype=object)
    located = ~(shapely.is_missing(located) | shapely.is_empty(located))
    companies = atlas.companies if located.all() else atlas.companies[located]
    if focus:
        chosen = np.isin(district_ids, list(focus))
        x0, y0, x1, y1 = shapely.total_bounds(
            np.asarray(districts.geometry.values[chosen], dtype=object)
        )
        view = (x0, y0, x1, y1)
        if clip:  # a district map: the firms around the district only
            box = shapely.box(x0 - margin_m, y0 - margin_m, x1 + margin_m, y1 + margin_m)
            points = np.asarray(companies.geometry.values, dtype=object)
            companies = companies[shapely.intersects(points, box)]
            if len(focus) == 1:
                title = _text(districts["name"].to_numpy()[chosen][0])
    else:
        frames = [f for f in (districts, atlas.stops, companies) if len(f)]
        if not frames:
            msg = "the atlas has no districts, stops or firms to map"
            raise ConfigError(msg)
        # The view: the districts, or everything there is when there are none.
        bounds = np.array(
            [f.total_bounds for f in frames[:1] if len(districts)]
            or [f.total_bounds for f in frames]
        )
        view = (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())

    # Everything below reprojects and checks before the map exists.
    district_features, district_styles = _district_layer(ctx, simplify_m, frozenset(focus))
    bid_features, bid_styles = _bid_layer(ctx, simplify_m)
    plot_features, plot_styles = _rewilding_layer(ctx, simplify_m)
    stop_features, stop_styles, stops_present = _stop_layer(ctx)
    catchments = _catchment_layers(ctx, simplify_m)
    firms = _firm_frame(ctx, companies)
    aggregate = len(firms) > aggregate_above
    firm_data = _firm_data(ctx, firms, aggregate=aggregate, min_zoom=points_min_zoom)
    grid_data, breaks = _grid_data(
        ctx, firms, cell_m=grid_m, aggregate=aggregate, min_zoom=points_min_zoom
    )
    color_column = "band" if color_by == "rail_band" else "bid_cat"
    firm_counts = np.bincount(firms[color_column].to_numpy(dtype=int), minlength=4)

    corners = gpd.GeoSeries([shapely.box(*view)], crs=WORK_CRS).to_crs(WEB_CRS).total_bounds
    south_west = [float(corners[1]), float(corners[0])]
    north_east = [float(corners[3]), float(corners[2])]
    center = [(south_west[0] + north_east[0]) / 2, (south_west[1] + north_east[1]) / 2]

    fmap = folium.Map(
        location=center,
        zoom_start=13,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        width=width,
        height=height,
    )
    make_self_contained(fmap)
    _Support().add_to(fmap)
    figure = fmap.get_root()
    if isinstance(figure, Figure):  # always: folium.Map places itself in a Figure
        page_title = f"{_escape(title)} – {_escape(format_date(ctx.as_of))}"
        figure.header.add_child(_RawElement(f"<title>{page_title}</title>\n"), name="areas_title")
    if tiles:
        if tiles is True:
            tiles = "OpenStreetMap"
        try:
            layer = tiles if isinstance(tiles, folium.TileLayer) else folium.TileLayer(tiles)
        except (ValueError, KeyError) as exc:
            msg = (
                "`tiles` must be a tile provider name such as 'OpenStreetMap' or a URL "
                f"template with an attribution, got {tiles!r}"
            )
            raise ConfigError(msg) from exc
        layer.layer_name = _escape(t("layer.basemap", lang))
        layer.overlay = True
        layer.control = True
        layer.add_to(fmap)

    groups: dict[str, folium.FeatureGroup] = {}

    def group(key: str, name: str, show: bool = True) -> folium.FeatureGroup:
        fg = folium.FeatureGroup(name=_escape(name), show=show)
        fg.add_to(fmap)
        groups[key] = fg
        return fg

    for distance_m in sorted(CATCHMENTS_M, reverse=True):
        fg = group(
            f"catchment_{distance_m}",
            t("layer.catchment", lang, distance_m=format_number(distance_m, lang)),
        )
        style = {**CATCHMENT_STYLES[distance_m], "interactive": False}
        _GeoJsonLayer(
            f"catchment_{distance_m}",
            catchments[distance_m],
            {str(distance_m): style},
            tooltip=False,
        ).add_to(fg)
    _GeoJsonLayer("districts", district_features, district_styles).add_to(
        group("districts", t("layer.districts", lang))
    )
    _GeoJsonLayer("bids", bid_features, bid_styles).add_to(group("bids", t("layer.bids", lang)))
    _GeoJsonLayer("rewilding", plot_features, plot_styles).add_to(
        group("rewilding", t("layer.rewilding", lang))
    )
    grid_name = t("layer.company_grid", lang, cell_m=format_number(grid_m, lang))
    _FirmGrid(grid_data, fmap.get_name()).add_to(group("company_grid", grid_name, show=aggregate))
    _FirmPoints(firm_data, fmap.get_name()).add_to(group("companies", t("layer.companies", lang)))
    _GeoJsonLayer("stops", stop_features, stop_styles, sticky=False).add_to(
        group("stops", t("layer.stops", lang))
    )

    below = [groups[k].get_name() for k in LAYERS[: LAYERS.index("companies")]]
    above = [groups["stops"].get_name()]
    _Stacking(below, above).add_to(fmap)
    statuses_present = [s for s in STATUSES if s in set(districts["status"].astype(str))]
    _Legend(
        _legend_body(
            ctx,
            title=title,
            district_statuses=statuses_present,
            focus=bool(focus),
            stops_present=stops_present,
            firm_counts=firm_counts,
            grid_breaks=breaks,
            cell_m=grid_m,
            aggregate=aggregate,
            min_zoom=points_min_zoom,
        ),
        lang,
    ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    _FitView([south_west, north_east]).add_to(fmap)
    return fmap


# --- public API ------------------------------------------------------------------------------


def _check_district_ids(
    atlas: Atlas, ids: Iterable[str], *, argument: str = "districts"
) -> tuple[str, ...]:
    valid = atlas.districts["district_id"].astype(str).tolist()
    if isinstance(ids, str):
        ids = [ids]
    chosen = tuple(dict.fromkeys(ids))
    bad = [i for i in chosen if not isinstance(i, str) or i not in valid]
    if bad or not chosen:
        shown = ", ".join(repr(b) for b in bad) if bad else "no id"
        verb = "is not a district" if len(bad) <= 1 else "are not districts"
        msg = f"`{argument}` {shown} {verb}; valid ids: {', '.join(sorted(valid))}"
        raise UnknownDistrictError(msg, layer="districts", ids=bad)
    return chosen


def overview_map(
    atlas: Atlas,
    *,
    districts: Iterable[str] | None = None,
    as_of: Any = None,
    include: Iterable[str] | str | None = (),
    lang: str = "en",
    summary: Any = None,
    tiles: Any = False,
    color_by: str = "rail_band",
    grid_m: float = 250.0,
    aggregate_above: int = 5_000,
    points_min_zoom: int = 14,
    simplify_m: float = 1.0,
    width: str | float = "100%",
    height: str | float = "100%",
) -> folium.Map:
    """Return a map of every district with BIDs, rewilding, stops, catchments and firms.

    Parameters
    ----------
    atlas : Atlas
        The layers (EPSG:25832), e.g. from :func:`areas.load`.
    districts : iterable of str, optional
        Districts to open the map on, outlined in bold (default: the view
        holds every district, none outlined). All districts are drawn.
    as_of : date-like, optional
        Scenario date (default: today, or the ``summary``'s date).
    include : iterable of str, default ()
        Stop statuses counted before they open (``"planned"``, ``"study"``), as
        in :func:`areas.analysis.summary.summarize`; they widen the catchments.
    lang : {"en", "da"}, default "en"
        Language of layer names, legend and tooltips.
    summary : areas.analysis.summary.Summary, optional
        A summary to draw numbers and firm colours from; computed with
        :func:`areas.analysis.summary.summarize` when omitted. ``as_of``/``include``, when
        given as well, must agree with it.
    tiles : bool, str or folium.TileLayer, default False
        A basemap (e.g. ``"OpenStreetMap"``). Off by default: the map reads
        without one and a saved file then needs no network at all; tiles are
        fetched by the viewer's browser when given.
    color_by : {"rail_band", "bid"}, default "rail_band"
        Colour firms by Fingerplan distance band to rail (core ≤ 600 m,
        station-near ≤ 1,200 m, beyond) or by BID membership.
    grid_m : float, default 250
        Cell size of the firm count grid, in metres (EPSG:25832).
    aggregate_above : int, default 5000
        With more firms than this, firms show as the count grid below zoom
        ``points_min_zoom`` and as points from it; otherwise always as points
        (the grid is then a layer toggled off).
    points_min_zoom : int, default 14
        Zoom level from which many firms are drawn as points.
    simplify_m : float, default 1.0
        Polygon simplification tolerance in metres, applied in EPSG:25832.
    width, height : str or float, default "100%"
        Size of the map.

    Returns
    -------
    folium.Map
        Self-contained (Leaflet inlined); save with :func:`save_map`.

    Raises
    ------
    ConfigError
        For an unknown ``lang``/``color_by`` or a ``summary`` computed for another scenario.
    UnknownDistrictError
        For an id in ``districts`` that is not a district.
    CoordinateError
        When a feature falls outside Denmark once reprojected.

    Examples
    --------
    >>> import areas, tempfile, pathlib
    >>> m = overview_map(areas.load(), as_of="2026-01-01", lang="da")
    >>> out = save_map(m, pathlib.Path(tempfile.mkdtemp()) / "districts.html")
    >>> out.stat().st_size < 15_000_000
    True
    """
    focus = () if districts is None else _check_district_ids(atlas, districts)
    return _build(
        atlas,
        focus=focus,
        clip=False,
        as_of=as_of,
        include=include,
        lang=lang,
        summary=summary,
        tiles=tiles,
        color_by=color_by,
        grid_m=grid_m,
        aggregate_above=aggregate_above,
        points_min_zoom=points_min_zoom,
        simplify_m=simplify_m,
        margin_m=0.0,
        width=width,
        height=height,
    )


def district_map(
    atlas: Atlas,
    district_id: str,
    *,
    as_of: Any = None,
    include: Iterable[str] | str | None = (),
    lang: str = "en",
    summary: Any = None,
    tiles: Any = False,
    color_by: str = "rail_band",
    margin_m: float = 1_500.0,
    grid_m: float = 250.0,
    aggregate_above: int = 5_000,
    points_min_zoom: int = 14,
    simplify_m: float = 1.0,
    width: str | float = "100%",
    height: str | float = "100%",
) -> folium.Map:
    """Return a map zoomed to one district, the district outlined in bold.

    Takes the options of :func:`overview_map`, and

    Parameters
    ----------
    district_id : str
        The district (``atlas.districts.district_id``).
    margin_m : float, default 1500
        Firms within this distance of the district's bounding box are drawn.

    Raises
    ------
    UnknownDistrictError
        When ``district_id`` is not a district; the message lists the valid ids.

    Examples
    --------
    >>> import areas
    >>> atlas = areas.load()
    >>> m = district_map(atlas, "avedoere-holme", as_of="2026-01-01", color_by="bid")
    >>> district_map(atlas, "hersted")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    areas.output.maps.build.UnknownDistrictError: ... 'hersted' is not a district; valid ids: albertslund-...
    """
    focus = _check_district_ids(atlas, [district_id], argument="district_id")
    return _build(
        atlas,
        focus=focus,
        clip=True,
        as_of=as_of,
        include=include,
        lang=lang,
        summary=summary,
        tiles=tiles,
        color_by=color_by,
        grid_m=grid_m,
        aggregate_above=aggregate_above,
        points_min_zoom=points_min_zoom,
        simplify_m=simplify_m,
        margin_m=margin_m,
        width=width,
        height=height,
    )


def save_map(
    fmap: folium.Map,
    path: str | os.PathLike,
    *,
    size_budget_mb: float = DEFAULT_SIZE_BUDGET_MB,
    self_contained: bool = True,
) -> Path:
    """Write ``fmap`` as one HTML file, atomically.

    The page is rendered in memory first; a temporary file beside ``path`` is
    written, checked and moved into place, so a failed build never leaves a
    half-written or emptied map behind.

    Parameters
    ----------
    fmap : folium.Map
        A map from :func:`overview_map` or :func:`district_map` (any Folium map works).
    path : path-like
        The HTML file to write.
    size_budget_mb : float, default 15
        Warn (:class:`~areas.errors.AreasWarning`) when the file is larger (MB = 10⁶ bytes).
    self_contained : bool, default True
        Inline Leaflet and refuse any ``http(s)://`` script or stylesheet, so
        the file renders with no network.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputError
        When the map needs an external script or stylesheet (self-contained
        mode) or the file cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib, folium
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "m.html"
    >>> save_map(folium.Map(tiles=None), out).exists()
    True
    """
    path = Path(path)
    if not isinstance(fmap, folium.Map):
        msg = f"`fmap` must be a folium.Map, got {type(fmap).__name__}"
        raise OutputError(msg, path=path)
    if self_contained:
        make_self_contained(fmap)
    page = fmap.get_root().render()
    if self_contained:
        found = external_resources(page)
        if found:
            msg = f"the map refers to external scripts or stylesheets: {format_ids(found)}"
            raise OutputError(msg, path=path)
    data = page.encode("utf-8")

    def check(tmp: Path) -> None:
        if tmp.stat().st_size != len(data):
            msg = f"wrote {tmp.stat().st_size} bytes, expected {len(data)}"
            raise OutputError(msg, path=path)

    with atomic_path(path, check=check) as tmp:
        tmp.write_bytes(data)
    size_mb = len(data) / _BYTES_PER_MB
    if size_mb > size_budget_mb:
        msg = (
            f"map {path} is {size_mb:.1f} MB, over the budget of {size_budget_mb:g} MB; "
            "map fewer firms (district_map) or raise `size_budget_mb`"
        )
        warnings.warn(msg, AreasWarning, stacklevel=2)
    return path
