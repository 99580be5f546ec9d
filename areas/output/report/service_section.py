"""The service-frequency part of a district page's transit section.

Departures per hour within 600 m and the PTAL index (medians of the
district's firms), a chart of the departures per hour of the stations within
the PTAL rail catchment of the district's firms, and the shares of firms and
jobs in each PTAL band. Without service data the part is one sentence: no
frequency data (never zeros).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

import areas.output.i18n as _i18n
from areas.output.report.context import ReportContext
from areas.output.report.tables import _cell, _col, _figures, _table

__all__ = ["service_section", "MAX_STATIONS"]

#: Stations shown in the frequency chart (the busiest in reach of the district's firms).
MAX_STATIONS = 12
_FIGURES = (
    "departures_per_hour_600m_median",
    "ptal_ai_median",
    "departures_per_hour_600m_unknown_companies",
)


def _stations_in_reach(ctx: ReportContext, service: Any, d: str) -> pd.DataFrame:
    """Stations within the PTAL rail catchment of a firm of district ``d``, busiest first."""
    st = service.frequency.stations
    ids = ctx.summary.assignment
    firms_ids = set(ids.loc[ids["district_id"] == d, "company_id"].astype(str))
    companies = ctx.atlas.companies
    mine = companies[companies["company_id"].astype(str).isin(firms_ids).to_numpy()]
    mine = mine[~(mine.geometry.isna() | mine.geometry.is_empty).to_numpy()]
    located = st[~(st.geometry.isna() | st.geometry.is_empty).to_numpy()]
    if not len(mine) or not len(located):
        return located.iloc[0:0]
    reach = float(service.params["ptal"]["rail_catchment_m"])
    area = mine.geometry.union_all()
    near = located[located.geometry.distance(area).to_numpy() <= reach]
    order = near.assign(_known=near["departures_per_hour"].notna())
    order = order.sort_values(
        ["_known", "departures_per_hour", "name"], ascending=[False, False, True]
    )
    return order.head(MAX_STATIONS)


def service_section(ctx: ReportContext, d: str, slug: str) -> dict:
    """Return the service part of district ``d``'s transit section."""
    from areas.output.charts import frequency_chart

    lang = ctx.lang
    service = getattr(ctx.summary, "service", None)
    no_data = _i18n.t("no_frequency_data", lang)
    if service is None:
        return {"note": ctx.L("service_none", no_data=no_data)}
    table = ctx.summary.table.set_index("district_id")
    row = table.loc[d]
    p = service.params
    window = "–".join(p.get("service_window") or ())
    heading = ctx.L("service_heading", date=p.get("service_date") or "–", window=window)
    figures = _figures(row, _FIGURES, lang)
    st = _stations_in_reach(ctx, service, d)
    chart = None
    if len(st):
        title = ctx.L("chart_frequency")
        chart = Markup(
            frequency_chart(
                [str(n) for n in st["name"].fillna(st["station_id"])],
                st["departures_per_hour"].to_numpy(dtype=float),
                title=title,
                xlabel=_i18n.column_label("departures_per_hour", lang),
                no_data=no_data,
                chart_id=f"fq-{slug}",
                lang=lang,
            )
        )
    rows = []
    for band in service.districts.columns.str.extract(r"^ptal_(\w+)_companies_share$")[0].dropna():
        firms = row.get(f"ptal_{band}_companies_share", np.nan)
        jobs = row.get(f"ptal_{band}_employees_share", np.nan)
        rows.append(
            {
                "cells": [
                    _cell(str(band)),
                    _cell(_i18n.format_share(firms, lang, decimals=1), num=True),
                    _cell(_i18n.format_share(jobs, lang, decimals=1), num=True),
                ]
            }
        )
    bands = _table(
        [
            _col(_i18n.column_label("ptal_band", lang)),
            _col(ctx.L("share_of_firms"), True),
            _col(ctx.L("share_of_jobs"), True),
        ],
        rows,
        caption=ctx.L("ptal_caption"),
        note=ctx.L("ptal_note"),
    )
    unknown = p.get("stops_without_frequency_data") or []
    note = ctx.L("service_unknown", count=len(unknown), no_data=no_data) if unknown else None
    return {
        "note": None,
        "heading": heading,
        "figures": figures,
        "chart": chart,
        "bands": bands,
        "unknown": note,
    }
