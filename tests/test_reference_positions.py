"""The bundled geography agrees with the real public reference data.

Stops against the Rejseplanen positions, Albertslund outlines against GeoFA's
business land use, and the walking network and map background (read directly
with pyogrio/GeoPandas) against GeoFA's roads. Tests that need
``../shared/reference-data/`` skip with the reason where it is absent; the
checks of the committed files alone always run.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from areas.schema import SQM_PER_HA, WORK_CRS

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
ALBERTSLUND = [
    "hersted-industripark",
    "vaerkstedskvarteret",
    "roede-vejmoelle",
    "albertslund-centrum",
]
#: The stated limits (layers/README.md).
STOP_MAX_OFFSET_M = 30.0
FIRM_MAX_NETWORK_M = 100.0
STOP_MAX_NETWORK_M = 150.0
SERVING_M = 1500.0
BACKGROUND = ["water", "municipalities", "roads", "railways"]


def read(name: str) -> gpd.GeoDataFrame:
    """Read a bundled file with pyogrio through GeoPandas."""
    return gpd.read_file(LAYERS / f"{name}.geojson", engine="pyogrio")


@pytest.fixture(scope="module")
def stops() -> gpd.GeoDataFrame:
    """Return the bundled stops."""
    return read("stops")


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    """Return the bundled districts by id."""
    return read("districts").set_index("district_id")


@pytest.fixture(scope="module")
def edges() -> gpd.GeoSeries:
    """Return every part of the network layer as one LineString per edge."""
    net = read("network")
    assert net.crs == WORK_CRS
    parts = net.explode(index_parts=False)
    return gpd.GeoDataFrame(parts[["kind", "level"]], geometry=parts.geometry.values, crs=WORK_CRS)


@pytest.fixture(scope="module")
def feed(reference_data) -> pd.DataFrame:
    """Return the Rejseplanen light-rail and S-train stops projected to EPSG:25832."""
    frames = [
        pd.read_csv(reference_data / name, dtype={"stop_id": str})
        for name in ("rejseplanen_letbane_stops.csv", "rejseplanen_stog_stations.csv")
    ]
    ref = pd.concat(frames, ignore_index=True)
    pts = gpd.points_from_xy(ref["stop_lon"], ref["stop_lat"], crs="EPSG:4326").to_crs(WORK_CRS)
    return gpd.GeoDataFrame(ref, geometry=pts, crs=WORK_CRS).set_index("stop_id")


@pytest.fixture(scope="module")
def erhverv(reference_data) -> gpd.GeoDataFrame:
    """Return GeoFA's business land use (EPSG:25832)."""
    return gpd.read_file(reference_data / "geofa_vestegnen_erhverv.gpkg", engine="pyogrio")


@pytest.fixture(scope="module")
def motorways(reference_data):
    """Return GeoFA's state roads (``Off. statsvej``: motorways and ramps) as one geometry."""
    roads = gpd.read_file(
        reference_data / "geofa_vestegnen_roads_paths_landuse.gpkg",
        layer="vej_myndighed",
        engine="pyogrio",
    )
    return shapely.union_all(roads.loc[roads["type"] == "Off. statsvej"].geometry.values)


# --------------------------------------------------------------------------- stops


def test_every_stop_says_where_its_position_comes_from(stops):
    """``position_source`` is filled for every stop; rail stops carry a Rejseplanen id."""
    assert stops["position_source"].notna().all()
    assert (stops["position_source"].str.len() > 10).all()
    rail = stops[stops["mode"].isin(["light_rail", "s_train"])]
    assert len(rail) == 29 + 12
    assert rail["gtfs_stop_id"].str.fullmatch(r"86\d{5}").all()
    assert rail["gtfs_stop_id"].is_unique
    assert rail["position_source"].str.startswith("Rejseplanen").all()
    other = stops[~stops["mode"].isin(["light_rail", "s_train"])]
    assert other["gtfs_stop_id"].isna().all()
    assert other["position_source"].str.match(r"(approximate|illustrative):").all()
    # Fingerplan stations: rail yes, buses and the planned BRT no
    assert stops.loc[stops["mode"].isin(["bus", "brt"]), "fingerplan_station"].eq(False).all()
    assert rail["fingerplan_station"].eq(True).all()


def test_rail_stops_within_30_m_of_rejseplanen(stops, feed):
    """Every light-rail stop and S-train station lies within 30 m of its Rejseplanen position."""
    rail = stops[stops["mode"].isin(["light_rail", "s_train"])]
    offsets = []
    for geom, gtfs, name in zip(rail.geometry, rail["gtfs_stop_id"], rail["name"], strict=True):
        offset = geom.distance(feed.geometry[gtfs])
        assert offset < STOP_MAX_OFFSET_M, (name, gtfs, offset)
        offsets.append(offset)
    assert len(offsets) == 41
    # the ids name the same station (the feed adds "St." and "(Letbane)")
    for gtfs, name in zip(rail["gtfs_stop_id"], rail["name"], strict=True):
        first = feed.loc[gtfs, "stop_name"].split(" ")[0].rstrip(",")
        if gtfs == "8603428":  # the feed's name slip: by position Anker Engelunds Vej - DTU
            assert name == "Anker Engelunds Vej – DTU"
            assert feed.loc[gtfs, "stop_name"].startswith("Akademivej")
            continue
        assert name.split(" ")[0] == first, (name, feed.loc[gtfs, "stop_name"])


def test_all_29_light_rail_stops_of_the_feed(stops, feed):
    """The bundled light rail is exactly the feed's 29 stops, in the feed's order."""
    lr = stops[stops["mode"] == "light_rail"]
    ids = feed.index[feed["stop_name"].str.contains("Letbane")]
    assert sorted(lr["gtfs_stop_id"]) == sorted(ids)
    seq = feed.loc[lr["gtfs_stop_id"], "seq_south_to_north"].to_numpy()
    assert (np.diff(seq) < 0).all()  # the layer runs north to south


# --------------------------------------------------------------------------- districts


def test_albertslund_districts_on_business_land_use(districts, erhverv):
    """Each Albertslund district lies at least 80 % on GeoFA business land use."""
    business = shapely.union_all(erhverv.geometry.values)
    for did in ALBERTSLUND:
        geom = districts.geometry[did]
        share = geom.intersection(business).area / geom.area
        assert share >= 0.8, (did, share)


def test_hersted_is_the_geofa_polygon(districts, erhverv):
    """Hersted Industripark: IoU with the 157.6 ha GeoFA polygon at least 0.9."""
    big = erhverv.loc[(erhverv["area_ha"] - 157.6).abs() < 0.05]
    assert len(big) == 1
    poly = big.geometry.iloc[0]
    ours = districts.geometry["hersted-industripark"]
    iou = ours.intersection(poly).area / ours.union(poly).area
    assert iou >= 0.9, iou
    assert ours.area / SQM_PER_HA == pytest.approx(157.6, abs=0.5)


# --------------------------------------------------------------------------- network


def _nodes(geoms) -> tuple[np.ndarray, np.ndarray, int]:
    """Start and end node of each line (nodes keyed by coordinates to 1 cm)."""
    starts = shapely.get_coordinates(shapely.get_point(geoms, 0))
    ends = shapely.get_coordinates(shapely.get_point(geoms, -1))
    keys = np.round(np.vstack([starts, ends]), 2)
    _, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.ravel()
    return inv[: len(geoms)], inv[len(geoms) :], int(inv.max()) + 1


def test_network_file_is_small_lines_in_25832():
    """The network is one GeoJSON of (Multi)LineStrings in EPSG:25832, under 5 MB."""
    path = LAYERS / "network.geojson"
    assert path.stat().st_size < 5 * 1024 * 1024
    info = pyogrio.read_info(path)
    assert info["crs"] == WORK_CRS
    assert info["geometry_type"] in ("MultiLineString", "LineString")
    assert {"edge_id", "kind", "level"} <= set(info["fields"])


def test_network_is_noded_and_mostly_connected(edges):
    """Same-level lines never cross mid-line; the largest connected part holds over 95 %."""
    geoms = edges.geometry.values
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="crosses")
    levels = edges["level"].to_numpy()
    same = (a < b) & (levels[a] == levels[b])
    assert same.sum() == 0, list(zip(a[same][:5], b[same][:5], strict=True))
    u, v, n = _nodes(geoms)
    labels = connected_components(
        coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n)), directed=False
    )[1]
    share = np.bincount(labels).max() / n
    assert share > 0.95, share
    stats = json.loads((LAYERS / "network_stats.json").read_text(encoding="utf-8"))
    assert stats["nodes"] == n and stats["edges"] == len(geoms)
    assert stats["largest_component_node_share"] == pytest.approx(share, abs=1e-4)


def test_network_levels_mark_crossings_without_meeting(edges):
    """Level -1 lines exist and most cross a level-0 line without a shared node.

    (A level -1 route chain may end in a piece that only meets level-0 lines at
    its ends; it is connected there like any other line.)
    """
    lower = edges[edges["level"] == -1]
    assert 10 <= len(lower) <= 500
    ground = edges[edges["level"] == 0].geometry.values
    tree = shapely.STRtree(ground)
    crossing = tree.query(lower.geometry.values, predicate="crosses")
    assert len(np.unique(crossing[0])) >= 0.8 * len(lower)


def test_no_network_edge_on_a_motorway(edges, motorways):
    """No walkable line runs along a motorway (GeoFA ``Off. statsvej``)."""
    zone = shapely.buffer(motorways, 3.0)
    shapely.prepare(zone)
    near = shapely.length(shapely.intersection(edges.geometry.values, zone))
    share = near / shapely.length(edges.geometry.values)
    bad = (share > 0.5) & (near > 10.0)
    assert not bad.any(), edges[bad].head()


def test_every_serving_stop_and_district_within_reach(edges, stops, districts):
    """Every stop within 1.5 km of a district, and every district, reaches the network."""
    tree = shapely.STRtree(edges.geometry.values)
    live = districts[districts["status"] != "withdrawn"]
    reach = shapely.union_all(live.geometry.values).buffer(SERVING_M)
    serving = stops[[reach.contains(g) for g in stops.geometry]]
    assert len(serving) >= 20
    _, dist = tree.query_nearest(serving.geometry.values, return_distance=True, all_matches=False)
    assert (dist < STOP_MAX_NETWORK_M).all(), serving.loc[dist >= STOP_MAX_NETWORK_M, "name"]
    for did, geom in live.geometry.items():
        inside = tree.query(geom, predicate="intersects")
        assert shapely.length(edges.geometry.values[inside]).sum() > 500, did


def test_firms_near_the_network_and_not_in_water(edges):
    """Every firm in a district is within 100 m of the network and none is in water."""
    firms = read("companies")
    live = read("districts")
    live = live[live["status"] != "withdrawn"]
    in_district = firms[[live.contains(g).any() for g in firms.geometry]]
    assert len(in_district) > 1000
    tree = shapely.STRtree(edges.geometry.values)
    _, dist = tree.query_nearest(in_district.geometry.values, return_distance=True)
    assert dist.max() <= FIRM_MAX_NETWORK_M + 0.01
    water = shapely.union_all(read("background_water").geometry.values)
    assert not shapely.intersects(water, firms.geometry.values).any()


def test_firms_on_business_land_use_where_there_is_any(districts, erhverv):
    """Firms stand on GeoFA business land use in every district that has 1 ha of it."""
    firms = read("companies")
    business = shapely.union_all(erhverv.geometry.values)
    checked = 0
    for did, geom in districts.geometry.items():
        if geom.intersection(business).area < 10_000:
            continue
        inside = firms[firms.within(geom)]
        if len(inside):
            assert inside.within(business).all(), did
            checked += 1
    assert checked >= 6


def test_firms_not_in_geofa_lakes(reference_data):
    """No firm stands in a GeoFA lake."""
    lu = gpd.read_file(
        reference_data / "geofa_vestegnen_roads_paths_landuse.gpkg",
        layer="land_anvendelse",
        engine="pyogrio",
    )
    lakes = shapely.union_all(lu.loc[lu["type"] == "Sø"].geometry.values)
    firms = read("companies")
    assert not shapely.intersects(lakes, firms.geometry.values).any()


# --------------------------------------------------------------------------- background


@pytest.mark.parametrize("name", BACKGROUND)
def test_background_layers_small_valid_in_25832(name):
    """Each background layer is a small valid GeoJSON in EPSG:25832."""
    path = LAYERS / f"background_{name}.geojson"
    assert path.stat().st_size < 200_000
    frame = read(f"background_{name}")
    assert frame.crs == WORK_CRS
    assert len(frame) >= 2
    assert frame.geometry.is_valid.all() and not frame.geometry.is_empty.any()
    assert frame["source"].notna().all()


def test_background_shows_coast_boundaries_roads_and_railways():
    """Sea and lakes, the two municipalities, motorways, main roads, S-train and light rail."""
    water = read("background_water").set_index("kind")
    assert {"sea", "lake"} <= set(water.index)
    holme = read("districts").set_index("district_id").geometry["avedoere-holme"]
    assert water.geometry["sea"].distance(holme) < 300  # Avedøre Holme is on the coast
    names = set(read("background_municipalities")["name"])
    assert {"Albertslund", "Hvidovre", "Glostrup", "Brøndby"} <= names
    assert {"motorway", "main_road"} <= set(read("background_roads")["kind"])
    assert {"s_train", "light_rail"} <= set(read("background_railways")["kind"])


def test_attribution_names_every_source():
    """The attribution names GeoFA, DAGI and Rejseplanen in Danish and English."""
    doc = json.loads((LAYERS / "attribution.json").read_text(encoding="utf-8"))
    for lang in ("da", "en"):
        for source in ("GeoFA", "DAGI", "Rejseplanen"):
            assert source in doc[lang], (lang, source)
    assert "syntetiske" in doc["da"] and "synthetic" in doc["en"]
    readme = (LAYERS / "README.md").read_text(encoding="utf-8")
    assert doc["en"] in readme and doc["da"] in readme
