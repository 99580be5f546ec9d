"""The data of the districts, BID, rewilding, stop and catchment layers, as GeoJSON features."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import areas.output.i18n as _i18n
from areas.output.i18n import (
    MISSING,
    column_label,
    format_date,
    format_number,
    format_share,
    t,
    value_label,
)
from areas.output.maps.context import MapContext
from areas.output.maps.geo import (
    _feature,
    _lookup,
    _number,
    _text,
    _web_geometries,
)
from areas.output.maps.styles import (
    BID_STYLE,
    CATCHMENTS_M,
    DISTRICT_STYLES,
    FOCUS_STYLE,
    REWILDING_STYLE,
    _stop_style,
)
from areas.scenario import active_bids, plots_established, stops_in_service
from areas.schema import (
    MODE_GROUPS,
    MODES,
    SQM_PER_HA,
    STATUSES,
)


def _stop_states(stops: pd.DataFrame, as_of: pd.Timestamp) -> np.ndarray:
    """Display state of each stop: in service on ``as_of``, else its plan status."""
    in_service = stops_in_service(stops, as_of, ()) if len(stops) else np.zeros(0, bool)
    status = stops["status"].astype("string").fillna("planned").to_numpy(dtype=object)
    state = np.where(
        status == "withdrawn", "withdrawn", np.where(status == "study", "study", "planned")
    )
    return np.where(in_service, "in_service", state).astype(object)


def _catchment_geometries(
    stops: gpd.GeoDataFrame, counted: np.ndarray, radius_m: float, simplify_m: float
) -> shapely.Geometry | None:
    rail = stops["mode"].isin(MODE_GROUPS["rail"]).to_numpy() & counted
    points = stops.geometry.values[rail]
    if len(points) == 0:
        return None
    area = shapely.union_all(
        shapely.buffer(np.asarray(points, dtype=object), radius_m, quad_segs=16)
    )
    return shapely.simplify(area, simplify_m, preserve_topology=True) if simplify_m else area


def _walking_zones(ctx: MapContext) -> gpd.GeoDataFrame | None:
    """Return the walking station zones when the map walks along a network, else None."""
    if not (ctx.network and ctx.atlas.has_network):
        return None
    from areas.analysis.fingerplan import station_zones  # the maps only call the analysis

    return station_zones(
        ctx.atlas, CATCHMENTS_M, as_of=ctx.as_of, include=ctx.include, distance="network"
    )


def _zone_geometry(zones: gpd.GeoDataFrame, band_m: float, simplify_m: float):
    parts = np.asarray(zones.geometry.array, dtype=object)[zones["band_m"].to_numpy() == band_m]
    if not len(parts):
        return None
    area = shapely.union_all(parts)
    return shapely.simplify(area, simplify_m, preserve_topology=True) if simplify_m else area


def _district_layer(
    ctx: MapContext, simplify_m: float, focus: frozenset[str]
) -> tuple[list[dict], dict]:
    lang = ctx.lang
    d = ctx.atlas.districts
    ids = d["district_id"].astype(str).tolist()
    table = ctx.part("table")
    share_col = "rail_600m_companies_share"
    numbers = _lookup(
        table,
        "district_id",
        ids,
        [
            "area_ha",
            "companies",
            "employees",
            "bid_area_share",
            "companies_in_bid_share",
            "rewilded_ha",
            share_col,
            "median_rail_distance_m",
        ],
    )
    geoms = _web_geometries(d.geometry.values, ids, "districts", simplify_m=simplify_m)
    features = []
    styles = {s: dict(DISTRICT_STYLES[s]) for s in STATUSES}
    for s in STATUSES:
        styles[f"{s}|focus"] = {**DISTRICT_STYLES[s], **FOCUS_STYLE}
    for i, fid in enumerate(ids):
        row = d.iloc[i]
        status = row["status"] if row["status"] in STATUSES else "existing"
        n = numbers.loc[fid]
        rows = [
            [column_label("municipality", lang), _text(row["municipality"])],
            [column_label("status", lang), t(f"status.{status}", lang)],
            [column_label("area_ha", lang), _number(n["area_ha"], lang, 1)],
            [column_label("companies", lang), _number(n["companies"], lang)],
            [column_label("employees", lang), _number(n["employees"], lang)],
            [column_label("bid_area_share", lang), format_share(n["bid_area_share"], lang)],
            [
                column_label("companies_in_bid_share", lang),
                format_share(n["companies_in_bid_share"], lang),
            ],
            [column_label("rewilded_ha", lang), _number(n["rewilded_ha"], lang, 1)],
            [column_label(share_col, lang), format_share(n[share_col], lang)],
            [
                column_label("median_rail_distance_m", lang),
                _number(n["median_rail_distance_m"], lang),
            ],
        ]
        if not _i18n.is_missing(row.get("source")):
            # where the outline comes from, e.g. that an outline is only illustrative
            rows.append([column_label("source", lang), _text(row.get("source"))])
        key = f"{status}|focus" if fid in focus else status
        features.append(_feature(geoms[i], key, _text(row["name"]), rows, fid))
    return features, styles


def _bid_layer(ctx: MapContext, simplify_m: float) -> tuple[list[dict], dict]:
    lang = ctx.lang
    bids = ctx.atlas.bids
    active = active_bids(bids, ctx.as_of) if len(bids) else np.zeros(0, bool)
    bids = bids[active]
    ids = bids["bid_id"].astype(str).tolist()
    numbers = _lookup(
        ctx.part("bid", "bids"),
        "bid_id",
        ids,
        ["area_ha", "companies", "members", "participation_share"],
    )
    geoms = _web_geometries(bids.geometry.values, ids, "bids", simplify_m=simplify_m)
    features = []
    for i, fid in enumerate(ids):
        row = bids.iloc[i]
        n = numbers.loc[fid]
        rows = [
            [column_label("start", lang), format_date(row.get("start"))],
            [column_label("end", lang), format_date(row.get("end"))],
            [column_label("area_ha", lang), _number(n["area_ha"], lang, 1)],
            [column_label("companies", lang), _number(n["companies"], lang)],
            [column_label("invited", lang), _number(row.get("invited"), lang)],
            [column_label("members", lang), _number(row.get("members"), lang)],
            [column_label("bid_members", lang), _number(n["members"], lang)],
            [
                column_label("participation_share", lang),
                format_share(n["participation_share"], lang),
            ],
        ]
        features.append(_feature(geoms[i], "bid", _text(row["name"]), rows, fid))
    return features, {"bid": BID_STYLE}


def _rewilding_layer(
    ctx: MapContext, simplify_m: float, *, public: bool = False
) -> tuple[list[dict], dict]:
    lang = ctx.lang
    plots = ctx.atlas.rewilding
    analysed = ctx.part("rewilding", "plots")
    if analysed is not None and "counted" in analysed.columns:
        # The plots the analysis counts (established by `as_of`, not a lawn reference, ...).
        counted = _lookup(analysed, "plot_id", plots["plot_id"].astype(str), ["counted"])["counted"]
        keep = np.array([not _i18n.is_missing(v) and bool(v) for v in counted], dtype=bool)
    else:
        keep = plots_established(plots, ctx.as_of) if len(plots) else np.zeros(0, bool)
    plots = plots[keep]
    ids = plots["plot_id"].astype(str).tolist()
    numbers = _lookup(analysed, "plot_id", ids, ["area_ha"])
    area_ha = numbers["area_ha"].to_numpy(dtype=object)
    measured = shapely.area(np.asarray(plots.geometry.values, dtype=object)) / SQM_PER_HA
    geoms = _web_geometries(plots.geometry.values, ids, "rewilding", simplify_m=simplify_m)
    features = []
    for i, fid in enumerate(ids):
        row = plots.iloc[i]
        ha = measured[i] if _i18n.is_missing(area_ha[i]) else area_ha[i]
        est = row.get("established")
        rows = [] if public else [[column_label("owner", lang), _text(row.get("owner"))]]
        rows += [
            [column_label("area_ha", lang), _number(ha, lang, 2)],
            [
                column_label("established_year", lang),
                MISSING if _i18n.is_missing(est) else str(est.year),
            ],
            [
                column_label("habitat", lang),
                _text(value_label("habitat", row.get("habitat"), lang)),
            ],
            [column_label("species_count", lang), _number(row.get("species_count"), lang)],
        ]
        features.append(_feature(geoms[i], "plot", fid, rows, fid))
    return features, {"plot": REWILDING_STYLE}


def _stop_layer(ctx: MapContext) -> tuple[list[dict], dict, dict[str, set]]:
    lang = ctx.lang
    stops = ctx.atlas.stops
    ids = stops["stop_id"].astype(str).tolist()
    states = _stop_states(stops, ctx.as_of)
    geoms = _web_geometries(stops.geometry.values, ids, "stops")
    features: list[dict] = []
    styles: dict[str, dict] = {}
    present: dict[str, set] = {"modes": set(), "states": set()}
    as_of_text = format_date(ctx.as_of)
    for i, fid in enumerate(ids):
        row = stops.iloc[i]
        mode = row["mode"] if row["mode"] in MODES else "bus"
        state = states[i]
        key = f"{mode}|{state}"
        styles.setdefault(key, _stop_style(mode, state))
        present["modes"].add(mode)
        present["states"].add(state)
        status = row["status"] if row["status"] in STATUSES else None
        rows = [
            [column_label("mode", lang), t(f"mode.{mode}", lang)],
            [column_label("status", lang), t(f"status.{status}", lang) if status else MISSING],
            [column_label("opens", lang), format_date(row.get("opens"))],
            [column_label("line", lang), _text(row.get("line"))],
            [
                f"{column_label('in_service', lang)} ({as_of_text})",
                t("yes" if state == "in_service" else "no", lang),
            ],
        ]
        features.append(_feature(geoms[i], key, _text(row["name"]), rows, fid))
    return features, styles, present


def _catchment_layers(ctx: MapContext, simplify_m: float) -> dict[int, list[dict]]:
    stops = ctx.atlas.stops
    counted = stops_in_service(stops, ctx.as_of, ctx.include) if len(stops) else np.zeros(0, bool)
    out: dict[int, list[dict]] = {}
    zones = _walking_zones(ctx)
    for distance_m in CATCHMENTS_M:
        if zones is not None:
            geom = _zone_geometry(zones, distance_m, simplify_m)
        else:
            radius = distance_m / ctx.detour_factor
            geom = _catchment_geometries(stops, counted, radius, simplify_m)
        if geom is None or geom.is_empty:
            out[distance_m] = []
            continue
        fid = f"catchment_{distance_m}"
        [web] = _web_geometries(np.array([geom], dtype=object), [fid], "stops")
        out[distance_m] = [
            _feature(
                web,
                str(distance_m),
                t(
                    "layer.zone" if zones is not None else "layer.catchment",
                    ctx.lang,
                    distance_m=format_number(distance_m, ctx.lang),
                ),
                [],
                fid,
            )
        ]
    return out
