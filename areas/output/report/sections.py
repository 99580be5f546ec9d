"""The sections of a district page: BIDs, rewilding, transit and the change between dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from markupsafe import Markup

import areas.output.i18n as _i18n
from areas.constants import CORE_AREA_M, MODE_GROUP_NAMES
from areas.output.i18n import band_label, column_label, format_cell, format_number
from areas.output.report.context import ReportContext, by_district
from areas.output.report.service_section import service_section
from areas.output.report.tables import (
    _cell,
    _change,
    _change_class,
    _col,
    _figures,
    _firm_list,
    _headers,
    _is_num_column,
    _numeric_columns,
    _table,
    _threshold_columns,
)

#: Key figures of a district page.
KEY_FIGURES = (
    "area_ha",
    "companies",
    "employees",
    "bid_area_share",
    "companies_in_bid_share",
    "rewilded_ha",
    "rewilded_share",
    "rail_600m_companies_share",
    "median_rail_distance_m",
)
#: Figures of the BID, rewilding and transit sections of a district page.
_BID_FIGURES = (
    "bid_area_ha",
    "bid_area_share",
    "companies_in_bid",
    "companies_in_bid_share",
    "employees_in_bid_share",
    "bid_members",
    "bid_participation_share",
)
_REWILDING_FIGURES = (
    "rewilded_ha",
    "rewilded_share",
    "plots",
    "owners",
    "firm_owners",
    "municipal_owners",
    "overlap_ha",
)
_TRANSIT_FIGURES = (
    "rail_600m_companies_share",
    "rail_600m_employees_share",
    "median_rail_distance_m",
    "median_bus_distance_m",
)


def district_row(ctx: ReportContext, result, d: str) -> pd.Series:
    """Return the row of ``result.districts`` for district ``d`` (empty when absent)."""
    key = f"districts-{id(result)}"
    hit = ctx.memo.get(key)
    if hit is None or hit[0] is not result.districts:
        frame = (
            by_district(pd.DataFrame(result.districts))
            if "district_id" in getattr(result.districts, "columns", [])
            else pd.DataFrame(result.districts)
        )
        frame.index = frame.index.astype(str)
        hit = ctx.memo[key] = (result.districts, frame)
    frame = hit[1]
    return frame.loc[d] if d in frame.index else pd.Series(dtype=object)


def bid_section(ctx: ReportContext, d: str, slug: str) -> dict:
    """Return the BID section of district ``d``: figures, the BIDs table and the call list."""
    lang = ctx.lang
    bid = ctx.summary.bid
    r = district_row(ctx, bid, d)
    figs = _figures(r, _BID_FIGURES, lang)
    geom = ctx.districts_by_id.loc[d].geometry
    all_bids = ctx.atlas.bids
    touching = (
        all_bids[all_bids.intersects(geom) & ~all_bids.touches(geom)] if len(all_bids) else all_bids
    )
    stats = pd.DataFrame(bid.bids)
    stats = (
        stats.drop_duplicates("bid_id").set_index("bid_id")
        if "bid_id" in stats.columns
        else pd.DataFrame()
    )
    columns = [
        "name",
        "active",
        "start",
        "end",
        "area_ha",
        "companies",
        "members",
        "invited",
        "participation_share",
    ]
    rows = []
    any_reported = False
    for _, b in touching.sort_values("bid_id").iterrows():
        bid_id = str(b["bid_id"])
        s = stats.loc[bid_id] if bid_id in stats.index else pd.Series(dtype=object)
        values = {
            "name": b.get("name"),
            "active": s.get("active", None),
            "start": b.get("start"),
            "end": b.get("end"),
            "area_ha": s.get("area_ha", None),
            "companies": s.get("companies", None),
            "members": s.get("members", None),
            "invited": s.get("invited", b.get("invited")),
            "participation_share": s.get("participation_share", None),
        }
        texts = {c: format_cell(values[c], c, lang) for c in columns}
        # No members are counted in a BID that is not active: show the layer's own
        # figure instead, marked as reported so it is not read as a count.
        reported = s.get("members_reported", b.get("members"))
        if _i18n.is_missing(values["members"]) and not _i18n.is_missing(reported):
            texts["members"] = ctx.L("members_reported", members=format_number(reported, lang))
            any_reported = True
        rows.append({"cells": [_cell(texts[c], num=_is_num_column(c)) for c in columns]})
    table = _table(
        _headers(columns, lang),
        rows,
        caption=ctx.L("bids_caption"),
        note=ctx.L("members_reported_note") if any_reported else None,
    )
    calls = None
    active_here = bool(len(touching)) and bool(
        np.asarray(ctx.bid_mask)[all_bids.index.get_indexer(touching.index)].any()
    )
    if active_here and hasattr(bid, "outside_bid") and not ctx.public:
        call = pd.DataFrame(bid.outside_bid(d))
        if "name" not in call.columns and "company_id" in call.columns:
            call = call.merge(ctx.companies[["company_id", "name"]], on="company_id", how="left")
        if "employees" in call.columns:
            call = call.sort_values(
                ["employees", "name"], ascending=[False, True], na_position="last"
            )
        calls = _firm_list(call, ["company_id", "name", "employees", "sector", "address"], lang)
        calls["label"] = ctx.L("outside_bid_heading")
    left_out = ctx.L("public_lists_left_out") if ctx.public and active_here else None
    return {"figures": figs if rows else [], "table": table, "calls": calls, "left_out": left_out}


def rewilding_section(ctx: ReportContext, d: str, slug: str) -> dict:
    """Return the rewilding section of district ``d``: figures, chart and plots."""
    from areas.output.charts import line_chart

    lang = ctx.lang
    rw = ctx.summary.rewilding
    r = district_row(ctx, rw, d)
    figs = _figures(r, _REWILDING_FIGURES, lang)
    chart = None
    by_year = pd.DataFrame(getattr(rw, "by_year", pd.DataFrame()))
    if len(by_year) and "district_id" in by_year.columns:
        mine = by_year[by_year["district_id"].astype(str) == d].sort_values("year")
        if len(mine) and float(pd.to_numeric(mine["rewilded_ha"], errors="coerce").max()) > 0:
            years = [int(y) for y in mine["year"]]
            values = [float(v) for v in mine["rewilded_ha"]]
            if years[-1] < ctx.as_of.year:
                years.append(ctx.as_of.year)
                values.append(values[-1])
            title = ctx.L("chart_rewilding")
            chart = Markup(
                line_chart(
                    {title: (years, values)},
                    title=title,
                    xlabel=ctx.L("year"),
                    ylabel=ctx.L("hectares"),
                    chart_id=f"rw-{slug}",
                    lang=lang,
                )
            )
    plots = pd.DataFrame(getattr(rw, "plots", pd.DataFrame()))
    columns = [
        c
        for c in (
            "plot_id",
            "owner",
            "established",
            "habitat",
            "rewilded_ha",
            "area_ha",
            "species_count",
        )
        if c in plots.columns and not (ctx.public and c == "owner")
    ]
    if len(plots) and "district_id" in plots.columns and columns:
        mine = plots[plots["district_id"].astype(str) == d]
        if "counted" in mine.columns:
            mine = mine[mine["counted"].fillna(False).astype(bool)]
        sort = [c for c in ("established", "plot_id") if c in mine.columns]
        mine = mine.sort_values(sort) if sort else mine
        table = _firm_list(mine, columns, lang, caption=ctx.L("plots_caption"))
    else:
        table = _table([], [])
    return {"figures": figs, "chart": chart, "table": table}


def transit_section(ctx: ReportContext, d: str, slug: str) -> dict:
    """Return the transit section of district ``d``: shares, bands and distant firms."""
    from areas.output.charts import bar_chart

    lang = ctx.lang
    per = ctx.summary.transit.per_district(
        ctx.summary.assignment, ctx.atlas.companies, district_ids=[d]
    ).loc[d]
    figs = _figures(per, _TRANSIT_FIGURES, lang)
    frame = per.to_frame().T
    groups = {}
    cats: list[str] = []
    for g in MODE_GROUP_NAMES:
        cols = _threshold_columns(frame, g)
        if not cols:
            continue
        cats = [
            f"{format_number(t, lang, decimals=0 if float(t).is_integer() else 1)} m" for t in cols
        ]
        groups[_i18n.t(f"group.{g}", lang)] = [
            float(per[c]) if not _i18n.is_missing(per[c]) else float("nan") for c in cols.values()
        ]
    chart = None
    shares = None
    if groups:
        title = ctx.L("chart_transit")
        chart = Markup(
            bar_chart(
                cats,
                groups,
                title=title,
                ylabel=ctx.L("share_of_firms"),
                chart_id=f"tr-{slug}",
                lang=lang,
                percent=True,
            )
        )
        shares = {
            "caption": title,
            "columns": [_col("")] + [_col(c, True) for c in cats],
            "rows": [
                {
                    "cells": [_cell(g)]
                    + [_cell(_i18n.format_share(v, lang, decimals=1), num=True) for v in values]
                }
                for g, values in groups.items()
            ],
        }
    firms = ctx.firms_of(d)
    counts = (
        firms["rail_band"].value_counts(dropna=False)
        if "rail_band" in firms.columns
        else pd.Series(dtype=int)
    )
    total = len(firms)
    band_rows = []
    for b in ("core", "station_near", "beyond"):
        k = int(counts.get(b, 0))
        band_rows.append(
            {
                "cells": [
                    _cell(band_label(b, lang)),
                    _cell(format_number(k, lang), num=True),
                    _cell(
                        _i18n.format_share(k / total if total else float("nan"), lang, decimals=1),
                        num=True,
                    ),
                ]
            }
        )
    bands = _table(
        [
            _col(ctx.L("band")),
            _col(column_label("companies", lang), True),
            _col(ctx.L("share_of_firms"), True),
        ],
        band_rows,
        caption=ctx.L("bands_caption"),
    )
    suffix = {"detour": "walk_m", "walk": "walk_m", "network": "network_m"}.get(
        ctx.distance, "distance_m"
    )
    dcol = f"rail_{suffix}"
    if dcol in firms.columns:
        dist = pd.to_numeric(firms[dcol], errors="coerce")
        far = firms.assign(_d=dist)
        far = far[(dist > CORE_AREA_M) | dist.isna()]
        far = far.sort_values(["_d", "name"], ascending=[False, True], na_position="first")
    else:
        far = firms.iloc[0:0]
    beyond = _firm_list(
        far.iloc[0:0] if ctx.public else far,
        [
            "company_id",
            "name",
            "employees",
            "nearest_rail_name",
            "nearest_rail_mode",
            dcol,
            "nearest_bus_name",
            f"bus_{suffix}",
        ],
        lang,
    )
    beyond["label"] = ctx.L("beyond_heading", distance=format_number(CORE_AREA_M, lang))
    return {
        "figures": figs,
        "chart": chart,
        "bands": bands,
        "beyond": beyond,
        "beyond_heading": ctx.L("beyond_heading", distance=format_number(CORE_AREA_M, lang)),
        "beyond_public": ctx.L(
            "public_firms_beyond",
            count=format_number(len(far), lang),
            distance=format_number(CORE_AREA_M, lang),
        )
        if ctx.public
        else None,
        "none_beyond": ctx.L("none_beyond", distance=format_number(CORE_AREA_M, lang)),
        "shares": shares,
        "service": service_section(ctx, d, slug),
    }


def district_comparison(ctx: ReportContext, d: str) -> dict | None:
    """Return the table of figures of district ``d`` that changed between the dates."""
    if ctx.comparison is None:
        return None
    lang = ctx.lang
    columns = [
        _col(ctx.L("metric")),
        _col(_i18n.format_date(ctx.compare_as_of), True),
        _col(_i18n.format_date(ctx.as_of), True),
        _col(ctx.L("change"), True),
    ]
    rows = []
    before_table = ctx.table_before if ctx.table_before is not None else pd.DataFrame()
    if d in ctx.comparison.index:
        diff = ctx.comparison.loc[d]
        before = before_table.loc[d] if d in before_table.index else pd.Series(dtype=object)
        after = ctx.table.loc[d] if d in ctx.table.index else pd.Series(dtype=object)
        if ctx.memo.get("comparison_columns", (None,))[0] is not ctx.comparison:
            ctx.memo["comparison_columns"] = (ctx.comparison, _numeric_columns(ctx.comparison))
        for c in ctx.memo["comparison_columns"][1]:
            v = diff[c]
            b, a = before.get(c), after.get(c)
            changed = not _i18n.is_missing(v) and abs(float(v)) > 1e-12
            changed = changed or (_i18n.is_missing(b) != _i18n.is_missing(a))
            if not changed:
                continue
            rows.append(
                {
                    "cells": [
                        _cell(column_label(c, lang)),
                        _cell(format_cell(b, c, lang), num=True),
                        _cell(format_cell(a, c, lang), num=True),
                        _cell(_change(v, c, lang), num=True, cls=_change_class(v)),
                    ]
                }
            )
    table = _table(columns, rows, table_id="comparison-table")
    table["label"] = _i18n.t("report.change", lang)
    return table


#: Figures of the Fingerplan section of a district page.
_FINGERPLAN_FIGURES = (
    "fingerplan_core_companies",
    "fingerplan_core_employees",
    "fingerplan_core_ha",
    "circle_only_core_companies",
    "circle_only_core_ha",
    "large_offices_outside_core",
)


def fingerplan_section(ctx: ReportContext, d: str, slug: str) -> dict:
    """Return the Fingerplan section of district ``d``: verdict, gap, map and assumptions."""
    from areas.output.report.static_map import fingerplan_map

    lang = ctx.lang
    row = by_district(ctx.table).loc[d]
    figs = _figures(row, [c for c in _FINGERPLAN_FIGURES if c in row.index], lang)
    rows = []
    for b in ("core", "station_near", "beyond"):
        cells = [_cell(band_label(b, lang))]
        for what in ("companies", "employees", "ha"):
            col = f"fingerplan_{b}_{what}"
            value = row[col] if col in row.index else float("nan")
            cells.append(_cell(format_cell(value, col, lang), num=True))
        rows.append({"cells": cells})
    verdict = _table(
        [
            _col(ctx.L("band")),
            _col(column_label("companies", lang), True),
            _col(column_label("employees", lang), True),
            _col(column_label("area_ha", lang), True),
        ],
        rows,
        caption=ctx.L("fingerplan_caption"),
    )
    zones, _ = ctx.station_zones()
    basis = str(zones["basis"].iloc[0]) if len(zones) else ctx.distance
    params = ctx.summary.params
    if basis == "network":
        src = ctx.atlas.sources.get("network")
        where = (src.path if src is not None and src.path else None) or ctx.L("network_in_memory")
        limit = zones.attrs.get("snap_limit_m", 300.0)
        assumptions = [
            ctx.L("fingerplan_assume_network", source=where),
            ctx.L("fingerplan_assume_snap", limit=format_number(limit, lang)),
            ctx.L("fingerplan_assume_from"),
            ctx.L("fingerplan_assume_zone"),
        ]
        unreachable = zones.attrs.get("stations_unreachable") or []
        if unreachable:
            assumptions.append(ctx.L("fingerplan_assume_unreachable", ids=", ".join(unreachable)))
    else:
        factor = format_number(params.detour_factor, lang, decimals=2)
        words = {
            "straight": ("straight-line", "luftlinjeafstand"),
            "detour": ("detour-estimate", "anslået gangafstand"),
        }.get(basis, (basis, basis))
        assumptions = [
            ctx.L(
                "fingerplan_assume_no_network",
                basis=words[1] if lang == "da" else words[0],
                factor=factor,
            ),
            ctx.L("fingerplan_assume_from"),
        ]
    assumptions.append(ctx.L("fingerplan_assume_stations"))
    return {
        "figures": figs,
        "verdict": verdict,
        "map": fingerplan_map(ctx, d, f"fp-{slug}"),
        "assumptions": assumptions,
    }
