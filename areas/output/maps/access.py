"""The accessible parts of every map: keyboard access to its features and a text alternative.

:func:`add_map_accessibility` adds :func:`areas.output.a11y.add_accessibility`
to a map of the toolkit: the page gets ``lang``, a title and a viewport that
allows zooming; a list of the map's districts, BIDs, rewilding plots and stops
(one button each) reaches every feature with the keyboard; and a caption and
a table with the map's numbers follow the map (the legend's counts among them).
"""

from __future__ import annotations

import html

import folium
import numpy as np
import pandas as pd

from areas.output.a11y import FeatureGroup, add_accessibility
from areas.output.i18n import column_label, format_cell, format_date, format_number, t
from areas.output.maps.context import MapContext
from areas.output.maps.geo import _indexed, _lookup, _text
from areas.output.maps.styles import _BANDS, _BID_CATS

__all__ = ["add_map_accessibility", "statement_link"]

_TABLE_COLUMNS = (
    "employees",
    "companies_in_bid_share",
    "rewilded_ha",
    "rail_600m_companies_share",
)


def statement_link(url: str, lang: str) -> str:
    """Return the link to the site's accessibility statement, as escaped HTML."""
    return (
        f'<a href="{html.escape(str(url), quote=True)}">'
        f"{html.escape(t('accessibility_statement', lang))}</a>"
    )


def _table(
    ctx: MapContext, focus: tuple[str, ...], counts: dict[str, np.ndarray], firm_columns: bool
) -> pd.DataFrame:
    lang = ctx.lang
    districts = ctx.atlas.districts
    ids = districts["district_id"].astype(str).tolist()
    shown = [i for i in ids if not focus or i in focus]
    numbers = _lookup(
        ctx.part("table"), "district_id", shown, ["companies", *_TABLE_COLUMNS], ctx.memo
    )
    by_id = _indexed(districts, "district_id", ctx.memo)
    by_band = ctx.color_by == "rail_band"
    cats = _BANDS[:3] if by_band else _BID_CATS[:3]
    labels = [t(f"band.{c}", lang) if by_band else t(f"bid.{c}", lang) for c in cats]
    rows = []
    for d in shown:
        n = numbers.loc[d]
        row = {
            column_label("name", lang): _text(by_id.loc[d, "name"]),
            column_label("status", lang): t(f"status.{by_id.loc[d, 'status']}", lang)
            if str(by_id.loc[d, "status"]) in ("existing", "planned", "study", "withdrawn")
            else _text(by_id.loc[d, "status"]),
            column_label("companies", lang): format_cell(n["companies"], "companies", lang),
        }
        if firm_columns:
            per = counts.get(d, np.zeros(4, dtype=int))
            for i, label in enumerate(labels):
                row[label] = format_number(int(per[i]), lang)
        for c in _TABLE_COLUMNS:
            row[column_label(c, lang)] = format_cell(n[c], c, lang)
        rows.append(row)
    return pd.DataFrame(rows)


def add_map_accessibility(
    fmap: folium.Map,
    ctx: MapContext,
    title: str,
    focus: tuple[str, ...],
    counts: dict[str, np.ndarray],
) -> None:
    """Add the feature list, names and the text alternative to a map of the toolkit."""
    lang = ctx.lang
    groups = [
        FeatureGroup("districts", t("layer.districts", lang), name_key="t"),
        FeatureGroup("bids", t("layer.bids", lang), name_key="t"),
        FeatureGroup("rewilding", t("layer.rewilding", lang), name_key="t"),
        FeatureGroup("stops", t("layer.stops", lang), name_key="t"),
    ]
    date = format_date(ctx.as_of)
    if focus and len(focus) == 1:
        caption = t("a11y.caption_district", lang, name=title, date=date)
    else:
        caption = t("a11y.caption_overview", lang, date=date)
    add_accessibility(
        fmap,
        lang=lang,
        title=f"{title} – {date}",
        groups=groups,
        caption=caption,
        table=_table(ctx, focus, counts, firm_columns=True),
    )
