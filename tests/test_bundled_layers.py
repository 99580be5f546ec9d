"""The bundled layers in ``layers/`` agree with the published facts.

The files are read directly with pyogrio/GeoPandas (and, where the project
loader is importable, through ``areas.load()`` too). Every figure asserted here
is listed with its source in ``layers/README.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import warnings
from itertools import combinations
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

import areas
from areas.load.logic import district_overlaps
from areas.schema import KINDS, MODES, SQM_PER_HA, STATUSES, WORK_CRS

REPO = Path(__file__).resolve().parent.parent
LAYERS = REPO / "layers"
SCRIPT = REPO / "scripts" / "make_layers.py"
KIND_FILES = ("districts", "bids", "rewilding", "stops", "companies")

DISTRICT_IDS = {
    "hersted-industripark",
    "vaerkstedskvarteret",
    "roede-vejmoelle",
    "albertslund-centrum",
    "avedoere-holme",
    "holmene",
    "gungevej",
    "taarnfalkevej",
}
DISTRICT_MUNICIPALITY = {
    "hersted-industripark": "Albertslund",
    "vaerkstedskvarteret": "Albertslund",
    "roede-vejmoelle": "Albertslund",
    "albertslund-centrum": "Albertslund",
    "avedoere-holme": "Hvidovre",
    "holmene": "Hvidovre",
    "gungevej": "Hvidovre",
    "taarnfalkevej": "Hvidovre",
}

#: Hovedstadens Letbane, north to south (domain facts).
STAGE_2 = [
    "Lundtofte",
    "Rævehøjvej",
    "Anker Engelunds Vej – DTU",
    "Akademivej – DTU",
    "Fortunbyen",
    "Lyngby Centrum",
    "Lyngby st.",
    "Gammelmosevej",
    "Buddinge st.",
    "Gladsaxe Rådhus",
    "Gladsaxevej",
    "Gladsaxe Trafikplads",
    "Dynamovej",
    "Herlev Hospital",
    "Herlev Bymidte",
    "Herlev st.",
    "Herlev Syd",
]
STAGE_1 = [
    "Rødovre Nord",
    "Glostrup Ejby",
    "Glostrup Nord (– Hersted)",
    "Glostrup Hospital – Rigshospitalet",
    "Glostrup st.",
    "Kirkebjerg",
    "Brøndbyvester",
    "Delta Park",
    "Vallensbæk st.",
    "Strandhaven",
    "Ishøj Strand – Arken",
    "Ishøj st.",
]
#: S-train stations (lat, lon) from Københavns Kommune's station overview (domain facts);
#: the bundled positions are Rejseplanen's, which differ by up to about 150 m.
S_TRAIN = {
    "Albertslund": (55.658276, 12.354578),
    "Glostrup": (55.663012, 12.397470),
    "Brøndbyøster": (55.665104, 12.441745),
    "Rødovre": (55.664694, 12.459454),
    "Hvidovre": (55.664437, 12.474516),
    "Åmarken": (55.639827, 12.499902),
    "Friheden": (55.629102, 12.482126),
    "Avedøre": (55.625783, 12.456323),
    "Brøndby Strand": (55.621069, 12.421133),
    "Vallensbæk": (55.623306, 12.386754),
    "Ishøj": (55.613349, 12.357901),
    "København Syd": (55.652303, 12.517284),  # formerly Ny Ellebjerg
}
#: Light-rail stop -> (S-train station, distance in metres between the Rejseplanen
#: positions, as the reference data's README gives it).
INTERCHANGE_M = {
    "Glostrup st.": ("Glostrup st.", 122),
    "Vallensbæk st.": ("Vallensbæk st.", 239),
    "Ishøj st.": ("Ishøj st.", 73),
}
NAMED_FIRMS = {
    "hersted-industripark": ["Colas Danmark", "Keolis Bus Danmark", "FTZ Autodele & Værktøj"],
    "vaerkstedskvarteret": ["G4S", "Brdr. Klee", "Malerflex Industrilakering"],
    "roede-vejmoelle": ["COOP Danmark", "A.O. Johansen", "Fritz Schur Teknik"],
    "albertslund-centrum": ["Føtex", "Kvickly", "Cafe Felix"],
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TO_UTM = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)


def utm(lat: float, lon: float) -> shapely.Point:
    """Project WGS84 (lat, lon) to a point in EPSG:25832."""
    return shapely.Point(*TO_UTM.transform(lon, lat))


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def raw() -> dict[str, dict]:
    """Return the five files parsed as plain JSON."""
    return {
        k: json.loads((LAYERS / f"{k}.geojson").read_text(encoding="utf-8")) for k in KIND_FILES
    }


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    """Return the five files read with pyogrio through GeoPandas."""
    return {k: gpd.read_file(LAYERS / f"{k}.geojson", engine="pyogrio") for k in KIND_FILES}


@pytest.fixture(scope="module")
def districts(layers) -> gpd.GeoDataFrame:
    """Return the districts indexed by id."""
    return layers["districts"].set_index("district_id", drop=False)


@pytest.fixture(scope="module")
def stops(layers) -> gpd.GeoDataFrame:
    """Return the stops layer."""
    return layers["stops"]


@pytest.fixture(scope="module")
def located(layers, districts) -> pd.DataFrame:
    """Return the companies with the district containing each (slow, obvious loop)."""
    comp = layers["companies"]
    out = []
    for geom in comp.geometry:
        hits = [did for did, poly in districts.geometry.items() if poly.contains(geom)]
        assert len(hits) <= 1, hits
        out.append(hits[0] if hits else None)
    return comp.assign(district_id=out)


def district_area_ha(districts, did: str) -> float:
    """Return a district's area in hectares (EPSG:25832)."""
    return districts.geometry[did].area / SQM_PER_HA


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("kind", KIND_FILES)
def test_file_is_utf8_geojson_in_25832_with_crs_member(kind):
    """Each file is UTF-8 GeoJSON in EPSG:25832 with a ``crs`` member."""
    path = LAYERS / f"{kind}.geojson"
    text = path.read_bytes().decode("utf-8")  # raises on anything but UTF-8
    doc = json.loads(text)
    assert doc["type"] == "FeatureCollection"
    assert doc["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::25832"
    assert pyogrio.read_info(path)["crs"] == WORK_CRS
    assert "\\u00" not in text  # Danish letters are written as themselves, not escaped


@pytest.mark.parametrize("kind", KIND_FILES)
def test_coordinates_are_rounded_to_centimetres(raw, kind):
    """Coordinates are metres rounded to 0.01 m."""
    coords = np.concatenate(
        [
            np.asarray(shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))).ravel()
            for f in raw[kind]["features"]
        ]
    )
    cents = coords * 100
    assert np.all(np.abs(cents - np.round(cents)) < 1e-6)
    # and they lie in Denmark, in metres
    assert coords.min() > 400_000 and coords.max() < 6_420_000


@pytest.mark.parametrize("kind", KIND_FILES)
def test_schema_columns_present_and_ids_unique(raw, kind):
    """Every schema column is present; ids are unique non-empty text."""
    spec = KINDS[kind]
    columns = set(spec.columns)
    if kind == "districts":
        # the bundled districts do not overlap: the columns that rank districts in an
        # overlap (`priority`, `adopted`) are not needed, and the loader adds them empty
        columns -= {"priority", "adopted"}
        assert not any(district_overlaps(areas.load().districts))
    # office floor areas are not published for the bundled firms (an optional column)
    columns -= {"office_floor_area_m2"}
    ids = []
    for feat in raw[kind]["features"]:
        props = feat["properties"]
        assert columns <= set(props), columns - set(props)
        for col in spec.required:
            assert props[col] is not None, (col, props)
        ids.append(props[spec.id_column])
    assert all(isinstance(i, str) and i for i in ids)
    assert len(ids) == len(set(ids))
    if kind != "companies":
        assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids), ids


@pytest.mark.parametrize("kind", ["bids", "rewilding", "stops"])
def test_dates_are_iso_strings(raw, kind):
    """Dates are written as ``YYYY-MM-DD`` strings."""
    seen = 0
    for feat in raw[kind]["features"]:
        for col in KINDS[kind].dates:
            value = feat["properties"][col]
            if value is None:
                continue
            assert isinstance(value, str) and ISO_DATE.match(value), value
            dt.date.fromisoformat(value)
            seen += 1
    assert seen > 0


def test_status_and_mode_values_are_valid(layers):
    """Statuses and modes come from the schema's value sets."""
    assert set(layers["districts"]["status"]) <= set(STATUSES)
    assert set(layers["stops"]["status"]) <= set(STATUSES)
    assert set(layers["stops"]["mode"]) <= set(MODES)


@pytest.mark.parametrize("kind", ["districts", "bids", "rewilding"])
def test_polygons_are_valid(layers, kind):
    """Polygon layers hold valid, non-empty (Multi)Polygons."""
    geoms = layers[kind].geometry
    assert set(geoms.geom_type) <= {"Polygon", "MultiPolygon"}
    assert geoms.is_valid.all()
    assert (geoms.area > 0).all()


def test_danish_letters_survive(layers):
    """æ, ø and å are present and read back as themselves."""
    names = set(layers["districts"]["name"])
    assert {
        "Værkstedskvarteret",
        "Røde Vejrmølle Industrikvarter",
        "Avedøre Holme",
        "Tårnfalkevej/Strandskadevej",
    } <= names
    firm_names = layers["companies"]["name"]
    assert firm_names.str.contains("æ").sum() > 10
    assert firm_names.str.contains("ø").sum() > 10
    assert firm_names.str.contains("å").sum() > 10
    assert "Herstedøstervej" in set(layers["stops"]["name"])


# --------------------------------------------------------------------------- districts


def test_district_ids_and_municipalities(districts):
    """The eight district ids, their municipalities and statuses."""
    assert set(districts.index) == DISTRICT_IDS
    assert districts["municipality"].to_dict() == DISTRICT_MUNICIPALITY
    statuses = districts["status"].to_dict()
    assert statuses.pop("holmene") == "withdrawn"
    assert set(statuses.values()) == {"existing"}
    assert districts.loc["gungevej", "kind"] == "mixed_use_transition"
    assert districts.loc["taarnfalkevej", "kind"] == "mixed_use_transition"


def test_hersted_is_158_ha(districts):
    """Hersted Industripark is 158 ha (Erhvervsstrategi 2019–2024)."""
    # the strategy's 158 ha; the generator calibrates to within 1 %
    assert district_area_ha(districts, "hersted-industripark") == pytest.approx(158, rel=0.01)


def test_avedoere_holme_is_lp518_area(districts):
    """Avedøre Holme is the 21-vertex LP 518 outline, about 301 ha."""
    assert district_area_ha(districts, "avedoere-holme") == pytest.approx(301, rel=0.03)
    assert shapely.get_num_coordinates(districts.geometry["avedoere-holme"]) == 21


def test_holmene_is_nine_illustrative_islands_of_320_ha(districts):
    """Holmene: withdrawn, nine illustrative islands, about 320 ha, in the sea."""
    row = districts.loc["holmene"]
    assert row["status"] == "withdrawn"
    assert row.geometry.geom_type == "MultiPolygon"
    assert shapely.get_num_geometries(row.geometry) == 9
    assert row.geometry.area / SQM_PER_HA == pytest.approx(320, rel=0.02)
    assert "illustrative" in row["kind"].lower() and "illustrative" in row["source"].lower()
    # in the sea off Avedøre Holme: south of it, no island touching it
    holme = districts.geometry["avedoere-holme"]
    assert row.geometry.bounds[3] < holme.bounds[1]
    assert row.geometry.distance(holme) > 100


def test_albertslund_districts_are_plausibly_sized(districts):
    """The Albertslund outlines (GeoFA business land use) have plausible sizes."""
    assert 10 <= district_area_ha(districts, "vaerkstedskvarteret") <= 40  # ~50 small firms
    assert 3 <= district_area_ha(districts, "albertslund-centrum") <= 20
    # the Albertslund part of a larger business area (GeoFA: 87.0 ha)
    assert 40 <= district_area_ha(districts, "roede-vejmoelle") <= 100


def test_districts_do_not_overlap(districts):
    """No two districts overlap."""
    for a, b in combinations(districts.index, 2):
        overlap = districts.geometry[a].intersection(districts.geometry[b]).area
        assert overlap < 1e-6, (a, b, overlap)


def test_albertslund_centrum_is_next_to_the_station(districts, stops):
    """Albertslund Centrum adjoins the S-train station; Værkstedskvarteret is near it."""
    station = stops.loc[stops["stop_id"] == "st-albertslund-st"].geometry.iloc[0]
    assert districts.geometry["albertslund-centrum"].distance(station) < 100
    assert districts.geometry["vaerkstedskvarteret"].distance(station) < 1000


def test_hersted_east_edge_at_glostrup_nord(districts, stops):
    """Glostrup Nord (– Hersted) lies just east of Hersted Industripark."""
    hersted = districts.geometry["hersted-industripark"]
    station = stops.loc[stops["name"] == "Glostrup Nord (– Hersted)"].geometry.iloc[0]
    assert not hersted.covers(station)  # just outside, in Glostrup
    assert hersted.distance(station) < 60
    assert station.x > hersted.bounds[2]  # east of the park
    # and the park is north of Albertslund station
    alb = stops.loc[stops["stop_id"] == "st-albertslund-st"].geometry.iloc[0]
    assert hersted.bounds[1] > alb.y


# --------------------------------------------------------------------------- BIDs


def test_avedoere_holme_bid(layers, districts):
    """The Avedøre Holme BID: May 2021 – December 2023, 394 invited, 78 members."""
    bids = layers["bids"].set_index("bid_id")
    row = bids.loc["bid-avedoere-holme-2021"]
    assert row["start"] == pd.Timestamp("2021-05-01")
    assert row["end"] == pd.Timestamp("2023-12-31")
    assert row["invited"] == 394 and row["members"] == 78
    assert row["district_id"] == "avedoere-holme"
    assert row.geometry.symmetric_difference(districts.geometry["avedoere-holme"]).area < 1e-6


def test_albertslund_bids_start_2019_2020_with_open_end(layers, districts):
    """Albertslund's four BIDs start in 2019/2020, have no end and lie in their district."""
    bids = layers["bids"]
    alb = bids[bids["district_id"] != "avedoere-holme"]
    years = sorted(zip(alb["start"].dt.year, alb["district_id"], strict=True))
    assert years == [
        (2019, "hersted-industripark"),
        (2019, "roede-vejmoelle"),
        (2020, "hersted-industripark"),
        (2020, "vaerkstedskvarteret"),
    ]
    assert alb["end"].isna().all()
    for geom, did in zip(alb.geometry, alb["district_id"], strict=True):
        assert geom.difference(districts.geometry[did]).area < 1e-6  # within their district


def test_hersted_bids_overlap_partially(layers, districts, located):
    """The two Hersted BIDs overlap in part and leave part of the park uncovered."""
    bids = layers["bids"]
    a, b = bids.loc[bids["district_id"] == "hersted-industripark"].geometry
    shared = a.intersection(b).area
    assert shared > 0
    assert shared < min(a.area, b.area)  # neither contains the other
    uncovered = districts.geometry["hersted-industripark"].difference(a.union(b))
    assert uncovered.area / SQM_PER_HA > 5
    firms = located[located["district_id"] == "hersted-industripark"]
    in_both = [a.contains(p) and b.contains(p) for p in firms.geometry]
    in_none = [not (a.contains(p) or b.contains(p)) for p in firms.geometry]
    assert sum(in_both) > 0 and sum(in_none) > 0


# --------------------------------------------------------------------------- rewilding


def test_rewilded_union_is_15_ha_and_5_percent(layers, districts):
    """The rewilded union is 15.0 ha, 5 % of Avedøre Holme."""
    holme = districts.geometry["avedoere-holme"]
    plots = layers["rewilding"]
    union = shapely.union_all(plots.geometry.values).intersection(holme)
    assert union.area / SQM_PER_HA == pytest.approx(15.0, abs=0.05)
    assert union.area / holme.area == pytest.approx(0.05, abs=0.002)
    assert all(holme.covers(g) for g in plots.geometry)


def test_rewilding_plots_overlap_but_union_is_less_than_sum(layers):
    """Some plots overlap, so their areas add up to more than the union."""
    geoms = list(layers["rewilding"].geometry)
    overlaps = [a.intersection(b).area for a, b in combinations(geoms, 2)]
    assert sum(o > 1 for o in overlaps) >= 1
    total = sum(g.area for g in geoms)
    union = shapely.union_all(geoms).area
    assert total - union == pytest.approx(sum(overlaps), rel=1e-6)  # no triple overlaps
    assert total > union


def test_rewilding_established_2022_and_2023(layers):
    """Plots were established in 2022 and 2023."""
    years = layers["rewilding"]["established"].dt.year
    assert set(years) == {2022, 2023}


def test_rewilding_owners_are_19_firms_and_the_municipality(layers, located):
    """Owners: 19 firms named as in the register, and Hvidovre Kommune."""
    owners = layers["rewilding"]["owner"]
    assert owners.notna().all()
    municipal = owners.str.contains("kommune", case=False)
    assert set(owners[municipal]) == {"Hvidovre Kommune"}
    firm_owners = set(owners[~municipal])
    assert len(firm_owners) == 19
    holme_firms = located[located["district_id"] == "avedoere-holme"]
    assert firm_owners <= set(holme_firms["name"])
    assert located["name"].is_unique  # so an owner name names exactly one firm


def test_rewilding_survey_row(layers):
    """The 100 m² survey (105 species vs 2 on the lawn) is recorded on one plot."""
    plots = layers["rewilding"]
    surveyed = plots[plots["species_count"].notna()]
    assert len(surveyed) == 1
    row = surveyed.iloc[0]
    assert row["species_count"] == 105 and row["survey_area_m2"] == 100
    assert row["reference_species_count"] == 2 and "lawn" in row["reference_habitat"]
    assert row.geometry.area > row["survey_area_m2"]  # the sample lies inside the plot
    assert not plots["habitat"].str.contains("lawn").any()  # the lawn is not a rewilded plot


# --------------------------------------------------------------------------- stops


def test_light_rail_29_stations_in_two_stages(stops, districts):
    """29 light-rail stations: 12 opened 2025-10-26, 17 in service by 2026-11-04."""
    lr = stops[stops["mode"] == "light_rail"]
    assert lr["name"].tolist() == STAGE_2 + STAGE_1
    stage1 = lr[lr["name"].isin(STAGE_1)]
    assert (stage1["status"] == "existing").all()
    assert (stage1["opens"] == pd.Timestamp("2025-10-26")).all()
    stage2 = lr[lr["name"].isin(STAGE_2)]
    assert len(stage2) == 17
    assert (stage2["status"] == "existing").all()
    # the feed valid 2026-08-10 - 2026-11-04 lists them: in service by its last day
    assert (stage2["opens"] == pd.Timestamp("2026-11-04")).all()
    assert stage2["note"].str.contains("2026-08-10").all()
    # and no bundled district is near stage 2, so the district figures do not hinge on it
    assert min(d.distance(s) for d in districts.geometry for s in stage2.geometry) > 3500


def test_s_train_stations_near_the_municipal_station_overview(stops):
    """S-train stations lie within 150 m of Københavns Kommune's coordinates."""
    strain = stops[stops["mode"] == "s_train"]
    assert len(strain) == len(S_TRAIN)
    for name, (lat, lon) in S_TRAIN.items():
        hit = strain[strain["name"].str.fullmatch(re.escape(name) + r"( st\.)?")]
        assert len(hit) == 1, name
        assert hit.geometry.iloc[0].distance(utm(lat, lon)) < 150.0, name
        assert hit["status"].iloc[0] == "existing"
    rodovre = strain[strain["name"].str.startswith("Rødovre")]
    assert rodovre["municipality"].iloc[0] == "Hvidovre"


def test_interchange_distances(stops):
    """Interchange stops lie at the Rejseplanen distance from their S-train station."""
    for lr_name, (s_name, metres) in INTERCHANGE_M.items():
        lr = stops[(stops["mode"] == "light_rail") & (stops["name"] == lr_name)]
        st = stops[(stops["mode"] == "s_train") & (stops["name"] == s_name)]
        gap = lr.geometry.iloc[0].distance(st.geometry.iloc[0])
        assert gap == pytest.approx(metres, abs=2.0), lr_name
        assert f"{gap:.0f} m from the S-train station" in lr["note"].iloc[0]


def test_stations_lie_along_ring_3(stops):
    """Consecutive stations are 0.3–2.5 km apart along a line of about 28 km."""
    lr = stops[stops["mode"] == "light_rail"]
    xy = shapely.get_coordinates(lr.geometry.values)
    gaps = np.hypot(*np.diff(xy, axis=0).T)
    assert 300 < gaps.min() and gaps.max() < 2500  # consecutive stations 0.3-2.5 km apart
    assert 20_000 < gaps.sum() < 34_000  # the line is 28 km


def test_metro_study_sites(stops):
    """The metro sites are studies with no opening date."""
    metro = stops[stops["mode"] == "metro"]
    assert set(metro["name"]) == {"Hvidovre Hospital", "Rødovre Centrum", "Rødovre st."}
    assert (metro["status"] == "study").all()
    assert metro["opens"].isna().all()


def test_bus_stops_on_avedoere_holme(stops, districts):
    """500S, 200S and BRT stops serve Avedøre Holme; some stops serve Hersted."""
    holme = districts.geometry["avedoere-holme"]
    bus = stops[stops["mode"].isin(["bus", "brt"])]
    near = bus[[holme.distance(g) < 250 for g in bus.geometry]]
    s500 = near[near["line"] == "500S"]
    assert len(s500) >= 2 and s500["opens"].notna().all()
    assert (near["line"] == "200S").sum() >= 2
    brt = near[near["mode"] == "brt"]
    assert len(brt) >= 1 and (brt["status"] == "planned").all() and brt["opens"].isna().all()
    names = " ".join(near["name"])
    streets = ["Stamholmen", "Hammerholmen", "Industriholmen", "Jernholmen", "Avedøre Havnevej"]
    for street in streets:
        assert street in names, street
    hersted = districts.geometry["hersted-industripark"]
    assert sum(hersted.contains(g) for g in bus.geometry) >= 3


# --------------------------------------------------------------------------- companies


def test_company_counts_on_avedoere_holme(located):
    """Avedøre Holme: 394 firms, 78 BID members, about 9,000 jobs."""
    holme = located[located["district_id"] == "avedoere-holme"]
    assert len(holme) == 394
    assert holme["bid_member"].sum() == 78
    assert holme["employees"].sum() == pytest.approx(9000, rel=0.05)
    assert not located.loc[located["district_id"].isna(), "bid_member"].any()


def test_company_counts_in_albertslund(located):
    """Albertslund: about 400 firms/6,000 jobs in Hersted, about 50 firms in Værkstedskvarteret."""
    count = located["district_id"].value_counts()
    jobs = located.groupby("district_id")["employees"].sum()
    assert 380 <= count["hersted-industripark"] <= 430
    assert jobs["hersted-industripark"] == pytest.approx(6000, rel=0.05)
    assert 45 <= count["vaerkstedskvarteret"] <= 55
    for did in ["roede-vejmoelle", "albertslund-centrum", "gungevej", "taarnfalkevej"]:
        assert count[did] > 0
    assert "holmene" not in count  # never built
    outside = located["district_id"].isna().sum()
    assert 1 <= outside <= 20


def test_albertslund_members_only_inside_active_bids(layers, located):
    """Albertslund BID members lie inside an active BID."""
    bids = layers["bids"]
    alb = bids[bids["end"].isna()].geometry
    firms = located[
        located["district_id"].isin(
            [
                "hersted-industripark",
                "roede-vejmoelle",
                "vaerkstedskvarteret",
                "albertslund-centrum",
            ]
        )
    ]
    members = firms[firms["bid_member"]]
    assert len(members) > 0
    assert all(any(g.contains(p) for g in alb) for p in members.geometry)


def test_named_example_firms_in_their_districts(located):
    """The strategy's example firms lie in the district that names them."""
    by_name = located.set_index("name")["district_id"]
    for did, names in NAMED_FIRMS.items():
        for name in names:
            assert by_name[name] == did, name


def test_company_points_strictly_inside(located, districts):
    """Firms lie strictly inside their district, never on a boundary."""
    inside = located[located["district_id"].notna()]
    for geom, did in zip(inside.geometry, inside["district_id"], strict=True):
        assert districts.geometry[did].boundary.distance(geom) > 1.0


def test_company_ids_keep_leading_zeros(layers, raw):
    """Company ids are eight-digit text with their leading zeros."""
    ids = layers["companies"]["company_id"]
    assert all(isinstance(i, str) for i in ids)
    assert ids.str.fullmatch(r"00\d{6}").all()
    assert ids.is_unique
    assert [f["properties"]["company_id"] for f in raw["companies"]["features"]] == ids.tolist()


def test_companies_are_marked_synthetic(layers):
    """Every firm record says it is synthetic; employees are positive integers."""
    comp = layers["companies"]
    assert set(comp["origin"]) == {"synthetic", "named in the source; attributes synthetic"}
    assert (comp["employees"] >= 1).all()
    assert pd.api.types.is_integer_dtype(comp["employees"])


# --------------------------------------------------------------------------- reproducibility


#: Every file the generator writes.
GENERATED = [f"{k}.geojson" for k in KIND_FILES] + [
    "network.geojson",
    "background_water.geojson",
    "background_municipalities.geojson",
    "background_roads.geojson",
    "background_railways.geojson",
    "network_stats.json",
    "attribution.json",
]


@pytest.mark.slow
def test_generator_is_byte_for_byte_reproducible(tmp_path, reference_data):
    """Re-running the generator (on the reference data) gives byte-identical files."""
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--reference", str(reference_data)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(GENERATED)
    for name in GENERATED:
        fresh = (tmp_path / name).read_bytes()
        assert fresh == (LAYERS / name).read_bytes(), name
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


# --------------------------------------------------------------------------- through areas.load()


@pytest.fixture(scope="module")
def atlas():
    """Return the bundled layers loaded through ``areas.load.pipeline.load``."""
    import areas.load.pipeline as io

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the bundled data loads without repairs or guesses
        return io.load()


def test_load_gives_schema_dtypes(atlas):
    """Through the loader: schema dtypes, ids as text with leading zeros."""
    assert atlas.companies.crs == WORK_CRS
    ids = atlas.companies["company_id"]
    assert all(isinstance(i, str) and i.startswith("00") for i in ids)
    assert str(atlas.companies["employees"].dtype) == "Int64"
    assert str(atlas.companies["bid_member"].dtype) == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(atlas.stops["opens"])
    assert pd.api.types.is_datetime64_any_dtype(atlas.bids["end"])
    assert str(atlas.rewilding["species_count"].dtype) == "Int64"


def test_load_keeps_every_feature(atlas, raw):
    """Through the loader: nothing excluded or repaired; extra columns kept."""
    for kind in KIND_FILES:
        src = atlas.sources[kind]
        assert src.features_read == len(raw[kind]["features"]) == len(getattr(atlas, kind))
        assert not src.excluded and not src.repairs
    assert "origin" in atlas.companies.columns  # extra columns are kept


def test_load_figures(atlas):
    """Through the loader: the headline counts hold."""
    holme = atlas.districts.set_index("district_id").geometry["avedoere-holme"]
    in_holme = atlas.companies[atlas.companies.within(holme)]
    assert len(in_holme) == 394 and in_holme["bid_member"].sum() == 78
    lr = atlas.stops[atlas.stops["mode"] == "light_rail"]
    assert (lr["opens"] == pd.Timestamp("2025-10-26")).sum() == 12
    assert (lr["opens"] == pd.Timestamp("2026-11-04")).sum() == 17
    assert (lr["status"] == "existing").all()
    assert {"gtfs_stop_id", "position_source", "fingerplan_station"} <= set(atlas.stops.columns)


# --------------------------------------------------------------------------- reference data


@pytest.fixture(scope="module")
def lokalplaner(request):
    """Return Hvidovre's local plans in EPSG:25832 (skip without reference data)."""
    ref = request.getfixturevalue("reference_data")
    return gpd.read_file(ref / "hvidovre_lokalplaner.geojson", engine="pyogrio").to_crs(WORK_CRS)


@pytest.fixture(scope="module")
def municipalities(request):
    """Return the DAGI municipalities by name in EPSG:25832 (skip without reference data)."""
    ref = request.getfixturevalue("reference_data")
    path = ref / "dagi_kommuner_vestegnen.geojson"
    frame = gpd.read_file(path, engine="pyogrio").to_crs(WORK_CRS)
    return frame.dissolve("KOMNAVN").geometry


def _plan(lokalplaner, *numbers):
    return shapely.union_all(lokalplaner.loc[lokalplaner["plannr"].isin(numbers)].geometry.values)


def _iou(a, b) -> float:
    return a.intersection(b).area / a.union(b).area


def test_avedoere_holme_matches_lokalplan_518(districts, lokalplaner):
    """Avedøre Holme agrees with Lokalplan 518: area within 3 %, IoU above 0.9."""
    lp = _plan(lokalplaner, "518")
    ours = districts.geometry["avedoere-holme"]
    assert ours.area == pytest.approx(lp.area, rel=0.03)
    assert _iou(ours, lp) > 0.9


def test_mixed_use_outlines_match_their_plans(districts, lokalplaner):
    """Gungevej and Tårnfalkevej agree with their local plans."""
    gungevej = _plan(lokalplaner, "232", "H20", "H20 tillæg 1")
    assert _iou(districts.geometry["gungevej"], gungevej) > 0.95
    assert _iou(districts.geometry["taarnfalkevej"], _plan(lokalplaner, "407")) > 0.95


def test_roedovre_station_lies_in_hvidovre(stops, municipalities):
    """Rødovre S-train station lies in Hvidovre Kommune."""
    station = stops.loc[stops["stop_id"] == "st-roedovre-st"].geometry.iloc[0]
    assert municipalities["Hvidovre"].contains(station)
    assert not municipalities["Rødovre"].contains(station)


def test_districts_lie_in_their_municipality(districts, municipalities):
    """Each district lies in its municipality; Holmene off Hvidovre's coast."""
    for did, geom in districts.geometry.items():
        home = municipalities[DISTRICT_MUNICIPALITY[did]]
        share = geom.intersection(home).area / geom.area
        if did == "holmene":  # islands in Køge Bugt, off Hvidovre's coast
            assert share < 0.05
            assert municipalities.distance(geom).idxmin() == "Hvidovre"
        else:
            assert share > 0.95, (did, share)


def test_stops_lie_in_the_municipality_they_name(stops, municipalities):
    """Stops lie in the municipality they name (DAGI is 1:500,000: within 250 m of it)."""
    checked = inside = 0
    rows = zip(stops.geometry, stops["name"], stops["municipality"], strict=True)
    for geom, name, municipality in rows:
        if municipality not in municipalities.index:  # outside the reference file's extent
            continue
        assert municipalities[municipality].distance(geom) < 250.0, (name, municipality)
        inside += bool(municipalities[municipality].contains(geom))
        checked += 1
    assert checked > 30
    assert inside >= checked - 3  # only a few stops sit right on a generalised boundary
