"""The pages of a report: the front page and one page per district."""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

import areas.output.i18n as _i18n
from areas.output.i18n import column_label, format_cell, format_number, status_label
from areas.output.report import sections
from areas.output.report.context import ReportContext
from areas.output.report.static_map import static_map
from areas.output.report.tables import (
    _cell,
    _change,
    _change_class,
    _col,
    _figures,
    _headers,
    _is_num_column,
    _table,
)
from areas.output.terminal import terminal_text

#: Columns of the summary table on the front page, in order (those present are shown).
_INDEX_COLUMNS = (
    "municipality",
    "status",
    "area_ha",
    "companies",
    "employees",
    "bid_area_share",
    "companies_in_bid_share",
    "bid_participation_share",
    "rewilded_ha",
    "rewilded_share",
    "rail_600m_companies_share",
    "rail_600m_employees_share",
    "median_rail_distance_m",
)
#: Summary columns added up in the total row.
_ADDITIVE = (
    "area_ha",
    "companies",
    "employees",
    "bid_area_ha",
    "companies_in_bid",
    "bid_members",
    "rewilded_ha",
)

#: Columns compared on the front page when ``compare_as_of`` is given.
_INDEX_COMPARE = (
    "companies_in_bid_share",
    "bid_area_share",
    "rewilded_ha",
    "rail_600m_companies_share",
    "rail_600m_employees_share",
    "median_rail_distance_m",
)


def _visible(value: Any) -> Any:
    """Show control characters in user text as visible escapes, as the terminal does."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return terminal_text(value, keep_newlines=True)
    return value


def setup_templates(ctx: ReportContext) -> None:
    """Load the page templates and the context every page shares."""
    import jinja2
    from markupsafe import Markup

    loader = jinja2.PackageLoader("areas.output.report", "templates")
    ctx.env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        finalize=_visible,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    css = loader.get_source(ctx.env, "report.css")[0]
    print_css = loader.get_source(ctx.env, "print.css")[0]
    statuses = ", ".join(
        status_label(s, ctx.lang) for s in ctx.provenance["parameters"]["statuses_counted"]
    )
    ctx.common = {
        "public_note": ctx.L("public_note") if ctx.public else None,
        "statement": ctx.options.accessibility_statement,
        "lang": ctx.lang,
        "t": ctx.L,
        "css": Markup(css),
        "print_css": Markup(print_css),
        "prov": ctx.prov_view,
        "meta_line": ctx.L(
            "meta_line",
            as_of=ctx.provenance["parameters"]["as_of"],
            statuses=statuses,
            distance=ctx.prov_view["distance"],
        ),
    }


def summary_rows(ctx: ReportContext) -> pd.DataFrame:
    """Return the summary table's rows of the selected districts."""
    table = pd.DataFrame(ctx.summary.table)
    if "district_id" in table.columns:
        table = table[table["district_id"].astype(str).isin(ctx.selected)]
    return table


def summary_table(ctx: ReportContext) -> dict:
    """Return the front page's summary table, with a total row."""
    lang = ctx.lang
    table = summary_rows(ctx)
    cols = [c for c in _INDEX_COLUMNS if c in table.columns]
    columns = [_col(column_label("name", lang)), *_headers(cols, lang)]
    rows: list[dict[str, Any]] = []
    for _, r in table.iterrows():
        d = str(r["district_id"])
        cells = [_cell(str(r.get("name", d)), href=f"districts/{ctx.slugs[d]}.html")]
        cells += [_cell(format_cell(r[c], c, lang), num=_is_num_column(c)) for c in cols]
        rows.append({"cells": cells})
    if len(table) > 1:
        # A withdrawn district (Holmene) is listed but is no business area: leave it
        # out of the sums, and say so.
        withdrawn = (table["status"].astype(str) == "withdrawn").to_numpy()
        live = table[~withdrawn]
        total = [_cell(ctx.L("total_live" if withdrawn.any() else "total"))]
        for c in cols:
            if c in _ADDITIVE:
                total.append(
                    _cell(
                        format_cell(pd.to_numeric(live[c], errors="coerce").sum(), c, lang),
                        num=True,
                    )
                )
            else:
                total.append(_cell("", num=_is_num_column(c)))
        rows.append({"cells": total, "cls": "total"})
    table = _table(columns, rows, table_id="summary-table")
    table["label"] = ctx.L("summary")
    return table


def index_comparison(ctx: ReportContext) -> dict | None:
    """Return the front page's table of changes, or None without a second date."""
    if ctx.comparison is None:
        return None
    lang = ctx.lang
    cols = [c for c in _INDEX_COMPARE if c in ctx.comparison.columns]
    columns = [_col(column_label("name", lang))] + [_col(column_label(c, lang), True) for c in cols]
    rows = []
    for d in ctx.selected:
        if d not in ctx.comparison.index:
            continue
        r = ctx.comparison.loc[d]
        cells = [
            _cell(str(ctx.districts_by_id.loc[d, "name"]), href=f"districts/{ctx.slugs[d]}.html")
        ]
        for c in cols:
            v = r[c]
            cells.append(_cell(_change(v, c, lang), num=True, cls=_change_class(v)))
        rows.append({"cells": cells})
    table = _table(columns, rows, table_id="comparison-table")
    table["label"] = comparison_heading(ctx)
    return table


def comparison_heading(ctx: ReportContext) -> str:
    """Return the heading of the change tables (empty without a second date)."""
    if ctx.compare_as_of is None:
        return ""
    return ctx.L(
        "change_heading",
        before=_i18n.format_date(ctx.compare_as_of),
        after=_i18n.format_date(ctx.as_of),
    )


def write_index(ctx: ReportContext) -> None:
    """Write the front page, ``index.html``."""
    lang = ctx.lang
    table = summary_rows(ctx)
    links = []
    for d in ctx.selected:
        row = ctx.districts_by_id.loc[d]
        status = str(row["status"])
        links.append(
            {
                "href": f"districts/{ctx.slugs[d]}.html",
                "name": str(row["name"]),
                "municipality": ctx.L("district_in", municipality=str(row["municipality"])),
                "status_text": None if status == "existing" else status_label(status, lang),
            }
        )

    def total(column: str, decimals: int = 0) -> dict:
        value = pd.to_numeric(table[column], errors="coerce").sum() if column in table else None
        return {
            "label": column_label(column, lang),
            "value": format_number(value, lang, decimals=decimals),
        }

    def count(key: str, n: int) -> dict:
        return {"label": ctx.L(key), "value": format_number(n, lang)}

    key_figures = [
        count("districts_count", len(ctx.selected)),
        total("companies"),
        total("employees"),
        total("rewilded_ha", decimals=1),
        count("active_bids_count", int(ctx.bid_mask.sum())),
        count("stops_count", int(ctx.stop_mask.sum())),
    ]
    downloads = [
        {"href": name, "name": name, "text": ctx.L(key)}
        for name, key in (
            ("map.html", "dl_map"),
            ("summary.csv", "dl_summary_csv"),
            ("summary.xlsx", "dl_summary_xlsx"),
            *(
                ()
                if ctx.public
                else (
                    ("companies.csv", "dl_companies_csv"),
                    ("companies.xlsx", "dl_companies_xlsx"),
                )
            ),
            ("results.gpkg", "dl_results_gpkg"),
            ("provenance.json", "dl_provenance"),
        )
    ]
    ctx.render(
        "index.html",
        ("index.html",),
        root="",
        page_title=f"{ctx.L('index_title')} — {ctx.provenance['parameters']['as_of']}",
        heading=ctx.L("index_title"),
        map_src="map.html",
        static_map=static_map(ctx, None, "overview-map"),
        key_figures=key_figures,
        summary_table=summary_table(ctx),
        comparison=index_comparison(ctx),
        comparison_heading=comparison_heading(ctx),
        district_links=links,
        downloads=downloads,
    )


def write_district(ctx: ReportContext, d: str) -> str:
    """Write the page of district ``d``; return its path in the report."""
    lang = ctx.lang
    slug = ctx.slugs[d]
    row = ctx.districts_by_id.loc[d]
    srow = ctx.table.loc[d] if d in ctx.table.index else pd.Series(dtype=object)
    status = str(row["status"])
    status_note = {
        "withdrawn": "status_withdrawn",
        "planned": "status_planned",
        "study": "status_study",
    }.get(status)
    key_figures = _figures(srow, sections.KEY_FIGURES, lang)
    rel = ("districts", f"{slug}.html")
    ctx.render(
        "district.html",
        rel,
        root="../",
        page_title=f"{row['name']} — {ctx.provenance['parameters']['as_of']}",
        heading=str(row["name"]),
        status_note=ctx.L(status_note) if status_note else None,
        key_figures=key_figures,
        map_src=f"{slug}.map.html",
        static_map=static_map(ctx, d, f"map-{slug}"),
        bid=sections.bid_section(ctx, d, slug),
        rewilding=sections.rewilding_section(ctx, d, slug),
        transit=sections.transit_section(ctx, d, slug),
        fingerplan=sections.fingerplan_section(ctx, d, slug),
        comparison=sections.district_comparison(ctx, d),
        comparison_heading=comparison_heading(ctx),
    )
    return "/".join(rel)
