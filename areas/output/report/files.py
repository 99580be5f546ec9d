"""The report's data files: the maps, the tables and the GeoPackage of result layers."""

from __future__ import annotations

import pandas as pd

from areas.output.i18n import column_label
from areas.output.report.context import ReportContext
from areas.output.report.pages import summary_rows
from areas.schema import WORK_CRS

#: Result layers of ``results.gpkg`` and their geometry types.
GPKG_LAYERS = {
    "districts": "MultiPolygon",
    "companies": "Point",
    "stops_in_service": "Point",
    "active_bids": "MultiPolygon",
    "rewilding_plots": "MultiPolygon",
    "station_zones": "MultiPolygon",
    "station_circles": "MultiPolygon",
}


def write_maps(ctx: ReportContext) -> None:
    """Write the overview map and one map per district."""
    from areas.output.maps import MapOptions, district_map, overview_map, save_map

    opts = MapOptions(as_of=ctx.as_of, include=ctx.include, lang=ctx.lang)
    save_map(overview_map(ctx.atlas, ctx.summary, options=opts), ctx.rel("map.html"))
    ctx.steps.advance()
    for d in ctx.selected:
        fmap = district_map(ctx.atlas, d, ctx.summary, options=opts)
        save_map(fmap, ctx.rel("districts", f"{ctx.slugs[d]}.map.html"))
        ctx.steps.advance()


def write_tables(ctx: ReportContext) -> None:
    """Write ``summary.csv``, ``summary.xlsx``, ``companies.csv`` and ``results.gpkg``."""
    from areas.output.export import writer_for

    def write(data: object, name: str, **options: object) -> None:
        writer_for(name).write(data, ctx.rel(name), **options)

    table = summary_rows(ctx)
    write(table, "summary.csv")
    ctx.csv_rows["summary.csv"] = len(table)
    about = pd.DataFrame(
        {
            "column": [str(c) for c in table.columns],
            "label": [column_label(str(c), ctx.lang) for c in table.columns],
        }
    )
    write({"summary": table, ctx.L("sheet_columns"): about}, "summary.xlsx")
    write(ctx.companies, "companies.csv")
    ctx.csv_rows["companies.csv"] = len(ctx.companies)
    layers = result_layers(ctx, table)
    write(layers, "results.gpkg", crs=WORK_CRS, geometry_types=GPKG_LAYERS)
    ctx.gpkg = {name: len(frame) for name, frame in layers.items()}


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
        extra, on="district_id", how="left"
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
        stats = bid_stats.drop(
            columns=[c for c in ("name", "district_id") if c in bid_stats.columns]
        )
        bids = bids.merge(stats.drop_duplicates("bid_id"), on="bid_id", how="left")
    bids = gpd.GeoDataFrame(bids, geometry="geometry", crs=atlas.bids.crs)
    plots = atlas.rewilding[ctx.plot_mask].copy()
    if subset and area is not None:
        bids = bids[bids.intersects(area)]
        plots = plots[plots.intersects(area)]
    plots["area_ha"] = plots.geometry.area / 10_000
    zones, circles = ctx.station_zones()
    return {
        "districts": districts,
        "companies": companies,
        "stops_in_service": stops,
        "active_bids": bids,
        "rewilding_plots": plots,
        "station_zones": zones,
        "station_circles": circles,
    }
