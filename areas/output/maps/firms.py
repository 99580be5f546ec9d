"""The firm layers' data: one compact row per firm, and the firm count grid."""

from __future__ import annotations

import functools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

import areas.output.i18n as _i18n
from areas.errors import CoordinateError
from areas.output.i18n import MISSING, column_label, t
from areas.output.maps.context import MapContext
from areas.output.maps.geo import (
    _check_in_denmark,
    _int_or_none,
    _lookup,
    _round_or_none,
    _text,
)
from areas.output.maps.styles import (
    _BANDS,
    _BID_CATS,
    BAND_COLORS,
    BID_COLORS,
    FIRM_MARKER,
    FIRM_SHAPES,
    GRID_COLORS,
    GRID_STYLE,
)
from areas.schema import (
    WEB_CRS,
    WORK_CRS,
)


@functools.cache
def _to_web() -> Transformer:
    """Return the transformer from EPSG:25832 to EPSG:4326 (x, y order), made once."""
    return Transformer.from_crs(WORK_CRS, WEB_CRS, always_xy=True)


def _nice_ceil(value: float) -> int:
    if value <= 1:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * exp:
            return int(step * exp)
    return int(10 * exp)


def _grid_breaks(counts: np.ndarray, k: int = len(GRID_COLORS)) -> list[int]:
    """Lower bounds of up to ``k`` count classes (nice numbers, the first is 1)."""
    if len(counts) == 0:
        return [1]
    qs = np.quantile(counts, np.linspace(0, 1, k + 1)[1:-1])
    breaks = [1]
    for q in qs:
        b = _nice_ceil(float(q))
        if b > breaks[-1]:
            breaks.append(b)
    return breaks


def _firm_frame(ctx: MapContext, companies: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per firm: position in EPSG:4326 and EPSG:25832, band and BID categories, tooltip values."""
    ids = companies["company_id"].astype(str).tolist()
    dist_col = "rail_network_m" if ctx.network else "rail_walk_m" if ctx.walk else "rail_distance_m"
    transit = _lookup(
        ctx.part("transit", "companies"),
        "company_id",
        ids,
        ["rail_band", "nearest_rail_name", dist_col],
        ctx.memo,
    )
    bid = _lookup(
        ctx.part("bid", "companies"),
        "company_id",
        ids,
        ["in_bid", "bid_id", "bid_member"],
        ctx.memo,
    )

    xy = shapely.get_coordinates(np.asarray(companies.geometry.values, dtype=object))
    if len(xy) != len(ids):
        msg = "every firm must be a single point"
        raise CoordinateError(msg, layer="companies")
    lon, lat = _to_web().transform(xy[:, 0], xy[:, 1])
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    _check_in_denmark(np.column_stack([lon, lat, lon, lat]), ids, "companies")

    band = transit["rail_band"].astype("string").to_numpy(dtype=object, na_value=None)
    band_idx = np.array([_BANDS.index(b) if b in _BANDS else 3 for b in band], dtype=int)

    in_bid = bid["in_bid"].astype("boolean").to_numpy(dtype=object, na_value=None)
    member = bid["bid_member"].astype("boolean").to_numpy(dtype=object, na_value=None)
    cat = np.full(len(ids), 3, dtype=int)
    for i, (inside, mem) in enumerate(zip(in_bid, member, strict=True)):
        if inside is True:
            cat[i] = 0 if mem is True else 1
        elif inside is False:
            cat[i] = 2
    district = _firm_districts(ctx, companies, ids)
    service = _service_text(ctx, ids)
    if "employees" in companies.columns:
        employees = [_int_or_none(v) for v in companies["employees"].to_numpy(dtype=object)]
    else:
        employees = [None] * len(ids)
    return pd.DataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "lat": np.round(lat, 6),
            "lon": np.round(lon, 6),
            "band": band_idx,
            "bid_cat": cat,
            "name": [
                MISSING if _i18n.is_missing(v) else str(v)
                for v in companies["name"].to_numpy(dtype=object)
            ],
            # object columns: a None must stay None (pandas would turn it into NaN)
            "employees": pd.Series(employees, dtype=object),
            "stop": pd.Series(transit["nearest_rail_name"].to_numpy(dtype=object), dtype=object),
            "distance_m": pd.Series(
                [_round_or_none(v) for v in transit[dist_col].to_numpy(dtype=object)], dtype=object
            ),
            "bid_id": pd.Series(bid["bid_id"].to_numpy(dtype=object), dtype=object),
            "district": pd.Series(district, dtype=object),
            "service_dph": pd.Series(service["departures_per_hour_600m"], dtype=object),
            "service_ptal": pd.Series(service["ptal_band"], dtype=object),
        }
    )


def _firm_districts(ctx: MapContext, companies: gpd.GeoDataFrame, ids: list[str]) -> list:
    """Return each firm's district: the summary's assignment, else the district holding it."""
    assignment = getattr(ctx.summary, "assignment", None)
    if isinstance(assignment, pd.DataFrame) and {"company_id", "district_id"} <= set(
        assignment.columns
    ):
        found = _lookup(assignment, "company_id", ids, ["district_id"], ctx.memo)["district_id"]
        return [None if _i18n.is_missing(v) else str(v) for v in found.to_numpy(dtype=object)]
    districts = ctx.atlas.districts
    points = np.asarray(companies.geometry.values, dtype=object)
    out: list = [None] * len(ids)
    for did, geom in zip(
        districts["district_id"].astype(str), districts.geometry.values, strict=True
    ):
        for i in np.flatnonzero(shapely.covers(geom, points)):
            if out[i] is None:
                out[i] = did
    return out


def _service_text(ctx: MapContext, ids: list[str]) -> dict[str, list[str | None]]:
    """Per firm, departures per hour within 600 m and the PTAL band as tooltip text.

    None for every firm when the summary has no service data (the tooltip
    then has no such lines); a firm without frequency data reads so.
    """
    service = getattr(ctx.summary, "service", None)
    names = ("departures_per_hour_600m", "ptal_band")
    if service is None:
        return {n: [None] * len(ids) for n in names}
    values = _lookup(service.firms, "company_id", ids, list(names), ctx.memo)
    return {
        n: [_i18n.format_cell(v, n, ctx.lang) for v in values[n].to_numpy(dtype=object)]
        for n in names
    }


def _firm_data(ctx: MapContext, firms: pd.DataFrame, *, aggregate: bool, min_zoom: int) -> dict:
    lang = ctx.lang
    service = getattr(ctx.summary, "service", None) is not None
    stop_codes, stop_names = pd.factorize(
        pd.Series(firms["stop"], dtype=object).map(
            lambda v: None if _i18n.is_missing(v) else str(v)
        ),
        use_na_sentinel=True,
    )
    bid_names_by_id = dict(
        zip(
            ctx.atlas.bids["bid_id"].astype(str),
            ctx.atlas.bids["name"].to_numpy(dtype=object),
            strict=True,
        )
    )
    bid_ids = [None if _i18n.is_missing(v) else str(v) for v in firms["bid_id"]]
    bid_codes, bid_uniques = pd.factorize(pd.Series(bid_ids, dtype=object), use_na_sentinel=True)
    bid_names = [_text(bid_names_by_id.get(b, b)) for b in bid_uniques]
    rows = [
        [la, lo, b, c, name, emp, None if s < 0 else int(s), dist, None if bc < 0 else int(bc)]
        + ([dph, pb] if service else [])
        for la, lo, b, c, name, emp, s, dist, bc, dph, pb in zip(
            firms["lat"].tolist(),
            firms["lon"].tolist(),
            firms["band"].tolist(),
            firms["bid_cat"].tolist(),
            firms["name"].tolist(),
            firms["employees"].tolist(),
            stop_codes.tolist(),
            firms["distance_m"].tolist(),
            bid_codes.tolist(),
            firms["service_dph"].tolist(),
            firms["service_ptal"].tolist(),
            strict=True,
        )
    ]
    palette = BAND_COLORS if ctx.color_by == "rail_band" else BID_COLORS
    labels = {
        "employees": column_label("employees", lang),
        "nearest": column_label("nearest_rail_stop", lang),
        "distance": column_label(
            "distance_network_m"
            if ctx.network
            else "distance_walk_m"
            if ctx.walk
            else "distance_straight_m",
            lang,
        ),
        "band": column_label("rail_band", lang),
        "bid": column_label("bid", lang),
    }
    if service:
        labels["departures"] = column_label("departures_per_hour_600m", lang)
        labels["ptal"] = column_label("ptal_band", lang)
    cats = _BANDS if ctx.color_by == "rail_band" else _BID_CATS
    return {
        "rows": rows,
        "stops": [str(s) for s in stop_names],
        "bids": bid_names,
        "colorBy": ctx.color_by,
        "colorColumn": 2 if ctx.color_by == "rail_band" else 3,
        "colors": [palette[c] for c in cats],
        "shapes": [FIRM_SHAPES[c] for c in cats],
        "bands": [t(f"band.{b}", lang) for b in _BANDS],
        "bidCats": [t(f"bid.{c}", lang) for c in _BID_CATS],
        "labels": labels,
        "sep": "," if lang == "en" else ".",
        "missing": MISSING,
        "marker": FIRM_MARKER,
        "aggregate": aggregate,
        "minZoom": min_zoom,
    }


def _grid_data(
    ctx: MapContext,
    firms: pd.DataFrame,
    *,
    cell_m: float,
    aggregate: bool,
    min_zoom: int,
    min_count: int = 1,
) -> tuple[dict, list[int]]:
    column = "band" if ctx.color_by == "rail_band" else "bid_cat"
    cats = _BANDS if ctx.color_by == "rail_band" else _BID_CATS
    labels = [
        t(f"band.{c}", ctx.lang) if column == "band" else t(f"bid.{c}", ctx.lang) for c in cats
    ]
    ix = np.floor(firms["x"].to_numpy(dtype=float) / cell_m).astype(np.int64)
    iy = np.floor(firms["y"].to_numpy(dtype=float) / cell_m).astype(np.int64)
    keys, inverse = np.unique(np.column_stack([ix, iy]).reshape(-1, 2), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    per_cat = np.zeros((len(keys), len(cats)), dtype=np.int64)
    np.add.at(per_cat, (inverse, firms[column].to_numpy(dtype=np.int64)), 1)
    totals = per_cat.sum(axis=1)
    if min_count > 1:  # a public map: cells with fewer firms are left out
        kept = totals >= min_count
        keys, per_cat, totals = keys[kept], per_cat[kept], totals[kept]
    breaks = _grid_breaks(totals)
    klass = np.searchsorted(np.asarray(breaks), totals, side="right") - 1
    x0 = keys[:, 0] * cell_m
    y0 = keys[:, 1] * cell_m
    cx = np.column_stack([x0, x0 + cell_m, x0 + cell_m, x0]).ravel()
    cy = np.column_stack([y0, y0, y0 + cell_m, y0 + cell_m]).ravel()
    lon, lat = _to_web().transform(cx, cy)
    lon = np.round(np.asarray(lon), 6).reshape(-1, 4)
    lat = np.round(np.asarray(lat), 6).reshape(-1, 4)
    cells = [
        [
            [[la[k], lo[k]] for k in range(4)],
            int(total),
            int(cl),
            [int(v) for v in counts],
        ]
        for la, lo, total, cl, counts in zip(
            lat.tolist(), lon.tolist(), totals, klass, per_cat, strict=True
        )
    ]
    data = {
        "cells": cells,
        "colors": list(GRID_COLORS),
        "categories": labels,
        "title": column_label("cell_companies", ctx.lang),
        "style": GRID_STYLE,
        "sep": "," if ctx.lang == "en" else ".",
        "aggregate": aggregate,
        "minZoom": min_zoom,
    }
    return data, breaks


def _compact_layer(ctx: MapContext, firms: pd.DataFrame, name: str, show: bool = True):
    """Return the firms as one compact canvas layer (:mod:`areas.output.compact`)."""
    from areas.output.compact import compact_points_layer

    lang = ctx.lang
    by_band = ctx.color_by == "rail_band"
    cats = _BANDS if by_band else _BID_CATS
    palette = BAND_COLORS if by_band else BID_COLORS
    labels = [t(f"band.{c}", lang) if by_band else t(f"bid.{c}", lang) for c in cats]
    band_labels = [t(f"band.{c}", lang) for c in _BANDS]
    bid_labels = [t(f"bid.{c}", lang) for c in _BID_CATS]
    column = "band" if by_band else "bid_cat"
    frame = gpd.GeoDataFrame(
        {
            "name": firms["name"].astype(object).to_numpy(),
            "employees": pd.array(firms["employees"].tolist(), dtype="Int64"),
            "nearest_rail_stop": pd.Series(
                [None if _i18n.is_missing(v) else str(v) for v in firms["stop"]], dtype=object
            ),
            "distance_m": pd.array(firms["distance_m"].tolist(), dtype="Int64"),
            "rail_band": pd.Series([band_labels[b] for b in firms["band"]], dtype=object),
            "bid": pd.Series([bid_labels[b] for b in firms["bid_cat"]], dtype=object),
            "category": pd.Series([labels[c] for c in firms[column]], dtype=object),
            # text written in Python (the names keep the packer from formatting it again)
            "service_dph": pd.Series(firms["service_dph"].tolist(), dtype=object),
            "service_ptal": pd.Series(firms["service_ptal"].tolist(), dtype=object),
        },
        geometry=gpd.points_from_xy(firms["lon"], firms["lat"]),
        crs=WEB_CRS,
    )
    distance_label = "distance_walk_m" if ctx.walk else "distance_straight_m"
    columns = ["name", "employees", "nearest_rail_stop", "distance_m", "rail_band", "bid"]
    if getattr(ctx.summary, "service", None) is not None:  # tooltip text written in Python
        columns += ["service_dph", "service_ptal"]
    return compact_points_layer(
        frame,
        columns=columns,
        title="name",
        labels={
            "employees": column_label("employees", lang),
            "nearest_rail_stop": column_label("nearest_rail_stop", lang),
            "distance_m": column_label(distance_label, lang),
            "rail_band": column_label("rail_band", lang),
            "bid": column_label("bid", lang),
            "service_dph": column_label("departures_per_hour_600m", lang),
            "service_ptal": column_label("ptal_band", lang),
        },
        color_by="category",
        colors={labels[i]: palette[c] for i, c in enumerate(cats)},
        shapes={labels[i]: FIRM_SHAPES[c] for i, c in enumerate(cats)},
        name=name,
        lang=lang,
        radius=float(FIRM_MARKER["radius"]),
        style={
            "color": FIRM_MARKER["color"],
            "weight": FIRM_MARKER["weight"],
            "opacity": FIRM_MARKER["opacity"],
            "fillOpacity": FIRM_MARKER["fillOpacity"],
        },
        show=show,
    )
