"""QGIS styles for the result layers, and the GeoPackage tables QGIS reads.

Each layer of ``results.gpkg`` gets a QML style (QGIS's own format) and an
SLD 1.1 style (for GeoServer, MapServer and QGIS's SLD import) drawn like the
web map's legend (colours from :mod:`areas.output.maps.build`, words from
:mod:`areas.output.i18n`):

- ``districts`` by status, a withdrawn plan dashed grey;
- ``companies`` by Fingerplan distance band to rail (the default style) and,
  as a second style, by BID membership;
- ``stops_in_service`` by mode (colour) and state (filled in service, hollow
  planned, dashed ring under study);
- ``active_bids`` and ``rewilding_plots`` as on the web map.

:func:`write_gpkg_styles` writes, into a GeoPackage that already holds the
layers, the ``layer_styles`` table (the table QGIS loads a layer's default
style from), field aliases in ``gpkg_data_columns`` (the GeoPackage schema
extension; QGIS takes the aliases from the QML) and the run's
metadata (``as_of``, the scenario, the toolkit version) in ``gpkg_metadata`` /
``gpkg_metadata_reference`` in the format GDAL reads as dataset and layer
metadata. Everything is written in one SQLite transaction.

Examples
--------
>>> qml = layer_qml("districts", "da")
>>> "= 'withdrawn'" in qml and 'label="opgivet"' in qml
True
>>> "<se:Rule>" in layer_sld("districts", "en")
True
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from areas.constants import VERSION
from areas.errors import OutputError
from areas.output.i18n import (
    band_label,
    check_lang,
    column_label,
    format_number,
    mode_label,
    status_label,
    t,
)
from areas.output.maps.styles import (
    BAND_COLORS,
    BID_COLORS,
    BID_STYLE,
    CATCHMENT_STYLES,
    DISTRICT_STYLES,
    FIRM_MARKER,
    MODE_COLORS,
    REWILDING_STYLE,
)
from areas.schema import MODE_GROUPS, MODES, STATUSES

__all__ = [
    "Symbol",
    "LayerStyle",
    "STYLED_LAYERS",
    "layer_styles",
    "layer_qml",
    "layer_sld",
    "write_gpkg_styles",
]

#: Result layers with a style of their own (any other layer gets a plain one).
STYLED_LAYERS = (
    "districts",
    "companies",
    "stops_in_service",
    "active_bids",
    "rewilding_plots",
    "station_zones",
    "station_circles",
)

#: Millimetres per CSS pixel (the web map's widths are in pixels; QGIS draws in mm).
_MM_PER_PX = 0.26
_QGIS_VERSION = "3.22.0-Białowieża"
_PX_DASH = {"dash": "5 3", "dot": "1 3"}


@dataclass(frozen=True)
class Symbol:
    """One symbol: a polygon fill or a circle marker, in web-map units (pixels).

    ``dash`` is ``None`` (solid), ``"dash"`` or ``"dot"`` for the outline.
    """

    kind: str  # "fill" or "marker"
    fill: str | None
    fill_opacity: float
    stroke: str
    stroke_width_px: float
    dash: str | None = None
    size_px: float = 0.0


@dataclass(frozen=True)
class _Rule:
    label: str
    filter: str | None = None  # a QGIS expression
    ogc: tuple[tuple[str, str], ...] = ()  # the same filter as (column, value) equalities
    symbol: Symbol | None = None
    children: tuple[_Rule, ...] = ()


@dataclass(frozen=True)
class LayerStyle:
    """A named style of one layer: QML and SLD text, and whether it is the default."""

    layer: str
    name: str
    qml: str
    sld: str
    default: bool
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------ symbols from the web legend


def _dash_of(style: Mapping[str, Any]) -> str | None:
    pattern = style.get("dashArray")
    if not pattern:
        return None
    on = float(str(pattern).split()[0])
    return "dot" if on <= 2 else "dash"


def _fill(style: Mapping[str, Any]) -> Symbol:
    return Symbol(
        "fill",
        style.get("fillColor"),
        float(style.get("fillOpacity", 0.2)),
        style.get("color", "#333333"),
        float(style.get("weight", 1)),
        _dash_of(style),
    )


def _marker(
    fill: str | None,
    opacity: float,
    stroke: str,
    width: float,
    size: float,
    dash: str | None = None,
) -> Symbol:
    return Symbol("marker", fill, opacity, stroke, width, dash, size)


def _stop_symbol(mode: str, state: str) -> Symbol:
    color = MODE_COLORS.get(mode, "#333333")
    size = 14.0 if mode in MODE_GROUPS["rail"] else 9.0
    if state == "in_service":
        return _marker(color, 1.0, "#ffffff", 1.5, size)
    if state == "planned":
        return _marker("#ffffff", 0.9, color, 2.5, size)
    return _marker("#ffffff", 0.35, color, 2.0, size, "dash")


def _firm_symbol(color: str) -> Symbol:
    m: dict[str, Any] = dict(FIRM_MARKER)
    return _marker(
        color, float(m["fillOpacity"]), str(m["color"]), float(m["weight"]), 2 * float(m["radius"])
    )


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# ------------------------------------------------------------------ the styles of each layer


def _districts(lang: str) -> list[_Rule]:
    return [
        _Rule(
            status_label(s, lang),
            f"{_q('status')} = {_lit(s)}",
            (("status", s),),
            _fill(DISTRICT_STYLES[s]),
        )
        for s in STATUSES
    ]


_BANDS = ("core", "station_near", "beyond")


def _companies_by_band(lang: str) -> list[_Rule]:
    rules = [
        _Rule(
            band_label(b, lang),
            f"{_q('rail_band')} = {_lit(b)}",
            (("rail_band", b),),
            _firm_symbol(BAND_COLORS[b]),
        )
        for b in _BANDS
    ]
    rules.append(_Rule(band_label(None, lang), "ELSE", (), _firm_symbol(BAND_COLORS["unknown"])))
    return rules


def _companies_by_bid(lang: str) -> list[_Rule]:
    ib, bm = _q("in_bid"), _q("bid_member")
    return [
        _Rule(
            t("bid.member", lang),
            f"{ib} AND {bm}",
            (("in_bid", "1"), ("bid_member", "1")),
            _firm_symbol(BID_COLORS["member"]),
        ),
        _Rule(
            t("bid.in_bid", lang),
            f"{ib} AND NOT coalesce({bm}, false)",
            (("in_bid", "1"),),
            _firm_symbol(BID_COLORS["in_bid"]),
        ),
        _Rule(
            t("bid.outside", lang),
            f"NOT {ib}",
            (("in_bid", "0"),),
            _firm_symbol(BID_COLORS["outside"]),
        ),
        _Rule(t("bid.unknown", lang), "ELSE", (), _firm_symbol(BID_COLORS["unknown"])),
    ]


def _stops(lang: str, as_of: str | None) -> list[_Rule]:
    status, opens = _q("status"), _q("opens")
    if as_of:
        opened = f"({opens} IS NOT NULL AND to_date(left({opens}, 10)) <= to_date({_lit(as_of)}))"
        in_service = f"({status} = 'existing' AND {opens} IS NULL) OR {opened}"
    else:
        in_service = f"{status} = 'existing'"
    states = (
        (
            "in_service",
            t("status.in_service", lang),
            f"{status} <> 'withdrawn' AND ({in_service})",
            (("status", "existing"),),
        ),
        (
            # planned, or built but not open yet on the report date: hollow
            "planned",
            status_label("planned", lang),
            f"{status} IN ('planned', 'existing') AND NOT ({in_service})",
            (("status", "planned"),),
        ),
        ("study", status_label("study", lang), f"{status} = 'study'", (("status", "study"),)),
    )
    rules = []
    for mode in MODES:
        children = tuple(
            _Rule(label, expr, (("mode", mode), *ogc), _stop_symbol(mode, state))
            for state, label, expr, ogc in states
        )
        rules.append(
            _Rule(
                mode_label(mode, lang),
                f"{_q('mode')} = {_lit(mode)}",
                (("mode", mode),),
                None,
                children,
            )
        )
    return rules


def _zones(lang: str) -> list[_Rule]:
    """Return the walking zones (without a network: circles) by band, as on the web map."""
    rules = []
    for band in sorted(CATCHMENT_STYLES):
        for basis, key in (
            ("network", "report.fingerplan_zone"),
            ("straight", "report.fingerplan_circle_zone"),
        ):
            rules.append(
                _Rule(
                    t(key, lang, distance=format_number(band, lang)),
                    f"{_q('band_m')} = {band} AND {_q('basis')} = {_lit(basis)}",
                    (("band_m", str(band)), ("basis", basis)),
                    _fill(CATCHMENT_STYLES[band]),
                )
            )
    return rules


def _circles(lang: str) -> list[_Rule]:
    """Return the straight-line circles beside the walking zones, as outlines."""
    return [
        _Rule(
            t("report.fingerplan_circle", lang, distance=format_number(band, lang)),
            f"{_q('band_m')} = {band}",
            (("band_m", str(band)),),
            Symbol("fill", None, 0.0, str(CATCHMENT_STYLES[band]["color"]), 1.5, "dash"),
        )
        for band in sorted(CATCHMENT_STYLES)
    ]


def _plain(kind: str, lang: str, layer: str) -> list[_Rule]:
    label = t(f"layer.{layer}", lang) if layer in ("bids", "rewilding") else layer
    if kind == "marker":
        return [_Rule(label, None, (), _marker("#555555", 1.0, "#ffffff", 1.0, 8.0))]
    return [
        _Rule(
            label,
            None,
            (),
            _fill({"color": "#333333", "weight": 1, "fillOpacity": 0.2, "fillColor": "#999999"}),
        )
    ]


def _value_maps(lang: str) -> dict[str, dict[str, str]]:
    """Column -> {stored code: label}; the attribute table shows the labels."""
    modes = {mode_label(m, lang): m for m in MODES}
    out = {
        "status": {status_label(s, lang): s for s in STATUSES},
        "mode": modes,
        "rail_band": {band_label(b, lang): b for b in _BANDS},
    }
    for group in ("rail", "bus", "any"):
        out[f"nearest_{group}_mode"] = modes
    return out


# ------------------------------------------------------------------ QML


def _rgba(color: str | None, opacity: float = 1.0) -> str:
    if not color:
        return "0,0,0,0"
    c = color.lstrip("#")
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(255 * max(0.0, min(1.0, opacity)))}"


def _props(parent: ET.Element, props: Mapping[str, str]) -> None:
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(opt, "Option", name=k, type="QString", value=v)
    for k, v in props.items():  # QGIS before 3.22 reads these
        ET.SubElement(parent, "prop", k=k, v=v)


def _qml_symbol(parent: ET.Element, name: str, sym: Symbol) -> None:
    el = ET.SubElement(
        parent, "symbol", name=name, type=sym.kind, alpha="1", clip_to_extent="1", force_rhr="0"
    )
    width = f"{sym.stroke_width_px * _MM_PER_PX:.3g}"
    style = {None: "solid", "dash": "dash", "dot": "dot"}[sym.dash]
    if sym.kind == "fill":
        layer = ET.SubElement(
            el, "layer", {"class": "SimpleFill"}, enabled="1", locked="0", pass_="0"
        )
        props = {
            "color": _rgba(sym.fill, sym.fill_opacity),
            "style": "solid" if sym.fill else "no",
            "outline_color": _rgba(sym.stroke),
            "outline_style": style,
            "outline_width": width,
            "outline_width_unit": "MM",
            "joinstyle": "round",
        }
    else:
        layer = ET.SubElement(
            el, "layer", {"class": "SimpleMarker"}, enabled="1", locked="0", pass_="0"
        )
        props = {
            "name": "circle",
            "color": _rgba(sym.fill, sym.fill_opacity),
            "outline_color": _rgba(sym.stroke),
            "outline_style": style,
            "outline_width": width,
            "outline_width_unit": "MM",
            "size": f"{sym.size_px * _MM_PER_PX:.3g}",
            "size_unit": "MM",
            "scale_method": "diameter",
        }
    _props(layer, props)


def _qml_rules(
    parent: ET.Element, rules: Sequence[_Rule], symbols: list[Symbol], prefix: str
) -> None:
    for i, rule in enumerate(rules):
        attrs = {"key": f"{prefix}{i}", "label": rule.label}
        if rule.filter:
            attrs["filter"] = rule.filter
        if rule.symbol is not None:
            attrs["symbol"] = str(len(symbols))
            symbols.append(rule.symbol)
        el = ET.SubElement(parent, "rule", attrs)
        _qml_rules(el, rule.children, symbols, f"{prefix}{i}_")


def _fields(
    root: ET.Element, columns: Sequence[str], lang: str, value_maps: Mapping[str, Mapping[str, str]]
) -> None:
    config = ET.SubElement(root, "fieldConfiguration")
    for col in columns:
        f = ET.SubElement(config, "field", name=col, configurationFlags="None")
        vm = value_maps.get(col)
        if vm:
            w = ET.SubElement(f, "editWidget", type="ValueMap")
            c = ET.SubElement(ET.SubElement(w, "config"), "Option", type="Map")
            lst = ET.SubElement(c, "Option", name="map", type="List")
            for label, code in vm.items():
                item = ET.SubElement(lst, "Option", type="Map")
                ET.SubElement(item, "Option", name=label, type="QString", value=code)
        else:
            w = ET.SubElement(f, "editWidget", type="TextEdit")
            ET.SubElement(ET.SubElement(w, "config"), "Option")
    aliases = ET.SubElement(root, "aliases")
    for i, col in enumerate(columns):
        ET.SubElement(aliases, "alias", field=col, index=str(i), name=_alias(col, lang))


def _alias(column: str, lang: str) -> str:
    if column == "fid":
        return ""
    label = column_label(column, lang)
    return "" if label == column else label


def _qml(rules: Sequence[_Rule], geometry: str, columns: Sequence[str], lang: str) -> str:
    root = ET.Element("qgis", version=_QGIS_VERSION, styleCategories="Symbology|Fields|Forms")
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        type="RuleRenderer",
        symbollevels="0",
        forceraster="0",
        enableorderby="0",
        referencescale="-1",
    )
    top = ET.SubElement(renderer, "rules", key="root")
    symbols: list[Symbol] = []
    _qml_rules(top, rules, symbols, "r")
    sym_el = ET.SubElement(renderer, "symbols")
    for i, sym in enumerate(symbols):
        _qml_symbol(sym_el, str(i), sym)
    _fields(root, columns, lang, _value_maps(lang))
    ET.SubElement(root, "layerGeometryType").text = "0" if geometry == "marker" else "2"
    body = ET.tostring(root, encoding="unicode").replace('pass_="0"', 'pass="0"')
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


# ------------------------------------------------------------------ SLD

_NS = {
    "": "http://www.opengis.net/sld",
    "se": "http://www.opengis.net/se",
    "ogc": "http://www.opengis.net/ogc",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


def _se(tag: str) -> str:
    return f"{{{_NS['se']}}}{tag}"


def _ogc(tag: str) -> str:
    return f"{{{_NS['ogc']}}}{tag}"


def _svg(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, _se("SvgParameter"), name=name).text = value


def _sld_fill_stroke(parent: ET.Element, sym: Symbol) -> None:
    if sym.fill:
        fill = ET.SubElement(parent, _se("Fill"))
        _svg(fill, "fill", sym.fill)
        _svg(fill, "fill-opacity", f"{sym.fill_opacity:g}")
    stroke = ET.SubElement(parent, _se("Stroke"))
    _svg(stroke, "stroke", sym.stroke)
    _svg(stroke, "stroke-width", f"{sym.stroke_width_px:g}")
    if sym.dash:
        _svg(stroke, "stroke-dasharray", _PX_DASH[sym.dash])


def _sld_rule(parent: ET.Element, rule: _Rule, name: str) -> None:
    assert rule.symbol is not None
    el = ET.SubElement(parent, _se("Rule"))
    ET.SubElement(el, _se("Name")).text = name
    desc = ET.SubElement(el, _se("Description"))
    ET.SubElement(desc, _se("Title")).text = rule.label
    if rule.filter == "ELSE":
        ET.SubElement(el, _se("ElseFilter"))
    elif rule.ogc:
        flt = ET.SubElement(el, _ogc("Filter"))
        holder = ET.SubElement(flt, _ogc("And")) if len(rule.ogc) > 1 else flt
        for column, value in rule.ogc:
            eq = ET.SubElement(holder, _ogc("PropertyIsEqualTo"))
            ET.SubElement(eq, _ogc("PropertyName")).text = column
            ET.SubElement(eq, _ogc("Literal")).text = value
    sym = rule.symbol
    if sym.kind == "fill":
        _sld_fill_stroke(ET.SubElement(el, _se("PolygonSymbolizer")), sym)
    else:
        graphic = ET.SubElement(ET.SubElement(el, _se("PointSymbolizer")), _se("Graphic"))
        mark = ET.SubElement(graphic, _se("Mark"))
        ET.SubElement(mark, _se("WellKnownName")).text = "circle"
        _sld_fill_stroke(mark, sym)
        ET.SubElement(graphic, _se("Size")).text = f"{sym.size_px:g}"


def _flat(rules: Sequence[_Rule], path: str = "") -> Iterable[tuple[str, _Rule]]:
    for i, rule in enumerate(rules):
        key = f"{path}{i}"
        if rule.symbol is not None:
            yield key, rule
        yield from _flat(rule.children, key + "_")


def _sld(layer: str, style_name: str, rules: Sequence[_Rule]) -> str:
    for prefix, uri in _NS.items():
        ET.register_namespace(prefix, uri)
    root = ET.Element(
        f"{{{_NS['']}}}StyledLayerDescriptor",
        {
            f"{{{_NS['xsi']}}}schemaLocation": "http://www.opengis.net/sld "
            "http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd"
        },
        version="1.1.0",
    )
    named = ET.SubElement(root, f"{{{_NS['']}}}NamedLayer")
    ET.SubElement(named, _se("Name")).text = layer
    user = ET.SubElement(named, f"{{{_NS['']}}}UserStyle")
    ET.SubElement(user, _se("Name")).text = style_name
    fts = ET.SubElement(user, _se("FeatureTypeStyle"))
    for key, rule in _flat(rules):
        _sld_rule(fts, rule, f"{layer}_{key}")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


# ------------------------------------------------------------------ public functions

_GEOMETRY = {
    "districts": "fill",
    "companies": "marker",
    "stops_in_service": "marker",
    "active_bids": "fill",
    "rewilding_plots": "fill",
    "station_zones": "fill",
    "station_circles": "fill",
}


def _style_rules(
    layer: str, lang: str, as_of: str | None, geometry: str | None
) -> list[tuple[str, list[_Rule], bool]]:
    """Return ``[(style name, rules, default)]`` for one layer."""
    if layer == "districts":
        return [(t("col.status", lang), _districts(lang), True)]
    if layer == "companies":
        return [
            (column_label("rail_band", lang), _companies_by_band(lang), True),
            (t("legend.companies_bid", lang), _companies_by_bid(lang), False),
        ]
    if layer == "stops_in_service":
        return [(t("layer.stops", lang), _stops(lang, as_of), True)]
    if layer == "active_bids":
        return [
            (
                t("layer.bids", lang),
                [_Rule(t("layer.bids", lang), None, (), _fill(BID_STYLE))],
                True,
            )
        ]
    if layer == "rewilding_plots":
        return [
            (
                t("layer.rewilding", lang),
                [_Rule(t("layer.rewilding", lang), None, (), _fill(REWILDING_STYLE))],
                True,
            )
        ]
    if layer == "station_zones":
        return [(t("report.fingerplan_stations", lang), _zones(lang), True)]
    if layer == "station_circles":
        return [(t("report.fingerplan_stations", lang), _circles(lang), True)]
    return [(layer, _plain(geometry or "fill", lang, layer), True)]


def layer_styles(
    layer: str,
    lang: str = "en",
    *,
    columns: Sequence[str] | None = None,
    as_of: object = None,
    geometry: str | None = None,
) -> list[LayerStyle]:
    """Return every style of a result layer, the default first.

    Parameters
    ----------
    layer : str
        Layer name in ``results.gpkg`` (any other name gets a plain style).
    lang : {"en", "da"}
        Language of the legend labels and field aliases.
    columns : sequence of str, optional
        The layer's fields in QGIS order (``fid`` first in a GeoPackage), for
        the aliases and value maps; without them the style holds none.
    as_of : date-like, optional
        The report date: a stop whose ``opens`` is on or before it is drawn
        as in service.
    geometry : {"fill", "marker"}, optional
        Symbol kind of a layer without its own style.

    Examples
    --------
    >>> [s.name for s in layer_styles("companies", "da")]
    ['Afstandsbånd til station', 'Virksomheder efter BID-medlemskab']
    """
    check_lang(lang)
    day = None if as_of is None else str(as_of)[:10]
    kind = _GEOMETRY.get(layer, geometry or "fill")
    out = []
    for name, rules, default in _style_rules(layer, lang, day, kind):
        out.append(
            LayerStyle(
                layer=layer,
                name=name,
                qml=_qml(rules, kind, list(columns or ()), lang),
                sld=_sld(layer, name, rules),
                default=default,
                description=f"{name} ({lang}); areas {VERSION}",
            )
        )
    return out


def layer_qml(layer: str, lang: str = "en", **kwargs: Any) -> str:
    """Return the default QML style of a result layer (see :func:`layer_styles`)."""
    return layer_styles(layer, lang, **kwargs)[0].qml


def layer_sld(layer: str, lang: str = "en", **kwargs: Any) -> str:
    """Return the default SLD 1.1 style of a result layer (see :func:`layer_styles`)."""
    return layer_styles(layer, lang, **kwargs)[0].sld


# ------------------------------------------------------------------ the GeoPackage tables

_LAYER_STYLES_SQL = """
CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
  styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))
"""
_DATA_COLUMNS_SQL = """
CREATE TABLE IF NOT EXISTS gpkg_data_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT,
  description TEXT, mime_type TEXT, constraint_name TEXT,
  CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
  CONSTRAINT gdc_tn UNIQUE (table_name, name))
"""
_METADATA_SQL = """
CREATE TABLE IF NOT EXISTS gpkg_metadata (
  id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset',
  md_standard_uri TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT 'text/xml',
  metadata TEXT NOT NULL DEFAULT '')
"""
_METADATA_REF_SQL = """
CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (
  reference_scope TEXT NOT NULL, table_name TEXT, column_name TEXT, row_id_value INTEGER,
  timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  md_file_id INTEGER NOT NULL, md_parent_id INTEGER,
  CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
  CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))
"""
_EXTENSIONS = (
    ("gpkg_data_columns", "gpkg_schema", "http://www.geopackage.org/spec121/#extension_schema"),
    ("gpkg_metadata", "gpkg_metadata", "http://www.geopackage.org/spec121/#extension_metadata"),
    (
        "gpkg_metadata_reference",
        "gpkg_metadata",
        "http://www.geopackage.org/spec121/#extension_metadata",
    ),
)


def _gdal_metadata(items: Mapping[str, str]) -> str:
    root = ET.Element("GDALMultiDomainMetadata")
    md = ET.SubElement(root, "Metadata")
    for key, value in items.items():
        ET.SubElement(md, "MDI", key=key).text = value
    return ET.tostring(root, encoding="unicode")


def _unique_aliases(table: str, columns: Sequence[str], lang: str) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for col in columns:
        alias = _alias(col, lang)
        if not alias:
            continue
        if alias in seen:
            alias = f"{alias} ({col})"
        seen.add(alias)
        out.append((col, alias))
    return out


def write_gpkg_styles(
    path: str | PathLike,
    *,
    lang: str = "en",
    as_of: object = None,
    scenario: Mapping[str, Any] | None = None,
    version: str = VERSION,
) -> dict[str, int]:
    """Write styles, field aliases and run metadata into an existing GeoPackage.

    For every feature layer: its styles into ``layer_styles`` (the first one
    ``useAsDefault``, so QGIS draws the layer with it when it is opened), an
    alias for every column with a label into ``gpkg_data_columns``, and a
    metadata record with the run's ``as_of``, scenario and toolkit version,
    for the file and for each layer (``gpkg_metadata``; GDAL shows them as
    metadata items ``AS_OF``, ``SCENARIO``, ``TOOLKIT_VERSION``). Earlier
    rows written by this function are replaced; one transaction writes all.

    Parameters
    ----------
    path : path
        A GeoPackage holding the layers (e.g. ``results.gpkg``).
    lang : {"en", "da"}
        Language of the legends, style names and aliases.
    as_of : date-like, optional
        The report date (also used by the stops' style).
    scenario : mapping, optional
        The run's parameters (``Summary.params``), stored as JSON.
    version : str
        Toolkit version recorded.

    Returns
    -------
    dict
        Layer name -> number of styles written.

    Raises
    ------
    OutputError
        When the file is not a GeoPackage or cannot be written.
    """
    check_lang(lang)
    path = Path(path)
    if not path.is_file():
        raise OutputError("the GeoPackage does not exist; write its layers first", path=path)
    day = None if as_of is None else str(as_of)[:10]
    items = {
        "AS_OF": day or "",
        "SCENARIO": json.dumps(dict(scenario or {}), ensure_ascii=False, default=str),
        "TOOLKIT": "areas",
        "TOOLKIT_VERSION": version,
        "LANGUAGE": lang,
    }
    written: dict[str, int] = {}
    try:
        con = sqlite3.connect(path)
    except sqlite3.Error as exc:  # pragma: no cover - sqlite opens almost anything
        raise OutputError(f"cannot open the GeoPackage: {exc}", path=path) from exc
    try:
        with con:
            layers = con.execute(
                "SELECT c.table_name, g.column_name, g.geometry_type_name FROM gpkg_contents c "
                "JOIN gpkg_geometry_columns g ON g.table_name = c.table_name "
                "WHERE c.data_type = 'features' ORDER BY c.table_name"
            ).fetchall()
            for sql in (_LAYER_STYLES_SQL, _DATA_COLUMNS_SQL, _METADATA_SQL, _METADATA_REF_SQL):
                con.execute(sql)
            now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
            con.execute(
                "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                "description, last_change) VALUES ('layer_styles', 'attributes', "
                "'layer_styles', 'QGIS layer styles', ?)",
                (now,),
            )
            for table, ext, definition in _EXTENSIONS:
                con.execute(
                    "DELETE FROM gpkg_extensions WHERE table_name = ? AND extension_name = ?",
                    (table, ext),
                )
                con.execute(
                    "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                    "definition, scope) VALUES (?, NULL, ?, ?, 'read-write')",
                    (table, ext, definition),
                )
            _clear_own_metadata(con)
            file_md = con.execute(
                "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                "VALUES ('dataset', 'http://gdal.org', 'text/xml', ?)",
                (_gdal_metadata(items),),
            ).lastrowid
            con.execute(
                "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, "
                "row_id_value, timestamp, md_file_id) "
                "VALUES ('geopackage', NULL, NULL, NULL, ?, ?)",
                (now, file_md),
            )
            for table, geom_col, geom_type in layers:
                written[table] = _write_layer(
                    con, table, geom_col, geom_type, lang=lang, as_of=day, items=items, now=now
                )
    except sqlite3.Error as exc:
        raise OutputError(f"cannot write styles into the GeoPackage: {exc}", path=path) from exc
    finally:
        con.close()
    return written


def _clear_own_metadata(con: sqlite3.Connection) -> None:
    own = [
        r[0]
        for r in con.execute(
            "SELECT id FROM gpkg_metadata WHERE md_standard_uri = 'http://gdal.org' "
            "AND metadata LIKE '%<MDI key=\"TOOLKIT\">areas</MDI>%'"
        )
    ]
    for md_id in own:
        con.execute("DELETE FROM gpkg_metadata_reference WHERE md_file_id = ?", (md_id,))
        con.execute("DELETE FROM gpkg_metadata WHERE id = ?", (md_id,))


def _write_layer(
    con: sqlite3.Connection,
    table: str,
    geom_col: str,
    geom_type: str,
    *,
    lang: str,
    as_of: str | None,
    items: Mapping[str, str],
    now: str,
) -> int:
    columns = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")') if r[1] != geom_col]
    kind = "marker" if "POINT" in geom_type.upper() else "fill"
    styles = layer_styles(table, lang, columns=columns, as_of=as_of, geometry=kind)
    con.execute(
        "DELETE FROM layer_styles WHERE f_table_name = ? AND f_geometry_column = ?",
        (table, geom_col),
    )
    for style in styles:
        con.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, ?, ?, ?, '', NULL, ?)",
            (
                table,
                geom_col,
                style.name,
                style.qml,
                style.sld,
                int(style.default),
                style.description,
                now,
            ),
        )
    con.execute("DELETE FROM gpkg_data_columns WHERE table_name = ?", (table,))
    for col, alias in _unique_aliases(table, columns, lang):
        con.execute(
            "INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description) "
            "VALUES (?, ?, ?, ?, NULL)",
            (table, col, alias, alias),
        )
    title = t(f"layer.{_I18N_LAYER.get(table, '')}", lang) if table in _I18N_LAYER else table
    md = con.execute(
        "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
        "VALUES ('dataset', 'http://gdal.org', 'text/xml', ?)",
        (_gdal_metadata({**items, "TITLE": title}),),
    ).lastrowid
    con.execute(
        "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, "
        "row_id_value, timestamp, md_file_id) VALUES ('table', ?, NULL, NULL, ?, ?)",
        (table, now, md),
    )
    return len(styles)


_I18N_LAYER = {
    "districts": "districts",
    "companies": "companies",
    "stops_in_service": "stops",
    "active_bids": "bids",
    "rewilding_plots": "rewilding",
    "station_zones": "station_zones",
    "station_circles": "station_circles",
}
