"""BID coverage: hand-checked squares, members, call list, a slow union reference."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, box

import areas
from areas.analysis.bid import BidCoverage, bid_coverage
from areas.errors import ConfigError, CrsError, MissingColumnError, SchemaError

CRS = "EPSG:25832"
X0, Y0 = 700_000.0, 6_172_000.0  # Hersted Industripark, roughly


def sq(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def pt(x, y):
    return Point(X0 + x, Y0 + y)


@pytest.fixture
def districts():
    # d1: 400 m x 100 m = 4 ha; d2: 200 m x 100 m = 2 ha
    return gpd.GeoDataFrame(
        {
            "district_id": ["d1", "d2"],
            "name": ["One", "Two"],
            "municipality": ["M", "M"],
            "status": ["existing"] * 2,
        },
        geometry=[sq(0, 0, 400, 100), sq(400, 0, 600, 100)],
        crs=CRS,
    )


@pytest.fixture
def bids():
    return gpd.GeoDataFrame(
        {
            "bid_id": ["b1", "b2", "b3", "b4"],
            "name": ["Bee one", "Bee two", "Bee three", "Bee four"],
            "start": pd.to_datetime(["2020-01-01", "2022-01-01", "2030-01-01", "2019-01-01"]),
            "end": pd.to_datetime([None, "2023-12-31", None, None]),
            "invited": pd.array([10, 20, None, 5], dtype="Int64"),
            "members": pd.array([2, 1, None, 0], dtype="Int64"),
        },
        geometry=[
            sq(0, 0, 200, 100),  # 2 ha in d1
            sq(100, 0, 300, 100),  # 2 ha in d1, overlapping b1 by 1 ha
            sq(350, 0, 500, 100),  # not yet started
            sq(500, 0, 700, 100),  # half in d2, half outside every district
        ],
        crs=CRS,
    )


@pytest.fixture
def firms():
    return gpd.GeoDataFrame(
        {
            "company_id": ["f1", "f2", "f3", "f4", "f5", "f6", "f7"],
            "name": ["One", "Two", "Three", "Four", "Five", "Six", "Seven"],
            "employees": pd.array([10, 20, 30, 40, None, 5, 99], dtype="Int64"),
            "bid_member": pd.array([True, True, False, True, None, False, True], dtype="boolean"),
            "address": [f"Vej {i}" for i in range(7)],
        },
        geometry=[
            pt(50, 50),  # b1
            pt(150, 50),  # b1 and b2
            pt(250, 50),  # b2
            pt(380, 50),  # no BID; a member, but not counted
            pt(550, 50),  # b4, in d2
            pt(450, 50),  # in b3, which has not started
            pt(650, 50),  # b4, outside every district
        ],
        crs=CRS,
    )


def test_hand_checked_districts_in_mid_2023(districts, bids, firms):
    cov = bid_coverage(districts, bids, firms, as_of="2023-06-30")
    d1 = cov.districts.loc["d1"]
    assert d1["area_ha"] == pytest.approx(4)
    assert d1["bid_area_ha"] == pytest.approx(3)  # union of b1 and b2, not 4
    assert d1["bid_area_share"] == pytest.approx(0.75)
    assert d1["companies"] == 4 and d1["employees"] == 100
    assert d1["companies_in_bid"] == 3 and d1["companies_in_bid_share"] == pytest.approx(0.75)
    assert d1["employees_in_bid"] == 60 and d1["employees_in_bid_share"] == pytest.approx(0.6)
    assert d1["bid_members"] == 2 and d1["bid_participation_share"] == pytest.approx(2 / 3)
    assert d1["active_bids"] == 2
    d2 = cov.districts.loc["d2"]
    assert d2["bid_area_ha"] == pytest.approx(1)  # b4 clipped to the district
    assert d2["bid_area_share"] == pytest.approx(0.5)
    assert d2["companies"] == 2 and d2["employees"] == 5  # f5's unknown count as 0
    assert d2["companies_in_bid"] == 1 and d2["employees_in_bid"] == 0
    assert d2["employees_in_bid_share"] == 0.0
    assert d2["bid_members"] == 0 and d2["bid_participation_share"] == 0.0
    assert list(cov.districts.columns[:11]) == [
        "area_ha",
        "bid_area_ha",
        "bid_area_share",
        "companies",
        "employees",
        "companies_in_bid",
        "companies_in_bid_share",
        "employees_in_bid",
        "employees_in_bid_share",
        "bid_members",
        "bid_participation_share",
    ]


def test_bid_ends(districts, bids, firms):
    cov = bid_coverage(districts, bids, firms, as_of="2024-06-30")
    d1 = cov.districts.loc["d1"]
    assert d1["bid_area_ha"] == pytest.approx(2)
    assert d1["companies_in_bid"] == 2 and d1["bid_members"] == 2
    assert d1["bid_participation_share"] == 1.0
    none = bid_coverage(districts, bids, firms, as_of="2018-01-01").districts
    assert (none["bid_area_ha"] == 0).all() and (none["companies_in_bid"] == 0).all()
    assert none["bid_participation_share"].isna().all()  # no firm in a BID: 0 / 0


def test_per_bid_rows(districts, bids, firms):
    cov = bid_coverage(districts, bids, firms, as_of="2023-06-30")
    b = cov.bids.set_index("bid_id")
    assert list(cov.bids["bid_id"]) == ["b1", "b2", "b3", "b4"]
    assert b["active"].tolist() == [True, True, False, True]
    assert b["area_ha"].tolist() == pytest.approx([2, 2, 1.5, 2])
    assert b["companies"].tolist() == [2, 2, 2, 2]  # b3 (not active) holds f4 and f6
    assert (
        b.loc["b1", "members"] == 2 and b.loc["b2", "members"] == 1 and b.loc["b4", "members"] == 1
    )
    assert pd.isna(b.loc["b3", "members"]) and np.isnan(b.loc["b3", "participation_share"])
    assert b.loc["b2", "participation_share"] == pytest.approx(0.5)
    assert b.loc["b1", "invited"] == 10 and b.loc["b1", "members_reported"] == 2
    assert b.loc["b1", "name"] == "Bee one"


def test_per_firm_rows(districts, bids, firms):
    cov = bid_coverage(districts, bids, firms, as_of="2023-06-30")
    c = cov.companies.set_index("company_id")
    assert c["in_bid"].tolist() == [True, True, True, False, True, False, True]
    assert c.loc["f2", "bid_id"] == "b1"  # first active BID by id
    assert c.loc["f3", "bid_id"] == "b2"
    assert pd.isna(c.loc["f6", "bid_id"])  # b3 is not active
    assert pd.isna(c.loc["f7", "district_id"])
    assert c["counted_member"].tolist() == [True, True, False, False, False, False, True]
    assert pd.isna(c.loc["f5", "bid_member"])
    assert cov.companies.index.equals(firms.index)


def test_call_list(districts, bids, firms):
    cov = bid_coverage(districts, bids, firms, as_of="2024-06-30")
    calls = cov.outside_bid("d1")
    assert calls["company_id"].tolist() == ["f4", "f3"]  # largest employer first
    assert list(calls.columns) == ["company_id", "name", "address", "employees", "bid_member"]
    assert cov.outside_bid("d2")["company_id"].tolist() == ["f6"]
    with pytest.raises(ConfigError, match="nowhere"):
        cov.outside_bid("nowhere")


def test_overlapping_and_duplicated_bids_are_not_double_counted(districts, bids, firms):
    base = bid_coverage(districts, bids, firms, as_of="2023-06-30").districts
    dup = pd.concat(
        [bids, bids.iloc[[0, 1]].assign(bid_id=["b1-copy", "b2-copy"])], ignore_index=True
    )
    again = bid_coverage(districts, dup, firms, as_of="2023-06-30").districts
    pd.testing.assert_frame_equal(
        base.drop(columns="active_bids"), again.drop(columns="active_bids")
    )
    assert again.loc["d1", "active_bids"] == 4


def test_row_order_and_crs_do_not_matter(districts, bids, firms):
    base = bid_coverage(districts, bids, firms, as_of="2023-06-30")
    rng = np.random.default_rng(3)
    shuffled = bid_coverage(
        districts.iloc[::-1].to_crs("EPSG:4326"),
        bids.iloc[rng.permutation(len(bids))].to_crs("EPSG:3035"),
        firms.iloc[rng.permutation(len(firms))],
        as_of="2023-06-30",
    )
    pd.testing.assert_frame_equal(base.districts, shuffled.districts, rtol=1e-3)
    pd.testing.assert_frame_equal(base.bids, shuffled.bids, rtol=1e-3)
    a = base.companies.set_index("company_id").sort_index()
    b = shuffled.companies.set_index("company_id").sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_inputs_are_not_mutated(districts, bids, firms):
    copies = [x.copy() for x in (districts, bids, firms)]
    bid_coverage(districts, bids, firms, as_of="2023-06-30").outside_bid("d1")
    for original, copy in zip((districts, bids, firms), copies, strict=True):
        assert_geodataframe_equal(original, copy)


def test_minimal_frames_and_errors(districts, bids, firms):
    minimal = firms[["company_id", "geometry"]]
    cov = bid_coverage(
        districts, bids[["bid_id", "start", "geometry"]], minimal, as_of="2023-06-30"
    )
    assert cov.districts.loc["d1", "companies_in_bid"] == 3
    assert cov.districts.loc["d1", "bid_members"] == 0
    assert cov.districts.loc["d1", "employees"] == 0
    with pytest.raises(MissingColumnError, match="start"):
        bid_coverage(districts, bids.drop(columns="start"), firms)
    with pytest.raises(CrsError):
        bid_coverage(districts, bids.set_crs(None, allow_override=True), firms)


def test_result_display(districts, bids, firms):
    cov = bid_coverage(districts, bids, firms, as_of="2023-06-30")
    assert isinstance(cov, BidCoverage)
    html = cov._repr_html_()
    assert "2023-06-30" in html and "bid_area_share" in html
    assert "3 active" in repr(cov)


# --------------------------------------------------------------------------- slow reference


def reference_bid_area_ha(district, bid_geoms) -> float:
    """Clip each BID to the district and union them one at a time."""
    acc = shapely.Polygon()
    for g in bid_geoms:
        acc = acc.union(g.intersection(district))
    return acc.area / 10_000


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_area_matches_slow_reference(seed):
    rng = np.random.default_rng(seed)
    outlines = []
    for _ in range(5):
        x, y = rng.integers(0, 600, 2)
        w, h = rng.integers(50, 400, 2)
        outlines.append(sq(x, y, x + w, y + h))
    districts = gpd.GeoDataFrame(
        {"district_id": [f"d{i}" for i in range(5)]}, geometry=outlines, crs=CRS
    )
    bid_geoms = []
    for _ in range(12):
        x, y = rng.integers(0, 800, 2)
        w, h = rng.integers(10, 300, 2)
        bid_geoms.append(sq(x, y, x + w, y + h).buffer(rng.uniform(0, 20)))
    bids = gpd.GeoDataFrame(
        {"bid_id": [f"b{i:02d}" for i in range(12)], "start": pd.to_datetime(["2020-01-01"] * 12)},
        geometry=bid_geoms,
        crs=CRS,
    )
    # firms on a 25 m grid: many on BID and district edges
    xy = rng.integers(0, 40, size=(300, 2)) * 25
    firms = gpd.GeoDataFrame(
        {
            "company_id": [f"c{i:03d}" for i in range(len(xy))],
            "bid_member": rng.random(len(xy)) < 0.5,
        },
        geometry=[pt(x, y) for x, y in xy],
        crs=CRS,
    )
    cov = bid_coverage(districts, bids, firms, as_of="2024-01-01")
    fast = cov.districts
    for did, geom in zip(districts["district_id"], districts.geometry, strict=True):
        assert fast.loc[did, "bid_area_ha"] == pytest.approx(
            reference_bid_area_ha(geom, bid_geoms), rel=1e-9, abs=1e-9
        )
        assert 0 <= fast.loc[did, "bid_area_share"] <= 1
    # firm by firm, BID by BID (all active here), in id order
    for r, point in zip(cov.companies.itertuples(), firms.geometry, strict=True):
        covering = [
            bid for bid, g in zip(bids["bid_id"], bid_geoms, strict=True) if g.covers(point)
        ]
        assert r.in_bid == bool(covering)
        assert (r.bid_id if r.in_bid else None) == (min(covering) if covering else None)
    members = cov.companies["counted_member"]
    for did in districts["district_id"]:
        mine = cov.companies["district_id"] == did
        assert fast.loc[did, "bid_members"] == int((members & mine).sum())


# --------------------------------------------------------------------------- bundled layers


def test_bundled_avedoere_holme_bid_mid_2023():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        atlas = areas.load()
    cov = bid_coverage(atlas.districts, atlas.bids, atlas.companies, as_of="2023-06-30")
    row = cov.districts.loc["avedoere-holme"]
    assert row["companies_in_bid"] == 394
    assert row["bid_members"] == 78
    after = bid_coverage(atlas.districts, atlas.bids, atlas.companies, as_of="2024-06-30")
    assert after.districts.loc["avedoere-holme", "bid_members"] == 0


def test_bid_member_must_be_boolean(districts, bids, firms):
    text = firms.assign(bid_member=["yes", "no", "no", "no", "no", "no", "no"])
    with pytest.raises(SchemaError, match="`bid_member`"):
        bid_coverage(districts, bids, text, as_of="2023-06-30")
    plain = firms.assign(bid_member=[True, True, False, True, None, False, True])  # object column
    cov = bid_coverage(districts, bids, plain, as_of="2023-06-30")
    assert cov.districts.loc["d1", "bid_members"] == 2
