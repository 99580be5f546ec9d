"""The static (print) maps of a report page: the district and its Fingerplan zones."""

from __future__ import annotations

from typing import Any

import numpy as np
from markupsafe import Markup

import areas.output.i18n as _i18n
from areas.output.report.context import ReportContext
from areas.schema import MODE_GROUPS


def _layer_arrays(ctx: ReportContext) -> dict[str, Any]:
    """Return the geometries every static map draws from, as arrays, made once a report."""
    if "static_layers" not in ctx.memo:
        atlas = ctx.atlas
        ctx.memo["static_layers"] = {
            "districts": (
                atlas.districts["district_id"].astype(str).to_numpy(dtype=object),
                np.asarray(atlas.districts.geometry.array, dtype=object),
            ),
            "bids": np.asarray(atlas.bids.geometry.array, dtype=object)[ctx.bid_mask],
            "plots": np.asarray(atlas.rewilding.geometry.array, dtype=object)[ctx.plot_mask],
        }
    return ctx.memo["static_layers"]


def static_map(ctx: ReportContext, district: str | None, chart_id: str) -> Any:
    """Return the static print map of the overview (``district`` None) or one district."""
    from areas.output.charts import static_map

    atlas = ctx.atlas
    polys: list[tuple[str, list, dict[str, Any]]] = []
    if district is None:
        dist = atlas.districts[atlas.districts["district_id"].astype(str).isin(ctx.selected)]
        extent = tuple(dist.total_bounds) if len(dist) else None
        title = ctx.L("overview_map")
        polys.append(
            (
                _i18n.t("layer.districts", ctx.lang),
                list(dist.geometry),
                {"facecolor": "#dbe8f3", "edgecolor": "#1b6ca8", "linewidth": 1.0},
            )
        )
    else:
        row = ctx.districts_by_id.loc[district]
        x0, y0, x1, y1 = row.geometry.bounds
        pad = 300.0
        extent = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        title = str(row["name"])
        ids, geoms = _layer_arrays(ctx)["districts"]
        others = geoms[ids != district]
        if len(others):
            polys.append(
                (
                    "",
                    others,
                    {"facecolor": "#f0f0f0", "edgecolor": "#bbbbbb", "linewidth": 0.6},
                )
            )
        polys.append(
            (
                str(row["name"]),
                [row.geometry],
                {"facecolor": "#dbe8f3", "edgecolor": "#1b6ca8", "linewidth": 1.4},
            )
        )
    layers = _layer_arrays(ctx)
    bids = layers["bids"]
    if len(bids):
        polys.append(
            (
                _i18n.t("layer.bids", ctx.lang),
                bids,
                {"facecolor": "none", "edgecolor": "#e69f00", "linewidth": 1.2, "hatch": "///"},
            )
        )
    plots = layers["plots"]
    if len(plots):
        polys.append(
            (
                _i18n.t("layer.rewilding", ctx.lang),
                plots,
                {
                    "facecolor": "#009e73",
                    "edgecolor": "#006b4e",
                    "alpha": 0.8,
                    "linewidth": 0.5,
                },
            )
        )
    points: list[tuple[str, np.ndarray, dict[str, Any]]] = []
    firms = ctx.companies if district is None else ctx.firms_of(district)
    xy = firms[["easting_m", "northing_m"]].dropna().to_numpy()
    if extent is not None and len(xy):
        inside = (
            (xy[:, 0] >= extent[0])
            & (xy[:, 0] <= extent[2])
            & (xy[:, 1] >= extent[1])
            & (xy[:, 1] <= extent[3])
        )
        xy = xy[inside]
    if ctx.public:  # the public edition draws no single firm
        xy = xy[:0]
    points.append(
        (
            _i18n.t("layer.companies", ctx.lang),
            xy,
            {
                "s": 9 if len(xy) < 500 else (4 if len(xy) < 5000 else 1),
                "color": "#444444",
                "linewidths": 0,
            },
        )
    )
    stops = atlas.stops[ctx.stop_mask]
    rail = stops[stops["mode"].isin(MODE_GROUPS["rail"])]
    if len(rail):
        sxy = np.column_stack([rail.geometry.x, rail.geometry.y])
        if extent is not None:
            pad = 1500.0
            keep = (
                (sxy[:, 0] >= extent[0] - pad)
                & (sxy[:, 0] <= extent[2] + pad)
                & (sxy[:, 1] >= extent[1] - pad)
                & (sxy[:, 1] <= extent[3] + pad)
            )
            sxy = sxy[keep]
        points.append(
            (
                _i18n.t("group.rail", ctx.lang),
                sxy,
                {
                    "s": 30,
                    "marker": "s",
                    "color": "#cc0000",
                    "edgecolors": "white",
                    "linewidths": 0.8,
                },
            )
        )
    return Markup(
        static_map(title=title, polygons=polys, points=points, extent=extent, chart_id=chart_id)
    )


#: Tolerance (m) to which the zones are simplified for the printed maps: a tenth of a point
#: at 1:35,000, well inside the zones' own sampling of 10 m.
PRINT_SIMPLIFY_M = 1.0


def _print_zones(ctx: ReportContext) -> dict[float, list]:
    """Return the walking zones per band, valid and simplified for print, made once a report."""
    import shapely

    if "print_zones" not in ctx.memo:
        zones, _ = ctx.station_zones()
        geoms = np.asarray(zones.geometry.array, dtype=object)
        bands = zones["band_m"].to_numpy(dtype=float)
        simple = shapely.make_valid(
            shapely.simplify(geoms, PRINT_SIMPLIFY_M, preserve_topology=True)
        )
        ctx.memo["print_zones"] = {band: list(simple[bands == band]) for band in (1200.0, 600.0)}
    return ctx.memo["print_zones"]


def fingerplan_map(ctx: ReportContext, district: str, chart_id: str) -> Any:
    """Return the static map of district ``district``: walking zones against the circles."""
    from areas.output.charts import static_map

    zones, circles = ctx.station_zones()
    print_zones = _print_zones(ctx)
    row = ctx.districts_by_id.loc[district]
    x0, y0, x1, y1 = row.geometry.bounds
    pad = 600.0
    extent = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    polys: list[tuple[str, list, dict[str, Any]]] = [
        (
            str(row["name"]),
            [row.geometry],
            {"facecolor": "#f4f4f4", "edgecolor": "#1b6ca8", "linewidth": 1.4},
        )
    ]
    styles = {
        1200.0: {"facecolor": "#cfe3f2", "edgecolor": "#6aa5cf", "alpha": 0.6, "linewidth": 0.6},
        600.0: {"facecolor": "#1b6ca8", "edgecolor": "#0d3f66", "alpha": 0.55, "linewidth": 0.8},
    }
    basis = str(zones["basis"].iloc[0]) if len(zones) else "straight"
    for band in (1200.0, 600.0):
        geoms = print_zones[band]
        if geoms:
            label = ctx.L(
                "fingerplan_zone" if basis == "network" else "fingerplan_circle_zone",
                distance=_i18n.format_number(band, ctx.lang),
            )
            polys.append((label, geoms, styles[band]))
    rings = list(circles.geometry[circles["band_m"] == 600.0])
    if rings and basis != "straight":
        polys.append(
            (
                ctx.L("fingerplan_circle", distance=_i18n.format_number(600, ctx.lang)),
                rings,
                {"facecolor": "none", "edgecolor": "#cc0000", "linewidth": 1.2, "linestyle": "--"},
            )
        )
    firms = ctx.firms_of(district)
    xy = firms[["easting_m", "northing_m"]].dropna().to_numpy()
    points: list[tuple[str, np.ndarray, dict[str, Any]]] = [
        (
            _i18n.t("layer.companies", ctx.lang),
            xy,
            {"s": 6 if len(xy) < 500 else 2, "color": "#444444", "linewidths": 0},
        )
    ]
    stations = ctx.atlas.stops[
        ctx.atlas.stops["stop_id"].astype(str).isin(set(zones["station_id"]))
    ]
    if len(stations):
        points.append(
            (
                ctx.L("fingerplan_stations"),
                np.column_stack([stations.geometry.x, stations.geometry.y]),
                {"s": 30, "marker": "s", "color": "#cc0000", "edgecolors": "white"},
            )
        )
    title = ctx.L("fingerplan_map_title", district=str(row["name"]))
    return Markup(
        static_map(title=title, polygons=polys, points=points, extent=extent, chart_id=chart_id)
    )
