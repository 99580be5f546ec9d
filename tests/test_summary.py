"""The per-district summary: columns, reconciliation, scenarios and comparison."""

from __future__ import annotations

import dataclasses
import json
import pickle
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from builders import CONTRACT_COLUMNS
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, box

import areas
from areas.analysis.summary import Summary, SummaryParams, compare, summarize
from areas.atlas import Atlas, Exclusion, LayerSource
from areas.errors import ConfigError
from areas.scenario import active_bids, plots_established, stops_in_service

CRS = "EPSG:25832"
X0, Y0 = 700_000.0, 6_172_000.0


def sq(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def pt(x, y):
    return Point(X0 + x, Y0 + y)


def make_atlas(*, with_null_firm: bool = False) -> Atlas:
    districts = gpd.GeoDataFrame(
        {
            "district_id": ["west", "east"],
            "name": ["Vestre Erhvervskvarter", "Østre Havn"],
            "municipality": ["Albertslund", "Hvidovre"],
            "status": ["existing", "existing"],
            "kind": [None, None],
            "source": [None, None],
        },
        geometry=[sq(0, 0, 1000, 500), sq(1000, 0, 2000, 500)],  # 50 ha each
        crs=CRS,
    )
    bids = gpd.GeoDataFrame(
        {
            "bid_id": ["bid-west"],
            "name": ["West BID"],
            "start": pd.to_datetime(["2021-05-01"]),
            "end": pd.to_datetime(["2023-12-31"]),
            "invited": pd.array([3], dtype="Int64"),
            "members": pd.array([1], dtype="Int64"),
            "district_id": ["west"],
        },
        geometry=[sq(0, 0, 500, 500)],  # half of west
        crs=CRS,
    )
    rewilding = gpd.GeoDataFrame(
        {
            "plot_id": ["rw-1", "rw-2"],
            "established": pd.to_datetime(["2022-05-01", "2023-05-01"]),
            "owner": ["Hvidovre Kommune", "Havn A/S"],
            "species_count": pd.array([None, None], dtype="Int64"),
            "survey_area_m2": [np.nan, np.nan],
            "habitat": ["verge", "meadow"],
        },
        geometry=[sq(1000, 0, 1100, 100), sq(1050, 0, 1150, 100)],  # 1 ha each, 0.5 ha shared
        crs=CRS,
    )
    stops = gpd.GeoDataFrame(
        {
            "stop_id": ["s-train", "lr-1", "metro-1", "bus-1"],
            "name": ["Station", "Letbane", "Metro", "Bus"],
            "mode": ["s_train", "light_rail", "metro", "bus"],
            "status": ["existing", "planned", "study", "existing"],
            "opens": pd.to_datetime([None, "2025-10-26", None, None]),
            "line": [None] * 4,
            "municipality": [None] * 4,
        },
        geometry=[pt(0, 0), pt(1000, 0), pt(2000, 0), pt(1500, 250)],
        crs=CRS,
    )
    points = [pt(100, 0), pt(400, 0), pt(700, 0), pt(1100, 0), pt(1900, 0), pt(3000, 0)]
    ids = ["c1", "c2", "c3", "c4", "c5", "c6"]
    employees = [10, 20, 30, 40, 50, 60]
    members = [True, False, False, True, False, False]
    if with_null_firm:
        points.append(None)
        ids.append("c7")
        employees.append(5)
        members.append(False)
    companies = gpd.GeoDataFrame(
        {
            "company_id": ids,
            "name": [f"Firm {i}" for i in ids],
            "employees": pd.array(employees, dtype="Int64"),
            "sector": [None] * len(ids),
            "bid_member": pd.array(members, dtype="boolean"),
            "address": [None] * len(ids),
        },
        geometry=points,
        crs=CRS,
    )
    sources = {
        "companies": LayerSource(
            kind="companies",
            features_read=len(ids) + 2,
            features_used=len(ids),
            excluded=[
                Exclusion("c90", "no geometry"),
                Exclusion("c91", "coordinates outside Denmark"),
            ],
        )
    }
    return Atlas(
        districts=districts,
        bids=bids,
        rewilding=rewilding,
        stops=stops,
        companies=companies,
        sources=sources,
    )


@pytest.fixture
def atlas():
    return make_atlas()


def test_table_has_the_contract_columns(atlas):
    s = summarize(atlas, as_of="2023-06-30")
    columns = list(s.table.columns)
    assert columns[:7] == CONTRACT_COLUMNS[:7]
    # every contract column, in the contract's order (extras in between)
    assert [c for c in columns if c in CONTRACT_COLUMNS] == CONTRACT_COLUMNS
    for g in ("rail", "bus", "any"):
        for t in (400, 600, 800, 1200):
            assert f"{g}_{t}m_companies_share" in s.table.columns
            assert f"{g}_{t}m_employees_share" in s.table.columns
    assert s.table["district_id"].tolist() == ["east", "west"]
    assert isinstance(s.table.index, pd.RangeIndex)


def test_hand_checked_values_mid_2023(atlas):
    s = summarize(atlas, as_of="2023-06-30")
    t = s.table.set_index("district_id")
    west, east = t.loc["west"], t.loc["east"]
    assert west["name"] == "Vestre Erhvervskvarter" and east["name"] == "Østre Havn"
    assert west["area_ha"] == pytest.approx(50)
    assert west["companies"] == 3 and west["employees"] == 60
    assert west["bid_area_ha"] == pytest.approx(25) and west["bid_area_share"] == pytest.approx(0.5)
    assert west["companies_in_bid"] == 2 and west["bid_members"] == 1
    assert west["bid_participation_share"] == pytest.approx(0.5)
    assert east["companies"] == 2 and east["companies_in_bid"] == 0
    assert np.isnan(east["bid_participation_share"])
    assert east["rewilded_ha"] == pytest.approx(1.5) and east["rewilded_share"] == pytest.approx(
        0.03
    )
    assert east["rewilding_overlap_ha"] == pytest.approx(0.5)
    # Before the light rail: west firms at 100, 400, 700 m from the S-train station.
    assert west["rail_600m_companies_share"] == pytest.approx(2 / 3)
    assert west["rail_600m_employees_share"] == pytest.approx(30 / 60)
    assert west["median_rail_distance_m"] == pytest.approx(400)
    # East firms at 1100 and 1900 m.
    assert east["rail_1200m_companies_share"] == pytest.approx(0.5)
    assert (s.table["distance_basis"] == "straight").all()


def test_scenarios_and_compare(atlas):
    today = summarize(atlas, as_of="2026-01-01")
    metro = summarize(atlas, as_of="2026-01-01", include=["study"])
    t = today.table.set_index("district_id")
    # The light rail stop at x = 1000 is open: c4 at 100 m.
    assert t.loc["east", "median_rail_distance_m"] == pytest.approx((100 + 900) / 2)
    assert t.loc["west", "companies_in_bid"] == 0  # the BID ended in 2023
    diff = compare(today, metro)
    assert diff.loc["east", "median_rail_distance_m"] == pytest.approx((100 + 100) / 2 - 500)
    assert diff.loc["east", "rail_400m_companies_share"] == pytest.approx(0.5)
    assert diff.loc["west", "rail_400m_companies_share"] == 0
    assert diff.loc["west", "name"] == "Vestre Erhvervskvarter"
    assert "status" not in diff.columns and "distance_basis" not in diff.columns
    assert diff.attrs["b"]["include"] == ("study",)
    assert list(diff.index) == ["east", "west"]


def test_compare_over_time(atlas):
    before = summarize(atlas, as_of="2023-06-30")
    after = summarize(atlas, as_of="2026-01-01")
    diff = compare(before, after)
    assert diff.loc["west", "companies_in_bid"] == -2
    assert diff.loc["east", "rewilded_ha"] == 0
    assert diff.loc["west", "area_ha"] == 0


def test_compare_refuses_mixed_distances(atlas):
    a = summarize(atlas, as_of="2026-01-01")
    b = summarize(atlas, as_of="2026-01-01", distance="walk")
    with pytest.raises(ConfigError, match="distance"):
        compare(a, b)
    c = summarize(atlas, as_of="2026-01-01", distance="walk", detour_factor=1.1)
    with pytest.raises(ConfigError, match="detour_factor"):
        compare(b, c)


def test_reconciliation_counts_every_firm():
    atlas = make_atlas(with_null_firm=True)
    s = summarize(atlas, as_of="2023-06-30")
    rec = s.reconciliation
    assert rec["companies_in"] == 9  # 7 in the layer + 2 the loader excluded
    assert rec["assigned"] == 5 and rec["outside"] == 1 and rec["excluded"] == 3
    assert rec["companies_in"] == rec["assigned"] + rec["outside"] + rec["excluded"]
    assert rec["balanced"] is True
    assert rec["excluded_reasons"] == {
        "coordinates outside Denmark": 1,
        "no geometry": 1,
        "no location: null geometry": 1,
    }
    assert {"id": "c7", "reason": "no location: null geometry"} in rec["excluded_firms"]
    assert s.table["companies"].sum() == rec["assigned"]


def test_walk_distances_are_named(atlas):
    s = summarize(atlas, as_of="2023-06-30", distance="walk", detour_factor=1.5)
    assert s.params["distance"] == "detour" and s.params["detour_factor"] == 1.5
    assert s.distance == "detour" and s.transit.distance == "detour"
    assert (s.table["distance_basis"] == "detour").all() and (s.table["detour_factor"] == 1.5).all()
    t = s.table.set_index("district_id")
    # 100, 400, 700 m straight = 150, 600, 1050 m walking
    assert t.loc["west", "median_rail_distance_m"] == pytest.approx(600)
    assert t.loc["west", "rail_600m_companies_share"] == pytest.approx(2 / 3)
    assert t.loc["west", "rail_400m_companies_share"] == pytest.approx(1 / 3)


def test_parts_and_params(atlas):
    s = summarize(atlas, as_of="2023-06-30", include="planned", thresholds_m=(500, 1000))
    assert isinstance(s, Summary)
    assert s.params == {
        "as_of": "2023-06-30",
        "include": ("planned",),
        "thresholds_m": (500, 1000),
        "distance": "straight",
        "detour_factor": 1.3,
        "groups_without_stops": [],
    }
    assert (
        "rail_500m_companies_share" in s.table.columns
        and "rail_600m_companies_share" not in s.table.columns
    )
    assert s.bid.as_of == s.rewilding.as_of == s.as_of == pd.Timestamp("2023-06-30")
    assert len(s.assignment) == len(atlas.companies)
    html = s._repr_html_()
    assert "<table" in html and "2023-06-30" in html and "Vestre Erhvervskvarter" in html
    assert "Summary(" in repr(s)


def test_inputs_are_not_mutated(atlas):
    before = {k: v.copy() for k, v in atlas.layers().items()}
    summarize(atlas, as_of="2023-06-30", include=["planned", "study"], distance="walk")
    for kind, frame in atlas.layers().items():
        assert_geodataframe_equal(frame, before[kind])


def test_row_order_does_not_matter(atlas):
    base = summarize(atlas, as_of="2026-01-01").table
    rng = np.random.default_rng(5)
    shuffled = Atlas(
        **{k: v.iloc[rng.permutation(len(v))] for k, v in atlas.layers().items()},
        sources=atlas.sources,
    )
    pd.testing.assert_frame_equal(base, summarize(shuffled, as_of="2026-01-01").table)


def test_default_date_is_today(atlas):
    s = summarize(atlas)
    assert s.params["as_of"] == pd.Timestamp.today().date().isoformat()


def test_not_an_atlas():
    with pytest.raises(ConfigError, match="`atlas`"):
        summarize({"districts": None})


# --------------------------------------------------------------------------- bundled layers


@pytest.fixture(scope="module")
def bundled():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return areas.load()


def test_bundled_mid_2023(bundled):
    s = summarize(bundled, as_of="2023-06-30")
    t = s.table.set_index("district_id")
    assert t.loc["avedoere-holme", "companies_in_bid"] == 394
    assert t.loc["avedoere-holme", "bid_members"] == 78
    assert s.reconciliation["balanced"]
    assert set(t.index) == {
        "hersted-industripark",
        "vaerkstedskvarteret",
        "roede-vejmoelle",
        "albertslund-centrum",
        "avedoere-holme",
        "holmene",
        "gungevej",
        "taarnfalkevej",
    }
    for col in t.columns:
        if col.endswith("_share"):
            values = t[col].dropna()
            assert ((values >= 0) & (values <= 1)).all(), col


def test_bundled_rewilding_end_of_2023(bundled):
    t = summarize(bundled, as_of="2023-12-31").table.set_index("district_id")
    assert t.loc["avedoere-holme", "rewilded_ha"] == pytest.approx(15.0, abs=0.01)
    assert round(100 * t.loc["avedoere-holme", "rewilded_share"]) == 5
    mid = summarize(bundled, as_of="2023-06-30").table.set_index("district_id")
    assert 0 < mid.loc["avedoere-holme", "rewilded_ha"] < 15.0  # autumn 2023 plots not yet there


def test_bundled_light_rail_brings_hersted_closer(bundled):
    before = summarize(bundled, as_of="2025-10-25")
    after = summarize(bundled, as_of="2025-10-26")
    diff = compare(before, after)
    assert diff.loc["hersted-industripark", "median_rail_distance_m"] <= 0
    assert diff.loc["hersted-industripark", "rail_1200m_companies_share"] >= 0
    modes = before.transit.companies["nearest_rail_mode"].astype(object)
    assert not (modes == "light_rail").any()
    assert (after.transit.companies["nearest_rail_mode"].astype(object) == "light_rail").any()


def test_results_share_no_memory_with_the_inputs(atlas):
    before = {k: v.copy() for k, v in atlas.layers().items()}
    s = summarize(atlas, as_of="2023-06-30")
    frames = [
        s.table,
        s.assignment,
        s.bid.districts,
        s.bid.bids,
        s.bid.companies,
        s.bid.outside_bid("west"),
        s.rewilding.districts,
        s.rewilding.plots,
        s.rewilding.by_year,
        s.rewilding.by_owner,
        s.transit.companies,
    ]
    for frame in frames:
        for col in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(
                frame[col]
            ):
                frame.loc[frame.index[:1], col] = 12345
            elif pd.api.types.is_datetime64_any_dtype(frame[col]):
                frame.loc[frame.index[:1], col] = pd.Timestamp("1999-01-01")
            elif frame[col].dtype == "str":
                frame.loc[frame.index[:1], col] = "changed"
    for kind, frame in atlas.layers().items():
        assert_geodataframe_equal(frame, before[kind])


def test_params_are_typed_and_still_read_as_the_former_dict(atlas):
    s = summarize(atlas, as_of="2023-06-30", include=["study", "planned"], distance="walk")
    p = s.params
    assert isinstance(p, SummaryParams)
    assert p.as_of == s.as_of == pd.Timestamp("2023-06-30")
    assert p.include == ("study", "planned") and p.thresholds_m == (400, 600, 800, 1200)
    assert p.distance == s.transit.params.distance == "detour" and p.detour_factor == 1.3
    # The former dict, for one release: the keys, values and JSON of before.
    assert p["as_of"] == "2023-06-30" and p.get("distance") == "detour"
    assert dict(p) == {
        "as_of": "2023-06-30",
        "include": ("study", "planned"),
        "thresholds_m": (400, 600, 800, 1200),
        "distance": "detour",
        "detour_factor": 1.3,
        "groups_without_stops": [],
    }
    assert json.loads(json.dumps(p))["include"] == ["study", "planned"]
    assert pickle.loads(pickle.dumps(p)) == p
    with pytest.raises(TypeError, match="read-only"):
        p.update(distance="straight")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.as_of = pd.Timestamp("2020-01-01")  # type: ignore[misc]
    changed = dataclasses.replace(p, distance="straight")
    assert changed["distance"] == "straight" and p["distance"] == "detour"


def test_summary_carries_the_scenario_masks(atlas):
    s = summarize(atlas, as_of="2023-06-30", include=["planned"])
    m = s.masks
    assert m.as_of == s.as_of and m.include == ("planned",)
    expected = {
        "stops_in_service": stops_in_service(atlas.stops, "2023-06-30", ["planned"]),
        "active_bids": active_bids(atlas.bids, "2023-06-30"),
        "plots_established": plots_established(atlas.rewilding, "2023-06-30"),
    }
    for name, want in expected.items():
        got = getattr(m, name)
        assert got.dtype == bool and got.tolist() == want.tolist(), name
        with pytest.raises(ValueError, match="read-only"):
            got[0] = not got[0]
    # The masks are the ones the analyses counted with.
    assert int(m.stops_in_service.sum()) == s.transit.params.stops_in_service["any"]
    assert s.bid.bids["active"].tolist() == list(
        m.active_bids[np.argsort(atlas.bids["bid_id"].astype(str).to_numpy(), kind="stable")]
    )
    # The BID ended on 2023-12-31.
    assert m.active_bids.tolist() == [True]
    assert summarize(atlas, as_of="2025-01-01").masks.active_bids.tolist() == [False]
