"""Hand-made atlases and summaries shared by the test modules.

Squares and points in EPSG:25832 near Albertslund whose answers can be
worked out by hand: :func:`make_atlas` and :func:`hand_summary` (nearest stops
by brute force) for the maps, :func:`tiny_atlas` for the reports.
"""

from __future__ import annotations

import types

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from areas.atlas import Atlas
from areas.scenario import active_bids, stops_in_service
from areas.schema import MODE_GROUPS

CRS = "EPSG:25832"
XSS_NAMES = (
    "<script>window.__xss = 1; alert(1)</script>",
    '<img src=x onerror="window.__xss = 2; alert(2)">',
    "Brdr. Klee & Søn </script><b>bold</b>",
)
AS_OF = "2026-01-01"


# --- fixtures --------------------------------------------------------------------------------


def make_atlas(n_firms: int = 40, *, seed: int = 1, names=XSS_NAMES, spread=None) -> Atlas:
    """Three 1 km squares (one withdrawn), two BIDs (one ended), two plots, four stops, firms."""
    districts = gpd.GeoDataFrame(
        {
            "district_id": ["alpha", "beta", "islands"],
            "name": ["Alpha Park", "Beta Holme", "Øerne <b>illustrative</b>"],
            "municipality": ["Albertslund", "Hvidovre", "Hvidovre"],
            "status": ["existing", "existing", "withdrawn"],
            "kind": [pd.NA] * 3,
            "source": [pd.NA] * 3,
        },
        geometry=[
            shapely.box(710_000, 6_172_000, 711_000, 6_173_000),
            shapely.box(712_000, 6_172_000, 713_000, 6_173_000),
            shapely.box(714_000, 6_168_000, 715_000, 6_169_000),
        ],
        crs=CRS,
    )
    bids = gpd.GeoDataFrame(
        {
            "bid_id": ["b1", "b2"],
            "name": ["Alpha <BID>", "Beta BID"],
            "start": pd.to_datetime(["2020-01-01", "2021-05-01"]),
            "end": pd.to_datetime([None, "2023-12-31"]),
            "invited": pd.array([50, 394], dtype="Int64"),
            "members": pd.array([pd.NA, 78], dtype="Int64"),
            "district_id": ["alpha", "beta"],
        },
        geometry=[
            shapely.box(710_000, 6_172_000, 710_500, 6_173_000),
            shapely.box(712_000, 6_172_000, 713_000, 6_173_000),
        ],
        crs=CRS,
    )
    rewilding = gpd.GeoDataFrame(
        {
            "plot_id": ["p1", "p2"],
            "established": pd.to_datetime(["2022-06-01", "2030-01-01"]),
            "owner": ["Hvidovre Kommune", "Firm A/S"],
            "species_count": pd.array([105, pd.NA], dtype="Int64"),
            "survey_area_m2": [100.0, np.nan],
            "habitat": ["meadow", pd.NA],
        },
        geometry=[
            shapely.box(712_100, 6_172_100, 712_200, 6_172_200),  # 1 ha
            shapely.box(712_300, 6_172_300, 712_400, 6_172_400),
        ],
        crs=CRS,
    )
    stops = gpd.GeoDataFrame(
        {
            "stop_id": ["s1", "s2", "s3", "s4"],
            "name": ["Albertslund st.", "Ring 3 Nord", "Hospital", "Vejen"],
            "mode": ["s_train", "light_rail", "metro", "bus"],
            "status": ["existing", "planned", "study", "existing"],
            "opens": pd.to_datetime([None, "2025-10-26", None, None]),
            "line": ["B", "L", pd.NA, "500S"],
            "municipality": [pd.NA] * 4,
        },
        geometry=shapely.points(
            [(711_000, 6_173_200), (712_500, 6_173_100), (713_500, 6_171_500), (710_500, 6_172_500)]
        ),
        crs=CRS,
    )
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = spread or (709_500, 6_171_500, 713_500, 6_173_500)
    xs = rng.uniform(x0, x1, n_firms)
    ys = rng.uniform(y0, y1, n_firms)
    all_names = [*names, *(f"Firm {i}" for i in range(n_firms))][:n_firms]
    employees = pd.array(rng.integers(1, 200, n_firms), dtype="Int64")
    if n_firms > 3:
        employees[3] = pd.NA
    companies = gpd.GeoDataFrame(
        {
            "company_id": [f"{i:05d}" for i in range(n_firms)],
            "name": all_names,
            "employees": employees,
            "sector": [pd.NA] * n_firms,
            "bid_member": pd.array(rng.random(n_firms) < 0.4, dtype="boolean"),
            "address": [pd.NA] * n_firms,
        },
        geometry=shapely.points(np.column_stack([xs, ys])),
        crs=CRS,
    )
    return Atlas(
        districts=districts, bids=bids, rewilding=rewilding, stops=stops, companies=companies
    )


def hand_summary(atlas: Atlas, *, as_of=AS_OF, include=(), distance="straight", detour_factor=1.3):
    """Compute, by brute force, a summary with the attributes the maps read."""
    ts = pd.Timestamp(as_of)
    stops, firms = atlas.stops, atlas.companies
    rail = stops_in_service(stops, ts, include) & stops["mode"].isin(MODE_GROUPS["rail"]).to_numpy()
    fxy = shapely.get_coordinates(firms.geometry.values)
    sxy = shapely.get_coordinates(stops.geometry.values[rail])
    if len(sxy):
        dist = np.hypot(fxy[:, None, 0] - sxy[None, :, 0], fxy[:, None, 1] - sxy[None, :, 1])
        nearest = dist.argmin(axis=1)
        d = dist[np.arange(len(fxy)), nearest]
        name = stops["name"].to_numpy()[rail][nearest]
    else:
        d = np.full(len(fxy), np.nan)
        name = np.full(len(fxy), None, dtype=object)
    chosen = d * detour_factor if distance == "walk" else d
    band = np.where(chosen <= 600, "core", np.where(chosen <= 1200, "station_near", "beyond"))
    transit = pd.DataFrame(
        {
            "company_id": firms["company_id"],
            "nearest_rail_name": name,
            "rail_distance_m": d,
            "rail_walk_m": d * detour_factor,
            "rail_band": band,
        }
    )
    active = atlas.bids[active_bids(atlas.bids, ts)]
    in_bid, bid_id = [], []
    for p in firms.geometry:
        covering = sorted(
            b for b, g in zip(active["bid_id"], active.geometry, strict=True) if g.covers(p)
        )
        in_bid.append(bool(covering))
        bid_id.append(covering[0] if covering else pd.NA)
    bid_companies = pd.DataFrame(
        {
            "company_id": firms["company_id"],
            "in_bid": in_bid,
            "bid_id": bid_id,
            "bid_member": firms["bid_member"],
        }
    )
    bid_bids = pd.DataFrame(
        {
            "bid_id": atlas.bids["bid_id"],
            "area_ha": atlas.bids.area / 10_000,
            "companies": [
                int(sum(g.covers(p) for p in firms.geometry)) for g in atlas.bids.geometry
            ],
            "members": pd.array([7, pd.NA], dtype="Int64")[: len(atlas.bids)],
            "participation_share": [0.25, np.nan][: len(atlas.bids)],
        }
    )
    table = pd.DataFrame(
        {
            "district_id": atlas.districts["district_id"],
            "area_ha": atlas.districts.area / 10_000,
            "companies": pd.array([12, 9, 0], dtype="Int64"),
            "employees": pd.array([1234, 567, pd.NA], dtype="Int64"),
            "bid_area_share": [0.5, 0.0, np.nan],
            "companies_in_bid_share": [0.4, 0.0, np.nan],
            "rewilded_ha": [0.0, 1.0, np.nan],
            "rail_600m_companies_share": [0.25, 0.125, np.nan],
            "median_rail_distance_m": [812.4, 455.0, np.nan],
        }
    )
    params = {
        "as_of": ts.date().isoformat(),
        "include": tuple(include),
        "thresholds_m": (400, 600, 800, 1200),
        "distance": distance,
        "detour_factor": detour_factor,
    }
    return types.SimpleNamespace(
        table=table,
        transit=types.SimpleNamespace(companies=transit, params=params),
        bid=types.SimpleNamespace(companies=bid_companies, bids=bid_bids),
        rewilding=None,
        params=params,
    )


# --- the report's tiny atlas -----------------------------------------------------------------

X0, Y0 = 700_000.0, 6_170_000.0  # near Albertslund, EPSG:25832
XSS = "<script>alert(1)</script>"


def _square(i: int) -> shapely.Polygon:
    return shapely.box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000)


def _frame(data: dict, geometry, kind: str) -> gpd.GeoDataFrame:
    from areas.schema import KINDS

    spec = KINDS[kind]
    n = len(geometry)
    frame = gpd.GeoDataFrame(data, geometry=list(geometry), crs=CRS)
    for col in spec.columns:
        if col not in frame.columns:
            frame[col] = pd.Series([None] * n, dtype=object)
    for col in spec.dates:
        frame[col] = pd.to_datetime(frame[col])
    for col in spec.integers:
        frame[col] = pd.array(frame[col], dtype="Int64")
    for col in spec.floats:
        frame[col] = pd.to_numeric(frame[col]).astype(float)
    for col in spec.booleans:
        frame[col] = pd.array(frame[col], dtype="boolean")
    ordered = [
        *spec.columns,
        *[c for c in frame.columns if c not in spec.columns and c != "geometry"],
        "geometry",
    ]
    return frame[ordered]


def tiny_atlas() -> Atlas:
    """Three 1 km squares side by side; every figure below can be checked by hand.

    - ``nord`` (x 0–1000 m): a BID on its western half; firm c1 (10 employees)
      150 m from the S-train stop s1 (x 250); c2 (x 880, outside the BID, named
      like a script) 630 m from it and 670 m from s2.
    - ``../syd`` (x 1000–2000 m): firm c3 (x 1600) 50 m from light-rail stop s2
      (x 1550), which opens 2025-10-26 (before it, s1 at 1,350 m is the
      nearest rail stop); two rewilding plots of 1 ha each (2022, 2024).
    - ``CON`` (x 2000–3000 m, withdrawn): a bus stop only.
    - c4 lies outside every district; c5 (x 1000) on the nord/syd boundary goes
      to ``../syd``, the lower id; it is 750 m from s1 and 550 m from s2.
    """
    districts = _frame(
        {
            "district_id": ["nord", "../syd", "CON"],
            "name": ["Nørre Erhverv <b>", "Sydhavnen Å", "Con"],
            "municipality": ["Albertslund", "Hvidovre", "Hvidovre"],
            "status": ["existing", "existing", "withdrawn"],
        },
        [_square(0), _square(1), _square(2)],
        "districts",
    )
    bids = _frame(
        {
            "bid_id": ["b1"],
            "name": ["BID Nord"],
            "start": ["2021-01-01"],
            "invited": [10],
            "members": [2],
        },
        [shapely.box(X0, Y0, X0 + 500, Y0 + 1000)],
        "bids",
    )
    rewilding = _frame(
        {
            "plot_id": ["p1", "p2"],
            "established": ["2022-06-01", "2024-01-01"],
            "owner": ["Hvidovre Kommune", "Firma A/S"],
        },
        [
            shapely.box(X0 + 1100, Y0 + 100, X0 + 1200, Y0 + 200),
            shapely.box(X0 + 1300, Y0 + 100, X0 + 1400, Y0 + 200),
        ],
        "rewilding",
    )
    stops = _frame(
        {
            "stop_id": ["s1", "s2", "s3"],
            "name": ["Nord st.", "Syd (letbane)", "Con bus"],
            "mode": ["s_train", "light_rail", "bus"],
            "status": ["existing", "planned", "existing"],
            "opens": [None, "2025-10-26", None],
        },
        shapely.points([X0 + 250, X0 + 1550, X0 + 2500], [Y0 + 500] * 3),
        "stops",
    )
    companies = _frame(
        {
            "company_id": ["c1", "c2", "c3", "c4", "c5"],
            "name": ["Ærø Å/S", XSS, "Syd ApS", "Far away", "Grænse"],
            "employees": [10, 5, None, 1, 2],
            "bid_member": [True, False, None, None, None],
        },
        shapely.points(
            [X0 + 100, X0 + 880, X0 + 1600, X0 + 5000, X0 + 1000],
            [Y0 + 500, Y0 + 500, Y0 + 500, Y0 + 5000, Y0 + 500],
        ),
        "companies",
    )
    return Atlas(
        districts=districts, bids=bids, rewilding=rewilding, stops=stops, companies=companies
    )
