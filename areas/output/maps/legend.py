"""The map legend: SVG swatches and the legend's HTML (all text escaped)."""

from __future__ import annotations

from typing import Any

import numpy as np

from areas.output.i18n import format_date, format_number, t
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
    FOCUS_STYLE,
    GRID_COLORS,
    GRID_STYLE,
    REWILDING_STYLE,
    STOP_STATES,
)
from areas.schema import (
    MODES,
)


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


def _legend_body(
    ctx: MapContext,
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
