"""Walking distance along a network as a distance basis of transit_access."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import LineString, Point

from areas.analysis.network import build_network
from areas.analysis.transit import transit_access
from areas.analysis.transit.distance import Network, StopSet
from areas.errors import ConfigError

CRS = "EPSG:25832"
X0, Y0 = 700_000.0, 6_170_000.0


def _lines(*coords):
    return gpd.GeoDataFrame(
        geometry=[LineString([(X0 + x, Y0 + y) for x, y in c]) for c in coords], crs=CRS
    )


def river_network():
    """Two banks (y = -100 and y = +100) joined by one bridge at x = 400."""
    return _lines(
        [(-1000, -100), (1000, -100)],
        [(-1000, 100), (1000, 100)],
        [(400, -100), (400, 100)],
    )


def stops_frame(rows):
    return gpd.GeoDataFrame(
        {
            "stop_id": [r[0] for r in rows],
            "name": [r[0].title() for r in rows],
            "mode": [r[1] for r in rows],
            "status": ["existing"] * len(rows),
            **({"fingerplan_station": [r[4] for r in rows]} if len(rows[0]) > 4 else {}),
        },
        geometry=[Point(X0 + r[2], Y0 + r[3]) for r in rows],
        crs=CRS,
    )


def firms_frame(xy, **cols):
    return gpd.GeoDataFrame(
        {"company_id": [f"f{i}" for i in range(len(xy))], **cols},
        geometry=[Point(X0 + x, Y0 + y) for x, y in xy],
        crs=CRS,
    )


def test_river_with_one_bridge_hand_calculated():
    # Firm on the north bank 300 m from the station in a straight line
    # (0, 100) -> station (0, -200): access 0 + 400 + 200 + 400 + access 100.
    stops = stops_frame([("st", "s_train", 0, -200)])
    firms = firms_frame([(0, 100), (400, 150)])
    r = transit_access(firms, stops, network=river_network(), as_of="2026-01-01")
    c = r.companies
    assert r.distance == "network" and r.params.distance == "network"
    assert c["rail_distance_m"].tolist() == pytest.approx([300.0, np.hypot(400, 350)])
    assert c["rail_network_m"].tolist() == pytest.approx([1100.0, 50 + 200 + 400 + 100])
    assert c["rail_network_stop_id"].tolist() == ["st", "st"]
    assert c["fingerplan_band"].tolist() == ["station_near", "station_near"]
    # Within 600 m as the crow flies, beyond 600 m on foot: the circle over-qualifies.
    assert c["circle_only_core"].tolist() == [True, True]


def test_nearest_by_walking_may_differ_from_straight():
    stops = stops_frame([("a", "s_train", 0, -200), ("b", "s_train", 800, 100)])
    firms = firms_frame([(0, 100)])
    c = transit_access(firms, stops, network=river_network(), as_of="2026-01-01").companies
    assert c.loc[0, "nearest_rail_stop_id"] == "a"
    assert c.loc[0, "rail_network_stop_id"] == "b"
    assert c.loc[0, "rail_network_m"] == pytest.approx(800.0)


def test_buses_never_decide_the_fingerplan_band():
    stops = stops_frame(
        [
            ("bus", "bus", 0, 100, True),  # marked, still a bus: never
            ("brt", "brt", 50, 100, None),  # unmarked BRT: not a station
            ("rail", "s_train", 0, -200, None),
        ]
    )
    firms = firms_frame([(0, 100)])
    c = transit_access(firms, stops, network=river_network(), as_of="2026-01-01").companies
    assert c.loc[0, "any_network_m"] == pytest.approx(0.0)
    assert c.loc[0, "fingerplan_stop_id"] == "rail"
    assert c.loc[0, "fingerplan_band"] == "station_near"
    marked = stops.copy()
    marked["fingerplan_station"] = [True, True, None]
    c2 = transit_access(firms, marked, network=river_network(), as_of="2026-01-01").companies
    assert c2.loc[0, "fingerplan_stop_id"] == "brt" and c2.loc[0, "fingerplan_band"] == "core"
    assert c2.loc[0, "rail_band"] == "station_near"  # rail_band stays rail only


def test_unreachable_firms_are_beyond_every_threshold_and_listed():
    stops = stops_frame([("st", "s_train", 0, -100)])
    # f0 is 500 m from every path; f1 on an island path without a stop.
    net = pd.concat([river_network(), _lines([(3000, 0), (3100, 0)])], ignore_index=True)
    firms = firms_frame([(0, 600), (3050, 0), (10, -100)])
    r = transit_access(firms, stops, network=net, as_of="2026-01-01", thresholds_m=[600, 5000])
    c = r.companies
    assert np.isnan(c.loc[0, "rail_network_m"]) and np.isnan(c.loc[1, "rail_network_m"])
    assert c["fingerplan_band"].tolist() == ["beyond", "beyond", "core"]
    got = r.unreachable[r.unreachable["group"] == "rail"]
    assert dict(zip(got["company_id"], got["reason"], strict=True)) == {
        "f0": "off_network",
        "f1": "disconnected",
    }


def test_network_is_never_shorter_than_straight_and_independent_of_order():
    rng = np.random.default_rng(4)
    lines = [[(x, -500), (x, 500)] for x in range(-500, 501, 100)] + [
        [(-500, y), (500, y)] for y in range(-500, 501, 250)
    ]
    net = build_network(_lines(*lines))
    stops = stops_frame(
        [(f"s{i}", m, *rng.uniform(-450, 450, 2)) for i, m in enumerate(["s_train", "bus"] * 4)]
    )
    firms = firms_frame([tuple(p) for p in rng.uniform(-480, 480, (200, 2))])
    a = transit_access(firms, stops, network=net, as_of="2026-01-01").companies
    for g in ("rail", "bus", "any"):
        assert (a[f"{g}_network_m"] >= a[f"{g}_distance_m"] - 1e-6).all()
    perm = rng.permutation(len(firms))
    b = transit_access(
        firms.iloc[perm], stops.iloc[::-1], network=net, as_of="2026-01-01"
    ).companies.loc[a.index]
    pd.testing.assert_series_equal(a["any_network_m"], b["any_network_m"])
    pd.testing.assert_series_equal(a["fingerplan_band"], b["fingerplan_band"])


def test_large_offices_outside_the_core_are_flagged():
    stops = stops_frame([("st", "s_train", 0, -200)])
    firms = firms_frame([(0, 100), (400, -150), (0, -150)], office_floor_area_m2=[2000, 2000, None])
    c = transit_access(firms, stops, network=river_network(), as_of="2026-01-01").companies
    assert c["large_office_outside_core"].tolist() == [True, False, pd.NA]


def test_distance_network_needs_a_network():
    stops = stops_frame([("st", "s_train", 0, -200)])
    with pytest.raises(ConfigError, match="network"):
        transit_access(firms_frame([(0, 0)]), stops, distance="network", as_of="2026-01-01")
    assert transit_access(firms_frame([(0, 0)]), stops, as_of="2026-01-01").distance == "straight"


def test_network_basis_seam_and_snap_limit():
    basis = Network(river_network(), snap_limit_m=50)
    assert (basis.name, basis.column, basis.stop_column) == (
        "network",
        "network_m",
        "network_stop_id",
    )
    stops = StopSet(xy=np.array([[X0, Y0 - 100]]), ids=np.array(["s"], object), rank=np.array([0]))
    m = basis.measure(np.array([[X0, Y0 + 170.0], [X0, Y0 + 140.0]]), stops)
    assert m.reason().tolist() == ["off_network", None]
    assert m.distance_m[1] == pytest.approx(40 + 400 + 200 + 400)
    with pytest.raises(ConfigError, match="snap_limit_m"):
        Network(river_network(), snap_limit_m=-1)
