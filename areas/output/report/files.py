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
    "station_zones": "MultiPolygon",
    "station_circles": "MultiPolygon",
}
#: The public edition's firm layer of ``results.gpkg``: counts per grid cell, no single firm.
PUBLIC_GPKG_LAYERS = {
    **{k: v for k, v in GPKG_LAYERS.items() if k != "companies"},
    "company_cells": "Polygon",
}
#: Cell size (m, EPSG:25832) of the public edition's firm counts.
PUBLIC_CELL_M = 250.0
#: Columns of a firm that the public edition never writes (it writes no firm at all;
#: rewilding plots drop their owner, which is often a firm).
PRIVATE_PLOT_COLUMNS = ("owner",)


def map_options(ctx: ReportContext):
    """Return the :class:`~areas.output.maps.options.MapOptions` of the report's maps."""
    from areas.output.maps import MapOptions

    o = ctx.options
    return MapOptions(
        as_of=ctx.as_of,
        include=ctx.include,
        lang=ctx.lang,
        tiles=o.tiles,
        tiles_attribution=o.tiles_attribution,
        background=o.background,
        accessibility_statement=o.accessibility_statement,
        public=o.public,
        min_cell_firms=o.public_min_firms,
        grid_m=PUBLIC_CELL_M,
    )


def write_maps(ctx: ReportContext) -> None:
    """Write the overview map and one map per district."""
    from areas.output.maps import save_map
    from areas.output.maps.build import report_maps

    opts = map_options(ctx)
    for d, fmap in report_maps(ctx.atlas, ctx.selected, ctx.summary, options=opts):
        name = ("map.html",) if d is None else ("districts", f"{ctx.slugs[d]}.map.html")
        save_map(fmap, ctx.rel(*name))
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
    if not ctx.public:
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
    types = PUBLIC_GPKG_LAYERS if ctx.public else GPKG_LAYERS
    write(layers, "results.gpkg", crs=WORK_CRS, geometry_types=types)
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
    zones, circles = ctx.station_zones()
    if ctx.public:
        plots = plots.drop(columns=[c for c in PRIVATE_PLOT_COLUMNS if c in plots.columns])
        layers = {
            "districts": districts,
            "stops_in_service": stops,
            "active_bids": bids,
            "rewilding_plots": plots,
            "company_cells": company_cells(companies, PUBLIC_CELL_M, ctx.options.public_min_firms),
            "station_zones": zones,
            "station_circles": circles,
        }
        return {name: _whole_counts(frame) for name, frame in layers.items()}
    layers = {
        "districts": districts,
        "companies": companies,
        "stops_in_service": stops,
        "active_bids": bids,
        "rewilding_plots": plots,
        "station_zones": zones,
        "station_circles": circles,
    }
    return {name: _whole_counts(frame) for name, frame in layers.items()}


def company_cells(companies, cell_m: float, minimum: int):
    """Firms counted per square cell of ``cell_m`` metres; cells under ``minimum`` left out.

    Columns: ``cell_id``, ``companies``, ``employees`` and, per district, nothing
    else: no value of a single firm.
    """
    import geopandas as gpd
    import numpy as np
    import shapely

    geoms = np.asarray(companies.geometry.values, dtype=object)
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    xy = shapely.get_coordinates(geoms[located])
    employees = pd.to_numeric(companies.loc[located, "employees"], errors="coerce").fillna(0)
    ix = np.floor(xy[:, 0] / cell_m).astype(np.int64)
    iy = np.floor(xy[:, 1] / cell_m).astype(np.int64)
    frame = pd.DataFrame({"ix": ix, "iy": iy, "employees": employees.to_numpy()})
    cells = frame.groupby(["ix", "iy"]).agg(
        companies=("employees", "size"), employees=("employees", "sum")
    )
    cells = cells[cells["companies"] >= minimum].reset_index()
    boxes = shapely.box(
        cells["ix"] * cell_m,
        cells["iy"] * cell_m,
        (cells["ix"] + 1) * cell_m,
        (cells["iy"] + 1) * cell_m,
    )
    return gpd.GeoDataFrame(
        {
            "cell_id": [
                f"{int(a)}_{int(b)}" for a, b in zip(cells["ix"], cells["iy"], strict=True)
            ],
            "companies": cells["companies"].astype("int64"),
            "employees": cells["employees"].round().astype("int64"),
        },
        geometry=boxes,
        crs=WORK_CRS,
    )
