"""Hand-made layers, files and constants shared by the test modules.

Squares and points in EPSG:25832 near Albertslund whose answers can be
worked out by hand: :func:`make_atlas` and :func:`hand_summary` (nearest stops
by brute force) for the maps, :func:`tiny_atlas` for the reports. Then the
builders of bad input (:func:`districts`, :func:`companies`, :func:`write` and
friends, near Avedøre Holme) and the bad-input corpus of the command line
(:data:`CASES`, :func:`built`), the summary's column contract
(:data:`CONTRACT_COLUMNS`), a hand-counted GTFS feed (:func:`write_feed`) and
:class:`Opened`, a saved map open in a browser page.
"""

from __future__ import annotations

import json
import shutil
import types
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from areas.atlas import Atlas
from areas.scenario import active_bids, stops_in_service
from areas.schema import MODE_GROUPS, WORK_CRS

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


# --- bad input: layers and files near Avedøre Holme -------------------------------------------

HOLME_X0, HOLME_Y0 = 717_900.0, 6_168_100.0  # Avedøre Holme, EPSG:25832
NAMES = ["Ærø Æbler ApS", "Brdr. Klee Øst", "Føtex Å"]


def square(x, y, size):
    return box(x, y, x + size, y + size)


def districts(n=2, **columns):
    data = {
        "district_id": [f"d{i}" for i in range(1, n + 1)],
        "name": [f"District {i}" for i in range(1, n + 1)],
        "municipality": ["Hvidovre"] * n,
        "status": ["existing"] * n,
    }
    data.update(columns)
    geoms = data.pop("geometry", [square(HOLME_X0 + i * 2000, HOLME_Y0, 1000) for i in range(n)])
    return gpd.GeoDataFrame(data, geometry=geoms, crs=WORK_CRS)


def companies(n=3, **columns):
    data = {"company_id": [f"{i:04d}" for i in range(1, n + 1)], "name": (NAMES * n)[:n]}
    data.update(columns)
    geoms = data.pop("geometry", [Point(HOLME_X0 + 100 * i, HOLME_Y0 + 50 * i) for i in range(n)])
    return gpd.GeoDataFrame(data, geometry=geoms, crs=WORK_CRS)


def write(frame, path, **kwargs):
    path = Path(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GDAL notes shortened Shapefile field names
        pyogrio.write_dataframe(frame, path, **kwargs)
    return path


def write_geojson(features, path, crs=None):
    """Write a GeoJSON FeatureCollection by hand (for geometries GDAL would not write)."""
    collection = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    Path(path).write_text(json.dumps(collection), encoding="utf-8")
    return Path(path)


def feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def district_props(i, **extra):
    return {
        "district_id": f"d{i}",
        "name": f"D{i}",
        "municipality": "Hvidovre",
        "status": "existing",
        **extra,
    }


def ring(x, y, size):
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


URN_25832 = "urn:ogc:def:crs:EPSG::25832"


def write_any(frame, path):
    """Write ``frame`` in the format of ``path``'s suffix (CSV: lon/lat columns)."""
    path = Path(path)
    if path.suffix == ".csv":
        lonlat = frame.geometry.to_crs("EPSG:4326")
        table = pd.DataFrame(frame.drop(columns="geometry"))
        table["lon"], table["lat"] = lonlat.x, lonlat.y
        table.to_csv(path, index=False)
        return path
    return write(frame, path)


def shapefile(tmp_path, n=3, name="companies"):
    folder = tmp_path / f"shp{n}"
    folder.mkdir(exist_ok=True)
    return write(companies(n), folder / f"{name}.shp", encoding="UTF-8")


def encoded_shapefile(tmp_path, encoding, *, cpg="keep", ldid=None):
    folder = tmp_path / f"enc-{encoding}-{cpg}-{ldid}"
    folder.mkdir()
    path = write(companies(3), folder / "companies.shp", encoding=encoding)
    cpg_path = path.with_suffix(".cpg")
    if cpg is None:
        cpg_path.unlink()
    elif cpg != "keep":
        cpg_path.write_text(cpg)
    if ldid is not None:
        dbf = bytearray(path.with_suffix(".dbf").read_bytes())
        dbf[29] = ldid
        path.with_suffix(".dbf").write_bytes(bytes(dbf))
    return path


# --- the bad-input corpus of the command line -------------------------------------------------

# Every case states its fallback, so the only warnings printed are the case's own.
FALLBACK = ("--fallback", "empty")


# =========================================================================== builders
#
# Each builder writes its files into an empty folder and returns the source to
# give the command line (the folder, or one file).


def _with_districts(folder: Path) -> None:
    """Add a clean districts layer (two 1 km squares; the firms of `companies()` lie in d1)."""
    write(districts(), folder / "districts.gpkg")


def build_missing_crs(folder):
    path = write(districts(), folder / "districts.shp")
    path.with_suffix(".prj").unlink()
    return folder


def build_utm_labelled_4326(folder):
    features = [
        feature(
            district_props(i),
            {"type": "Polygon", "coordinates": [ring(HOLME_X0 + i * 2000, HOLME_Y0, 1000)]},
        )
        for i in (1, 2)
    ]
    write_geojson(features, folder / "districts.geojson")  # no crs member: EPSG:4326
    return folder


def build_swapped_lon_lat(folder):
    _with_districts(folder)
    (folder / "companies.csv").write_text(
        "company_id,name,lon,lat\n0001,A,55.61,12.46\n0002,B,55.62,12.47\n", encoding="utf-8"
    )
    return folder


def build_zero_and_blank_points(folder):
    _with_districts(folder)
    (folder / "companies.csv").write_text(
        "company_id,name,lon,lat\n0001,A,12.46,55.61\n0002,B,0,0\n0003,C,,\n0004,D,12.47,55.62\n",
        encoding="utf-8",
    )
    return folder


def build_zero_point_geopackage(folder):
    _with_districts(folder)
    frame = companies(3).to_crs("EPSG:4326")
    frame.loc[1, "geometry"] = Point(0, 0)
    write(frame, folder / "companies.gpkg")
    return folder


def build_null_geometry_firm(folder):
    _with_districts(folder)

    def point(x):
        return {"type": "Point", "coordinates": [x, HOLME_Y0 + 10]}

    features = [
        feature({"company_id": "0001", "name": NAMES[0]}, point(HOLME_X0 + 10)),
        feature({"company_id": "0002", "name": NAMES[1]}, None),
        feature({"company_id": "0003", "name": NAMES[2]}, point(HOLME_X0 + 20)),
    ]
    write_geojson(features, folder / "companies.geojson", crs=URN_25832)
    return folder


def build_zone33_labelled_zone32(folder):
    frame = districts().to_crs("EPSG:25833").set_crs("EPSG:25832", allow_override=True)
    write(frame, folder / "districts.gpkg")
    return folder


def build_two_crs(folder):
    _with_districts(folder)  # EPSG:25832
    write(companies(3).to_crs("EPSG:4326"), folder / "companies.geojson")  # EPSG:4326
    return folder


def build_bow_tie(folder):
    bow_tie = Polygon(
        [
            (HOLME_X0, HOLME_Y0),
            (HOLME_X0 + 100, HOLME_Y0 + 100),
            (HOLME_X0 + 100, HOLME_Y0),
            (HOLME_X0, HOLME_Y0 + 100),
            (HOLME_X0, HOLME_Y0),
        ]
    )
    write(
        districts(2, geometry=[bow_tie, square(HOLME_X0 + 500, HOLME_Y0, 100)]),
        folder / "districts.gpkg",
    )
    return folder


def build_unclosed_ring(folder):
    features = [
        feature(
            district_props(1),
            {"type": "Polygon", "coordinates": [ring(HOLME_X0, HOLME_Y0, 100)[:-1]]},
        ),
        feature(
            district_props(2),
            {"type": "Polygon", "coordinates": [ring(HOLME_X0 + 500, HOLME_Y0, 100)]},
        ),
    ]
    write_geojson(features, folder / "districts.geojson", crs=URN_25832)
    return folder


_UNUSABLE = {
    "collapsed": {
        "type": "Polygon",
        "coordinates": [
            [
                [HOLME_X0, HOLME_Y0],
                [HOLME_X0 + 50, HOLME_Y0 + 50],
                [HOLME_X0 + 100, HOLME_Y0 + 100],
                [HOLME_X0, HOLME_Y0],
            ]
        ],
    },
    "empty": {"type": "Polygon", "coordinates": []},
    "null": None,
}


def _bids_with(geometry_key):
    def build(folder):
        _with_districts(folder)
        good = {"type": "Polygon", "coordinates": [ring(HOLME_X0, HOLME_Y0, 100)]}
        bids = [
            feature({"bid_id": "b1", "name": "A", "start": "2021-05-01"}, good),
            feature({"bid_id": "b2", "name": "B", "start": "2021-05-01"}, _UNUSABLE[geometry_key]),
        ]
        write_geojson(bids, folder / "bids.geojson", crs=URN_25832)
        return folder

    return build


def _districts_with(geometry_key):
    def build(folder):
        good = {"type": "Polygon", "coordinates": [ring(HOLME_X0, HOLME_Y0, 100)]}
        bad = _UNUSABLE[geometry_key]
        dists = [feature(district_props(1), good), feature(district_props(2), bad)]
        write_geojson(dists, folder / "districts.geojson", crs=URN_25832)
        return folder

    return build


def build_mixed_geometry_types(folder):
    frame = districts(
        3,
        geometry=[
            square(HOLME_X0, HOLME_Y0, 100),
            Point(HOLME_X0, HOLME_Y0),
            LineString([(HOLME_X0, HOLME_Y0), (HOLME_X0 + 5, HOLME_Y0)]),
        ],
    )
    write(frame, folder / "districts.gpkg", geometry_type="Unknown")
    return folder


def build_duplicate_ids(folder):
    _with_districts(folder)
    frame = companies(4)
    frame["company_id"] = ["0042", "0042", "7", "7"]
    write(frame, folder / "companies.gpkg")
    return folder


def build_duplicate_ids_csv(folder):
    _with_districts(folder)
    frame = companies(3)
    frame["company_id"] = ["0042", "0042", "0043"]
    write_any(frame, folder / "companies.csv")
    return folder


def build_identical_geometries(folder):
    same = square(HOLME_X0, HOLME_Y0, 100)
    frame = districts(3, geometry=[same, square(HOLME_X0 + 500, HOLME_Y0, 100), same])
    write(frame, folder / "districts.gpkg")
    return folder


def build_overlapping_plots(folder):
    _with_districts(folder)
    import geopandas as gpd

    plots = gpd.GeoDataFrame(
        {"plot_id": ["p1", "p2"], "established": ["2022-05-01", "2023-05-01"]},
        # two 1 ha plots in d1 overlapping by 0.5 ha: 1.5 ha rewilded, not 2
        geometry=[
            square(HOLME_X0 + 200, HOLME_Y0 + 200, 100),
            square(HOLME_X0 + 250, HOLME_Y0 + 200, 100),
        ],
        crs="EPSG:25832",
    )
    write(plots, folder / "rewilding.gpkg")
    return folder


def build_firm_on_shared_boundary(folder):
    # d1 and d2 share the edge x = HOLME_X0 + 1000; firm 0002 sits exactly on it
    frame = districts(
        2, geometry=[square(HOLME_X0, HOLME_Y0, 1000), square(HOLME_X0 + 1000, HOLME_Y0, 1000)]
    )
    write(frame, folder / "districts.gpkg")
    firms = companies(3, geometry=[Point(HOLME_X0 + x, HOLME_Y0 + 500) for x in (500, 1000, 1500)])
    write(firms, folder / "companies.gpkg")
    return folder


def _encoded(encoding, **options):
    def build(folder):
        _with_districts(folder)
        path = encoded_shapefile(folder, encoding, **options)
        for part in path.parent.iterdir():
            shutil.move(part, folder / part.name)
        path.parent.rmdir()
        return folder

    return build


def _shapefile_damage(damage):
    def build(folder):
        _with_districts(folder)
        path = shapefile(folder, 3)
        if damage == "truncated_shp":
            path.write_bytes(path.read_bytes()[:-10])
        elif damage == "short_dbf":
            two = shapefile(folder, 2, name="two")
            shutil.copy(two.with_suffix(".dbf"), path.with_suffix(".dbf"))
            shutil.rmtree(two.parent)
        elif damage == "missing_dbf":
            path.with_suffix(".dbf").unlink()
        for part in path.parent.iterdir():
            shutil.move(part, folder / part.name)
        path.parent.rmdir()
        return folder

    return build


def build_truncated_geopackage(folder):
    _with_districts(folder)
    path = write(companies(50), folder / "companies.gpkg")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return folder


def build_garbled_geopackage(folder):
    _with_districts(folder)
    path = write(companies(50), folder / "companies.gpkg")
    data = bytearray(path.read_bytes())
    data[100:4000] = bytes(range(256)) * 15 + bytes(range(60))
    path.write_bytes(bytes(data))
    return folder


def build_gpkg_layers_none_named(folder):
    path = folder / "plans.gpkg"
    write(districts(), path, layer="lokalplaner")
    write(districts(), path, layer="kommuneplan")
    return path


def build_districts_gpkg_two_layers(folder):
    path = folder / "districts.gpkg"
    write(districts(), path, layer="lokalplaner")
    write(districts(), path, layer="kommuneplan")
    return folder


def _csv(text, encoding="utf-8"):
    def build(folder):
        _with_districts(folder)
        (folder / "companies.csv").write_bytes(text.encode(encoding))
        return folder

    return build


def build_html_as_geojson(folder):
    (folder / "districts.geojson").write_text(
        "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", encoding="utf-8"
    )
    return folder


# =========================================================================== the corpus


@dataclass(frozen=True)
class Case:
    """One bad input and what the command line must do with it.

    ``outcome`` is ``"error"`` (not usable), ``"warning"`` (usable, repaired,
    excluded or guessed, and said so) or ``"ok"`` (usable, nothing to say).
    ``code`` is the problem class ``validate`` reports, ``ids`` every feature
    id (or CSV line) its problems name, ``says`` text of the message and
    ``fix`` text of the fix. ``layers`` and ``figures`` are checked against
    ``validate --format json`` and ``summary --format json``.
    """

    id: str
    build: Callable[[Path], Path]
    outcome: str
    kind: str
    file: str
    code: str | None = None
    ids: tuple[str, ...] = ()
    says: tuple[str, ...] = ()
    fix: str | None = None
    layers: dict | None = None  # kind -> {LayerSource field: value}
    figures: dict | None = None  # district_id -> {summary column: value}

    def __str__(self) -> str:
        return self.id


def _excluded(kind, file, ids, reason, build):
    return dict(
        build=build,
        outcome="warning",
        kind=kind,
        file=file,
        code="AreasRepairWarning",
        ids=ids,
        says=("left out", reason),
        fix="add the geometry or coordinates",
    )


_LINES = ("line 2 (6 fields)", "3 (6 fields)")

CASES = [
    # ---------------------------------------------------------------- CRS and coordinates
    Case(
        "missing_crs",
        build_missing_crs,
        "error",
        "districts",
        "districts.shp",
        code="MissingCrsError",
        says=("no CRS", "no .prj", "look like EPSG:25832"),
        fix='crs="EPSG:25832"',
    ),
    Case(
        "utm_labelled_4326",
        build_utm_labelled_4326,
        "error",
        "districts",
        "districts.geojson",
        code="CoordinateError",
        ids=("d1", "d2"),
        says=("outside Denmark", "EPSG:4326", "UTM zone 32N", "EPSG:25832"),
        fix="crs_override",
    ),
    Case(
        "swapped_lon_lat",
        build_swapped_lon_lat,
        "error",
        "companies",
        "companies.csv",
        code="CoordinateError",
        ids=("0001", "0002"),
        says=("swapped",),
        fix="swap the columns `lon` and `lat`",
    ),
    Case(
        "zone33_labelled_zone32",
        build_zone33_labelled_zone32,
        "error",
        "districts",
        "districts.gpkg",
        code="CoordinateError",
        ids=("d1", "d2"),
        says=("zone 33", "EPSG:25833"),
        fix='crs="EPSG:25833"',
    ),
    Case(
        "zero_and_blank_points_csv",
        **_excluded(
            "companies", "companies.csv", ("0002", "0003"), "(0, 0)", build_zero_and_blank_points
        ),
        layers={"companies": {"features_read": 4, "features_used": 2}},
        figures={"d1": {"companies": 1}},
    ),
    Case(
        "zero_point_geopackage",
        **_excluded(
            "companies", "companies.gpkg", ("0002",), "(0, 0)", build_zero_point_geopackage
        ),
        layers={"companies": {"features_read": 3, "features_used": 2}},
        figures={"d1": {"companies": 2}},
    ),
    Case(
        "null_geometry_firm",
        **_excluded(
            "companies", "companies.geojson", ("0002",), "no geometry", build_null_geometry_firm
        ),
        layers={"companies": {"features_read": 3, "features_used": 2}},
        figures={"d1": {"companies": 2}},
    ),
    Case(
        "two_inputs_two_crs",
        build_two_crs,
        "ok",
        "companies",
        "companies.geojson",
        layers={
            "districts": {"original_crs": "EPSG:25832"},
            "companies": {"original_crs": "EPSG:4326", "features_used": 3},
        },
        figures={"d1": {"companies": 3}, "d2": {"companies": 0}},
    ),
    # ---------------------------------------------------------------- geometry
    Case(
        "bow_tie",
        build_bow_tie,
        "warning",
        "districts",
        "districts.gpkg",
        code="AreasRepairWarning",
        ids=("d1",),
        says=("make_valid", "d1 (area 0 ha → 0.5 ha)"),
        fix="check the repaired outlines",
        figures={"d1": {"area_ha": 0.5}, "d2": {"area_ha": 1.0}},
    ),
    Case(
        "unclosed_ring",
        build_unclosed_ring,
        "warning",
        "districts",
        "districts.geojson",
        code="AreasRepairWarning",
        ids=("d1",),
        says=("unclosed",),
        fix="close every ring",
        figures={"d1": {"area_ha": 1.0}},
    ),
    *[
        Case(
            f"{key}_polygon_in_districts",
            _districts_with(key),
            "error",
            "districts",
            "districts.geojson",
            code="GeometryError",
            ids=("d2",),
            says=("no usable outline", reason),
            fix="draw the outline",
        )
        for key, reason in (
            ("collapsed", "collapsed to zero area"),
            ("empty", "empty geometry"),
            ("null", "no geometry"),
        )
    ],
    *[
        Case(
            f"{key}_polygon_in_bids",
            **_excluded("bids", "bids.geojson", ("b2",), reason, _bids_with(key)),
            layers={"bids": {"features_read": 2, "features_used": 1}},
            figures={"d1": {"bid_area_ha": 1.0}},
        )
        for key, reason in (
            ("collapsed", "collapsed to zero area"),
            ("empty", "empty geometry"),
            ("null", "no geometry"),
        )
    ],
    Case(
        "mixed_geometry_types",
        build_mixed_geometry_types,
        "error",
        "districts",
        "districts.gpkg",
        code="GeometryTypeError",
        ids=("d2", "d3"),
        says=("(Multi)Polygon", "d2 (Point)", "d3 (LineString)"),
        fix="remove these features",
    ),
    Case(
        "duplicate_ids",
        build_duplicate_ids,
        "error",
        "companies",
        "companies.gpkg",
        code="DuplicateIdError",
        ids=("0042", "7"),
        says=("0042 (2×)", "7 (2×)"),
        fix="its own `company_id`",
    ),
    Case(
        "duplicate_ids_csv",
        build_duplicate_ids_csv,
        "error",
        "companies",
        "companies.csv",
        code="DuplicateIdError",
        ids=("0042",),
        says=("0042 (2×)",),
        fix="its own `company_id`",
    ),
    Case(
        "identical_geometries",
        build_identical_geometries,
        "warning",
        "districts",
        "districts.gpkg",
        code="AreasRepairWarning",
        ids=("d1", "d3"),
        says=("identical geometries", "d1 = d3"),
        fix="remove copied features",
    ),
    Case(
        "overlapping_plots",
        build_overlapping_plots,
        "ok",
        "rewilding",
        "rewilding.gpkg",
        layers={"rewilding": {"features_used": 2}},
        # two 1 ha plots overlapping by 0.5 ha: the overlap is counted once
        figures={"d1": {"rewilded_ha": 1.5, "rewilding_overlap_ha": 0.5, "rewilding_plots": 2}},
    ),
    Case(
        "firm_on_shared_boundary",
        build_firm_on_shared_boundary,
        "ok",
        "companies",
        "companies.gpkg",
        # 0002 lies on the d1/d2 edge and goes to d1, the lower id, once
        figures={
            "d1": {"companies": 2, "companies_boundary": 1},
            "d2": {"companies": 1, "companies_boundary": 0},
        },
    ),
    # ---------------------------------------------------------------- Shapefile encodings
    Case(
        "shapefile_utf8_without_cpg",
        _encoded("UTF-8", cpg=None),
        "ok",
        "companies",
        "companies.shp",
        layers={"companies": {"encoding": "utf-8", "features_used": 3}},
    ),
    Case(
        "shapefile_cp1252_with_cpg",
        _encoded("cp1252"),
        "ok",
        "companies",
        "companies.shp",
        layers={"companies": {"encoding": "cp1252", "features_used": 3}},
    ),
    Case(
        "shapefile_cp1252_without_cpg",
        _encoded("cp1252", cpg=None),
        "warning",
        "companies",
        "companies.shp",
        code="AreasWarning",
        says=("no .cpg", "read as cp1252"),
        fix="add a .cpg file",
        layers={"companies": {"encoding": "cp1252", "features_used": 3}},
    ),
    Case(
        "shapefile_cp865_with_cpg",
        _encoded("cp865"),
        "ok",
        "companies",
        "companies.shp",
        layers={"companies": {"encoding": "cp865", "features_used": 3}},
    ),
    Case(
        "shapefile_cp865_without_cpg",
        _encoded("cp865", cpg=None),
        "warning",
        "companies",
        "companies.shp",
        code="AreasWarning",
        says=("no .cpg", "read as cp865"),
        fix="add a .cpg file",
        layers={"companies": {"encoding": "cp865", "features_used": 3}},
    ),
    Case(
        "shapefile_cp865_declared_by_ldid",
        _encoded("cp865", cpg=None, ldid=0x66),
        "ok",
        "companies",
        "companies.shp",
        layers={"companies": {"encoding": "cp865", "features_used": 3}},
    ),
    Case(
        "cpg_lies_utf8_over_cp1252",
        _encoded("cp1252", cpg="UTF-8"),
        "error",
        "companies",
        "companies.shp",
        code="EncodingError",
        says=("the .cpg says UTF-8", "looks like cp1252"),
        fix='encoding="cp1252"',
    ),
    Case(
        "cpg_lies_1252_over_utf8",
        _encoded("UTF-8", cpg="1252"),
        "error",
        "companies",
        "companies.shp",
        code="EncodingError",
        says=("the .cpg says 1252", "the text is UTF-8"),
        fix='encoding="utf-8"',
    ),
    Case(
        "cpg_lies_1252_over_cp865",
        _encoded("cp865", cpg="1252"),
        "error",
        "companies",
        "companies.shp",
        code="EncodingError",
        says=("the .cpg says 1252", "cannot be cp1252"),
        fix="correct the .cpg file",
    ),
    # ---------------------------------------------------------------- damaged files
    Case(
        "truncated_shp",
        _shapefile_damage("truncated_shp"),
        "error",
        "companies",
        "companies.shp",
        code="DamagedFileError",
        says=("truncated",),
        fix="copy or export the Shapefile again",
    ),
    Case(
        "dbf_fewer_records_than_shx",
        _shapefile_damage("short_dbf"),
        "error",
        "companies",
        "companies.shp",
        code="DamagedFileError",
        says=("companies.shx indexes 3 shapes but companies.dbf holds 2 records",),
        fix="copy or export the Shapefile again",
    ),
    Case(
        "missing_dbf",
        _shapefile_damage("missing_dbf"),
        "error",
        "companies",
        "companies.shp",
        code="DamagedFileError",
        says=("no .dbf",),
        fix="copy all of them",
    ),
    Case(
        "truncated_geopackage",
        build_truncated_geopackage,
        "error",
        "companies",
        "companies.gpkg",
        code="DamagedFileError",
        says=("truncated",),
        fix="copy or download the GeoPackage again",
    ),
    Case(
        "garbled_geopackage",
        build_garbled_geopackage,
        "error",
        "companies",
        "companies.gpkg",
        code="DamagedFileError",
        says=("damaged",),
        fix="copy or export the GeoPackage again",
    ),
    Case(
        "geopackage_layers_none_named",
        build_gpkg_layers_none_named,
        "error",
        "districts",
        "plans.gpkg",
        code="MissingLayerError",
        says=("no layer named after a layer kind", "lokalplaner, kommuneplan"),
        fix="areas.toml",
    ),
    Case(
        "districts_geopackage_with_two_layers",
        build_districts_gpkg_two_layers,
        "error",
        "districts",
        "districts.gpkg",
        code="AmbiguousLayerError",
        says=("2 layers", "lokalplaner, kommuneplan"),
        fix="name the layer to use",
    ),
    Case(
        "html_page_as_geojson",
        build_html_as_geojson,
        "error",
        "districts",
        "districts.geojson",
        code="DamagedFileError",
        says=("HTML page",),
        fix="download the data again",
    ),
    # ---------------------------------------------------------------- CSV
    Case(
        "csv_semicolons_and_decimal_commas",
        _csv("company_id;name;employees;lon;lat\n0042;Ærø;3;12,46;55,61\n"),
        "ok",
        "companies",
        "companies.csv",
        layers={"companies": {"features_read": 1, "features_used": 1, "encoding": "utf-8"}},
    ),
    Case(
        "csv_commas_with_unquoted_decimal_commas",
        _csv("company_id,name,lon,lat\n0001,A,12,46,55,61\n0002,B,12,47,55,62\n"),
        "error",
        "companies",
        "companies.csv",
        code="DamagedFileError",
        ids=_LINES,  # a damaged line has no id: the lines are named
        says=("decimal commas",),
        fix="`;` as separator",
    ),
    Case(
        "csv_leading_zero_codes",
        # 00123 and 123 are two firms: compared as numbers they would be one duplicate id
        _csv(
            "\ufeffcompany_id,name,sector,lon,lat\n"
            "00123,A,0165,12.46,55.61\n123,B,165,12.47,55.62\n"
        ),
        "ok",
        "companies",
        "companies.csv",
        layers={"companies": {"features_read": 2, "features_used": 2}},
    ),
    Case(
        "csv_duplicate_column_names",
        _csv("company_id;name;name;lon;lat\n1;A;B;12,4;55,6\n"),
        "error",
        "companies",
        "companies.csv",
        code="SchemaError",
        says=("duplicate column names: `name`",),
        fix="give every column its own name",
    ),
    Case(
        "csv_cp1252",
        _csv("company_id;name;lon;lat\n0001;Ærø Å;12,46;55,61\n", encoding="cp1252"),
        "warning",
        "companies",
        "companies.csv",
        code="AreasWarning",
        says=("not UTF-8", "read as cp1252"),
        fix='encoding="cp1252"',
        layers={"companies": {"encoding": "cp1252", "features_used": 1}},
    ),
]


def built(case: Case, tmp_path: Path) -> Path:
    """Build ``case`` in a folder of its own; return the source to give the CLI."""
    folder = tmp_path / case.id
    folder.mkdir()
    return case.build(folder)


# --- the summary's column contract ------------------------------------------------------------

CONTRACT_COLUMNS = [
    "district_id",
    "name",
    "municipality",
    "status",
    "area_ha",
    "companies",
    "employees",
    "bid_area_ha",
    "bid_area_share",
    "companies_in_bid",
    "companies_in_bid_share",
    "bid_members",
    "bid_participation_share",
    "rewilded_ha",
    "rewilded_share",
    "rail_600m_companies_share",
    "rail_600m_employees_share",
    "median_rail_distance_m",
]


# --- a GTFS feed counted by hand --------------------------------------------------------------

# Wednesday 2026-09-02 is a weekday of the feed; 2026-09-03 (Thursday) is cancelled by
# calendar_dates; Saturday 2026-09-05 gets an extra service.
FEED = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Test,http://x,Europe/Copenhagen\n",
    "stops.txt": (
        "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
        "GST,Glostrup St.,55.6630,12.3975,1,\n"
        "GST1,Glostrup St. spor 1,55.6631,12.3976,0,GST\n"
        "GST2,Glostrup St. spor 2,55.6629,12.3974,0,GST\n"
        "NORD,Glostrup Nord - Hersted,55.6800,12.3963,0,\n"
        "B1,Naverland,55.6700,12.3900,0,\n"
    ),
    "routes.txt": (
        "route_id,agency_id,route_short_name,route_type\nLR,A,L,900\nBUS,A,500S,3\nST,A,B,109\n"
    ),
    "trips.txt": (
        "route_id,service_id,trip_id,direction_id\n"
        "LR,WK,lr1,0\nLR,WK,lr2,1\nLR,WK,lr3,0\n"
        "BUS,WK,bus_freq,0\n"
        "ST,WK,late1,0\n"
        "ST,SAT,sat1,0\n"
        "ST,WK,st2,1\n"
    ),
    "stop_times.txt": (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        # light rail northbound GST1 -> NORD at 07:10 and 08:10, southbound NORD -> GST2 at 07:30
        "lr1,07:10:00,07:10:00,GST1,1\nlr1,07:20:00,07:20:00,NORD,2\n"
        "lr2,07:30:00,07:30:00,NORD,1\nlr2,07:40:00,07:40:00,GST2,2\n"
        "lr3,08:10:00,08:10:00,GST1,1\nlr3,08:20:00,08:20:00,NORD,2\n"
        # bus template, expanded by frequencies.txt
        "bus_freq,06:00:00,06:00:00,B1,1\nbus_freq,06:05:00,06:05:00,GST1,2\n"
        # S-train trip of the service day running past midnight: GST2 at 24:30 (00:30 next day)
        "late1,24:20:00,24:20:00,B1,1\nlate1,24:30:00,24:30:00,GST2,2\n"
        "late1,24:40:00,24:40:00,NORD,3\n"
        "sat1,07:15:00,07:15:00,GST1,1\nsat1,07:25:00,07:25:00,NORD,2\n"
        "st2,08:59:00,08:59:00,NORD,1\nst2,09:05:00,09:05:00,GST2,2\n"
    ),
    "frequencies.txt": (
        "trip_id,start_time,end_time,headway_secs,exact_times\n"
        # every 20 minutes from 07:00 up to (not including) 09:00: 07:00 07:20 ... 08:40 = 6 trips
        "bus_freq,07:00:00,09:00:00,1200,1\n"
        # headway-based every 30 minutes 09:00-10:00: 2 trips
        "bus_freq,09:00:00,10:00:00,1800,0\n"
    ),
    "calendar.txt": (
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "WK,1,1,1,1,1,0,0,20260810,20261104\n"
        "SAT,0,0,0,0,0,0,0,20260810,20261104\n"
    ),
    "calendar_dates.txt": "service_id,date,exception_type\nWK,20260903,2\nSAT,20260905,1\n",
}


def write_feed(tmp_path, files=FEED, *, as_zip=True, name="gtfs"):
    if as_zip:
        path = tmp_path / f"{name}.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for fname, text in files.items():
                zf.writestr(fname, text)
        return path
    folder = tmp_path / name
    folder.mkdir()
    for fname, text in files.items():
        (folder / fname).write_text(text, encoding="utf-8")
    return folder


# --- a saved map in a browser page ------------------------------------------------------------

VIEWPORT = {"width": 1200, "height": 800}

# The folium map object: the one global `map_<hex>`.
FIND_MAP = """() => {
    const names = Object.keys(window).filter((k) => /^map_[0-9a-f]+$/.test(k));
    if (names.length !== 1) { throw new Error("expected one map, found " + names.join(",")); }
    return names[0];
}"""
COUNT_KINDS = """(name) => {
    const counts = {};
    window[name].eachLayer((l) => {
        const kind = l.options && l.options.areasKind;
        if (kind) { counts[kind] = (counts[kind] || 0) + 1; }
    });
    return counts;
}"""
# Centre the map on a layer (by kind and id or index) and return its position on the page.
CENTRE_ON = """([name, kind, key, zoom]) => {
    const map = window[name];
    let found = null;
    map.eachLayer((l) => {
        const o = l.options || {};
        if (o.areasKind === kind && (o.areasId === key || o.areasIndex === key)) { found = l; }
    });
    if (found === null) { throw new Error("no layer " + kind + " " + key); }
    map.setView(found.getLatLng ? found.getLatLng() : found.getCenter(), zoom, {animate: false});
    const box = map.getContainer().getBoundingClientRect();
    const p = map.latLngToContainerPoint(found.getLatLng ? found.getLatLng() : found.getCenter());
    return [box.left + p.x, box.top + p.y];
}"""
TOOLTIPS = """() => Array.from(document.querySelectorAll(".leaflet-tooltip")).map((t) => ({
    title: (t.querySelector(".areas-tip-title") || {}).textContent,
    text: t.textContent,
    elements: Array.from(t.querySelectorAll("*")).map((e) => e.tagName.toLowerCase()),
}))"""


class Opened:
    """A page holding a saved map, with everything that went wrong recorded."""

    def __init__(self, browser, path: Path) -> None:
        self.page = browser.new_page(viewport=VIEWPORT)
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []
        self.blocked: list[str] = []
        self.page.on(
            "console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("() => document.readyState === 'complete'")
        self.map = self.page.evaluate(FIND_MAP)
        self.page.wait_for_timeout(150)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def counts(self) -> dict[str, int]:
        """Count the drawn layers by kind (``options.areasKind``)."""
        return self.page.evaluate(COUNT_KINDS, self.map)

    def hover(self, kind: str, key, zoom: int = 16) -> list[dict]:
        """Move the mouse onto a layer and return the open tooltips."""
        self.page.mouse.move(1, 1)
        x, y = self.page.evaluate(CENTRE_ON, [self.map, kind, key, zoom])
        self.page.wait_for_timeout(100)  # the canvas redraws on the next frame
        self.page.mouse.move(x, y)
        self.page.wait_for_timeout(100)
        return self.page.evaluate(TOOLTIPS)

    def assert_clean(self) -> None:
        """Check nothing failed, popped up, reached for the network or ran injected code."""
        assert self.page_errors == []
        assert self.console_errors == []
        assert self.dialogs == []
        assert self.blocked == [], "the page tried to reach the network"
        assert self.page.evaluate("() => window.__xss") is None

    def close(self) -> None:
        """Close the page."""
        self.page.close()


def check_summary(atlas: Atlas, rows_in: int):
    """Check the reconciliation of a summary of ``atlas``; return the summary."""
    import areas

    summary = areas.summarize(atlas, as_of="2026-01-01")
    rec = summary.reconciliation
    assert rec["companies_in"] == rows_in
    assert rec["companies_in"] == rec["assigned"] + rec["outside"] + rec["excluded"]
    assert rec["balanced"] is True
    source = atlas.sources.get("companies")
    loader = [(e.id, e.reason) for e in source.excluded] if source is not None else []
    missing = atlas.companies.geometry.isna() | atlas.companies.geometry.is_empty
    by_analysis = [
        (i, r)
        for i, r in ((f["id"], f["reason"]) for f in rec["excluded_firms"])
        if (i, r) not in loader
    ]
    assert [(f["id"], f["reason"]) for f in rec["excluded_firms"]][: len(loader)] == loader
    assert sorted(i for i, _ in by_analysis) == sorted(atlas.companies.loc[missing, "company_id"])
    reasons = pd.Series([r for _, r in loader + by_analysis], dtype=object).value_counts()
    assert rec["excluded_reasons"] == reasons.to_dict()
    assert int(summary.table["companies"].sum()) == rec["assigned"]
    assert int(summary.table["companies_boundary"].sum()) == rec["boundary"]
    # the assignment frame tells the same story firm by firm
    kinds = summary.assignment["assignment"].value_counts()
    assert int(kinds.get("inside", 0) + kinds.get("boundary", 0)) == rec["assigned"]
    assert int(kinds.get("outside", 0)) == rec["outside"]
    return summary
