"""The map legend: what it lists, as a model, rendered by ``templates/legend.html``.

Every text is escaped here, with the escaping of the rest of the map page,
and handed to the template as markup.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
import numpy as np
from markupsafe import Markup

from areas.output.i18n import format_date, format_number, t
from areas.output.maps.background import BACKGROUND_STYLES
from areas.output.maps.context import MapContext
from areas.output.maps.geo import _escape
from areas.output.maps.layers import _stop_style
from areas.output.maps.styles import (
    _BANDS,
    _BID_CATS,
    BAND_COLORS,
    BID_COLORS,
    BID_STYLE,
    CATCHMENT_STYLES,
    CATCHMENTS_M,
    DISTRICT_STYLES,
    FIRM_MARKER,
    FIRM_SHAPES,
    FOCUS_STYLE,
    GRID_COLORS,
    GRID_STYLE,
    REWILDING_STYLE,
    STOP_STATES,
)
from areas.schema import (
    MODES,
)


@dataclass(frozen=True)
class Swatch:
    """A legend symbol: a rectangle (areas) or a circle (points)."""

    shape: str
    fill: Any
    fill_opacity: Any
    stroke: Any
    stroke_width: Any
    dash: Any = None
    r: Any = None


@dataclass(frozen=True)
class Row:
    """One legend entry: a symbol and its (escaped) label."""

    swatch: Swatch
    label: Markup


def _rect(style: dict[str, Any]) -> Swatch:
    return Swatch(
        "rect",
        style.get("fillColor", "none"),
        style.get("fillOpacity", 0.2),
        style.get("color", "#333"),
        min(style.get("weight", 1), 3),
        style.get("dashArray") or None,
    )


def _circle(style: dict[str, Any], radius: float | None = None) -> Swatch:
    return Swatch(
        "circle",
        style.get("fillColor", "none"),
        style.get("fillOpacity", 1),
        style.get("color", "#333"),
        style.get("weight", 1),
        style.get("dashArray") or None,
        min(radius or style.get("radius", 5), 6.5),
    )


def _text(text: str) -> Markup:
    return Markup(_escape(text))


def _row(swatch: Swatch, label: str) -> Row:
    return Row(swatch, _text(label))


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("areas.output.maps", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("legend.html")


def _area_rows(ctx: MapContext, district_statuses: list[str], focus: bool) -> list[Row]:
    lang = ctx.lang
    rows = [_row(_rect(DISTRICT_STYLES[s]), t(f"status.{s}", lang)) for s in district_statuses]
    if focus:
        focus_style = {**DISTRICT_STYLES["existing"], **FOCUS_STYLE}
        rows.append(_row(_rect(focus_style), t("status.focus", lang)))
    rows.append(_row(_rect(BID_STYLE), t("layer.bids", lang)))
    rows.append(_row(_rect(REWILDING_STYLE), t("layer.rewilding", lang)))
    for distance_m in CATCHMENTS_M:
        label = t("layer.catchment", lang, distance_m=format_number(distance_m, lang))
        rows.append(_row(_rect(CATCHMENT_STYLES[distance_m]), label))
    return rows


def _firm_rows(ctx: MapContext, firm_counts: np.ndarray | None) -> list[Row]:
    lang = ctx.lang
    by_band = ctx.color_by == "rail_band"
    cats = _BANDS if by_band else _BID_CATS
    palette = BAND_COLORS if by_band else BID_COLORS
    rows: list[Row] = []
    if firm_counts is None:  # a public map draws no firm
        return rows
    for i, c in enumerate(cats):
        if c == "unknown" and firm_counts[i] == 0:
            continue
        label = t(f"band.{c}", lang) if by_band else t(f"bid.{c}", lang)
        style = {**FIRM_MARKER, "fillColor": palette[c]}
        swatch = dataclasses.replace(_circle(style), shape=FIRM_SHAPES[c])
        rows.append(_row(swatch, f"{label}: {format_number(firm_counts[i], lang)}"))
    return rows


def _background_rows(lang: str, kinds: list[str]) -> list[Row]:
    rows = []
    for kind in kinds:
        style = BACKGROUND_STYLES[kind]
        label = t(f"background.{kind}", lang)
        if style.get("fill", True) is False:
            swatch = Swatch(
                "line", "none", 0, style["color"], style["weight"], style.get("dashArray")
            )
        else:
            swatch = _rect(style)
        rows.append(_row(swatch, label))
    return rows


def _grid_rows(lang: str, grid_breaks: list[int]) -> list[Row]:
    rows = []
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
        rows.append(_row(_rect(style), text))
    return rows


def _legend_body(
    ctx: MapContext,
    *,
    title: str,
    district_statuses: list[str],
    focus: bool,
    stops_present: dict[str, set],
    firm_counts: np.ndarray | None,
    grid_breaks: list[int],
    cell_m: float,
    aggregate: bool,
    min_zoom: int,
    background_kinds: list[str] = (),  # type: ignore[assignment]
    public_minimum: int | None = None,
) -> str:
    """Return the legend's HTML: districts and areas, stops, firms and the count grid."""
    lang = ctx.lang
    if ctx.network and ctx.atlas.has_network:
        note = t("legend.catchment_note_network", lang)
    elif ctx.walk:
        factor = format_number(ctx.detour_factor, lang, decimals=2)
        note = t("legend.catchment_note_walk", lang, factor=factor)
    else:
        note = t("legend.catchment_note", lang)
    # Stops: the colour says the mode, the symbol the status (drawn in a neutral
    # colour: filled, hollow, dashed ring, dotted grey ring); two columns side by side.
    modes = [
        _row(_circle(_stop_style(mode, "in_service"), 5), t(f"mode.{mode}", lang))
        for mode in MODES
        if mode in stops_present["modes"]
    ]
    states = [
        _row(_circle(_stop_style("", state), 5), t(f"status.{state}", lang))
        for state in STOP_STATES
        if state in stops_present["states"]
    ]
    suffix = "" if ctx.color_by == "rail_band" else "_bid"
    if focus:
        firms_heading = t(f"legend.companies_in_district{suffix}", lang, name=title)
    else:
        firms_heading = t(f"legend.companies_in_districts{suffix}", lang)
    if public_minimum is not None:
        grid_note = t("legend.public_grid", lang, minimum=format_number(public_minimum, lang))
    elif aggregate:
        grid_note = t("legend.points_from_zoom", lang, zoom=min_zoom)
    else:
        grid_note = None
    model = {
        "summary": _text(t("legend", lang)),
        "title": _text(title),
        "sub": _text(t("as_of", lang, date=format_date(ctx.as_of))),
        "districts_heading": _text(t("layer.districts", lang)),
        "areas": _area_rows(ctx, district_statuses, focus),
        "catchment_note": _text(note),
        "stops_heading": _text(t("layer.stops", lang)),
        "modes": modes,
        "states": states,
        "firms_heading": _text(firms_heading),
        "firms": _firm_rows(ctx, firm_counts),
        "grid_heading": _text(t("layer.company_grid", lang, cell_m=format_number(cell_m, lang))),
        "grid": _grid_rows(lang, grid_breaks),
        "grid_note": _text(grid_note) if grid_note else None,
        "background_heading": _text(t("layer.background", lang)),
        "background": _background_rows(
            lang,
            [k for k in BACKGROUND_STYLES if k in background_kinds and not k.startswith("other")],
        ),
    }
    return _template().render(legend=model)
