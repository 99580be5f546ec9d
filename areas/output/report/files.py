"""The report's data files: the maps, the tables and the GeoPackage of result layers."""

from __future__ import annotations

import pandas as pd

from areas.columns import unit_of
from areas.output.i18n import column_label
from areas.output.report.context import ReportContext
from areas.output.report.pages import summary_rows
from areas.output.styles import write_gpkg_styles
from areas.schema import WORK_CRS

#: Result layers of ``results.gpkg`` and their geometry types.
GPKG_LAYERS = {
    "districts": "MultiPolygon",
    "companies": "Point",
    "stops_in_service": "Point",
    "active_bids": "MultiPolygon",
    "rewilding_plots": "MultiPolygon",
}


def write_maps(ctx: ReportContext) -> None:
    """Write the overview map and one map per district."""
    from areas.output.maps import MapOptions, overview_map, save_map
    from areas.output.maps.build import district_maps

    opts = MapOptions(as_of=ctx.as_of, include=ctx.include, lang=ctx.lang)
    save_map(overview_map(ctx.atlas, ctx.summary, options=opts), ctx.rel("map.html"))
    ctx.steps.advance()
    for d, fmap in district_maps(ctx.atlas, ctx.selected, ctx.summary, options=opts):
        save_map(fmap, ctx.rel("districts", f"{ctx.slugs[d]}.map.html"))
        ctx.steps.advance()


def write_tables(ctx: ReportContext) -> None:
    """Write ``summary.csv``/``.xlsx``, ``companies.csv``/``.xlsx`` and ``results.gpkg``."""
    from areas.output.export import writer_for

    def write(data: object, name: str, **options: object) -> None:
        writer_for(name).write(data, ctx.rel(name), **options)

    dialect = ctx.options.csv_dialect
    table = summary_rows(ctx)
    write(table, "summary.csv", dialect=dialect)
    ctx.csv_rows["summary.csv"] = len(table)
    about = pd.DataFrame(
        {
            "column": [str(c) for c in table.columns],
            "label": [column_label(str(c), ctx.lang) for c in table.columns],
        }
    )
    write({"summary": table, ctx.L("sheet_columns"): about}, "summary.xlsx")
    write(ctx.companies, "companies.csv", dialect=dialect)
    ctx.csv_rows["companies.csv"] = len(ctx.companies)
    firms_about = pd.DataFrame(
        {
            "column": [str(c) for c in ctx.companies.columns],
            "label": [column_label(str(c), ctx.lang) for c in ctx.companies.columns],
        }
    )
    write({"companies": ctx.companies, ctx.L("sheet_columns"): firms_about}, "companies.xlsx")
    layers = result_layers(ctx, table)
    write(layers, "results.gpkg", crs=WORK_CRS, geometry_types=GPKG_LAYERS)
    # styled in the staging folder, so that the file provenance.json hashes is the styled one
    write_gpkg_styles(
        ctx.staging / "results.gpkg",  # already recorded by ctx.rel above
        lang=ctx.lang,
        as_of=ctx.as_of,
        scenario=ctx.summary.params,
    )
    ctx.gpkg = {name: len(frame) for name, frame in layers.items()}
    ctx.layers = layers


def write_database(ctx: ReportContext) -> dict[str, int]:
    """Write the result layers to ``options.database``, schema ``options.schema``, at once."""
    from areas.output.database import write_postgis

    assert ctx.options.database is not None and ctx.options.schema is not None
    return write_postgis(ctx.layers, ctx.options.database, ctx.options.schema, crs=WORK_CRS)


def _whole_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with float count columns holding whole numbers as ``Int64``."""
    for name in frame.columns:
        col = frame[name]
        if unit_of(str(name)) != "count" or not pd.api.types.is_float_dtype(col.dtype):
            continue
        known = col.dropna()
        if bool((known == known.round()).all()):
            frame[name] = col.round().astype("Int64")
    return frame


def result_layers(ctx: ReportContext, table: pd.DataFrame) -> dict:
    """Return the result layers of ``results.gpkg``, limited to the selected districts."""
    import geopandas as gpd

    atlas = ctx.atlas
    sel = set(ctx.selected)
    dist = atlas.districts[atlas.districts["district_id"].astype(str).isin(sel)]
    extra = table.drop(
        columns=[c for c in ("name", "municipality", "status") if c in table.columns]
    )
    districts = dist[["district_id", "name", "municipality", "status", "geometry"]].merge(
        extra, on="district_id", how="left", suffixes=(False, False)
    )
    districts = gpd.GeoDataFrame(districts, geometry="geometry", crs=atlas.districts.crs)

    firms = atlas.companies.loc[ctx.companies.index, ["geometry"]]
    companies = gpd.GeoDataFrame(
        ctx.companies.drop(columns=["easting_m", "northing_m"]),
        geometry=firms.geometry,
        crs=atlas.companies.crs,
    )

    stops = atlas.stops[ctx.stop_mask].copy()

    area = dist.geometry.union_all() if len(dist) else None
    subset = len(sel) != len(atlas.districts)

    bids = atlas.bids[ctx.bid_mask].copy()
    bid_stats = pd.DataFrame(ctx.summary.bid.bids)
    if len(bid_stats) and "bid_id" in bid_stats.columns:
        # the BID statistics restate start, end and invited, count `members` among the
        # firms and keep the layer's own figure as `members_reported`: they replace the
        # layer's columns of the same name (no `_x`/`_y` pairs)
        stats = bid_stats.drop(
            columns=[c for c in ("name", "district_id") if c in bid_stats.columns]
        ).drop_duplicates("bid_id")
        restated = [c for c in stats.columns if c != "bid_id" and c in bids.columns]
        bids = bids.drop(columns=restated).merge(
            stats, on="bid_id", how="left", suffixes=(False, False)
        )
    bids = gpd.GeoDataFrame(bids, geometry="geometry", crs=atlas.bids.crs)
    plots = atlas.rewilding[ctx.plot_mask].copy()
    if subset and area is not None:
        bids = bids[bids.intersects(area)]
        plots = plots[plots.intersects(area)]
    plots["area_ha"] = plots.geometry.area / 10_000
    layers = {
        "districts": districts,
        "companies": companies,
        "stops_in_service": stops,
        "active_bids": bids,
        "rewilding_plots": plots,
    }
    return {name: _whole_counts(frame) for name, frame in layers.items()}
