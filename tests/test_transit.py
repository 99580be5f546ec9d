"""Transit accessibility: hand-checked distances, scenarios, ties, and a brute-force reference."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import pickle
import typing

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, box

from areas.analysis.assign import assign_districts
from areas.analysis.transit.access import (
    DEFAULT_DETOUR_FACTOR,
    TIE_TOLERANCE_M,
    TransitAccess,
    TransitParams,
    transit_access,
)
from areas.analysis.transit.distance import (
    NO_STOP_IN_SERVICE,
    Detour,
    DistanceBasis,
    Measured,
    StopSet,
    Straight,
)
from areas.errors import AreasWarning, ConfigError, CrsError, SchemaError
from areas.scenario import stops_in_service

CRS = "EPSG:25832"
X0, Y0 = 705_000.0, 6_175_000.0  # near Glostrup


def pt(x, y):
    return Point(X0 + x, Y0 + y)


def make_stops(rows):
    """rows: (stop_id, mode, status, opens, x, y)."""
    return gpd.GeoDataFrame(
        {
            "stop_id": [r[0] for r in rows],
            "name": [f"Stop {r[0]}" for r in rows],
            "mode": [r[1] for r in rows],
            "status": [r[2] for r in rows],
            "opens": pd.to_datetime([r[3] for r in rows]),
        },
        geometry=[pt(r[4], r[5]) for r in rows],
        crs=CRS,
    )


def make_firms(points, employees=None, ids=None):
    ids = ids or [f"f{i}" for i in range(len(points))]
    data = {"company_id": ids}
    if employees is not None:
        data["employees"] = pd.array(employees, dtype="Int64")
    geoms = [None if p is None else pt(*p) for p in points]
    return gpd.GeoDataFrame(data, geometry=geoms, crs=CRS)


@pytest.fixture
def stops():
    return make_stops(
        [
            ("r1", "s_train", "existing", None, 0, 0),
            ("r2", "light_rail", "planned", "2025-10-26", 1000, 0),
            ("r3", "metro", "study", None, 2000, 0),
            ("r4", "s_train", "withdrawn", "2000-01-01", 10, 0),
            ("b1", "bus", "existing", None, 0, 300),
            ("b2", "brt", "planned", "2030-01-01", 500, 0),
        ]
    )


@pytest.fixture
def firms():
    return make_firms(
        [(0, 400), (1000, 500), (2000, 100)], employees=[10, 20, 30], ids=["A", "B", "C"]
    )


def row(result: TransitAccess, company_id: str) -> pd.Series:
    return result.companies.set_index("company_id").loc[company_id]


def test_hand_checked_distances_before_the_light_rail(firms, stops):
    r = transit_access(firms, stops, as_of="2024-01-01")
    a = row(r, "A")
    assert a["nearest_rail_stop_id"] == "r1" and a["rail_distance_m"] == pytest.approx(400)
    assert a["nearest_rail_name"] == "Stop r1" and a["nearest_rail_mode"] == "s_train"
    assert a["nearest_bus_stop_id"] == "b1" and a["bus_distance_m"] == pytest.approx(100)
    assert a["nearest_any_stop_id"] == "b1" and a["any_distance_m"] == pytest.approx(100)
    assert a["rail_walk_m"] == pytest.approx(400 * DEFAULT_DETOUR_FACTOR)
    assert a["rail_band"] == "core"
    b = row(r, "B")
    assert b["nearest_rail_stop_id"] == "r1"
    assert b["rail_distance_m"] == pytest.approx(math.hypot(1000, 500))  # 1118.03
    assert b["rail_band"] == "station_near"
    c = row(r, "C")
    assert c["rail_distance_m"] == pytest.approx(math.hypot(2000, 100))
    assert c["rail_band"] == "beyond"


def test_light_rail_opening_and_study_scenarios(firms, stops):
    after = transit_access(firms, stops, as_of="2026-01-01")
    assert row(after, "B")["nearest_rail_stop_id"] == "r2"
    assert row(after, "B")["rail_distance_m"] == pytest.approx(500)
    assert row(after, "B")["rail_band"] == "core"
    assert row(after, "C")["nearest_rail_stop_id"] == "r2"
    # The metro study only counts when asked for.
    study = transit_access(firms, stops, as_of="2026-01-01", include=["study"])
    assert row(study, "C")["nearest_rail_stop_id"] == "r3"
    assert row(study, "C")["rail_distance_m"] == pytest.approx(100)
    # Planned stops counted early; the BRT stop opening in 2030 joins.
    early = transit_access(firms, stops, as_of="2024-01-01", include=["planned"])
    assert row(early, "B")["nearest_rail_stop_id"] == "r2"
    assert row(early, "B")["nearest_bus_stop_id"] == "b2"
    assert early.params["include"] == ("planned",)


def test_withdrawn_stop_never_counts(firms, stops):
    r = transit_access(firms, stops, as_of="2026-01-01", include=["planned", "study"])
    assert "r4" not in set(r.companies["nearest_rail_stop_id"].dropna())


def test_walk_distance_switches_the_band_and_says_so(firms, stops):
    straight = transit_access(firms, stops, as_of="2026-01-01")
    walk = transit_access(firms, stops, as_of="2026-01-01", distance="walk")
    assert straight.distance == "straight" and walk.distance == "detour"
    assert (
        walk.params["distance"] == "detour"
        and walk.params["detour_factor"] == DEFAULT_DETOUR_FACTOR
    )
    # B: 500 m straight -> core; 650 m walking -> station_near.
    assert row(straight, "B")["rail_band"] == "core"
    assert row(walk, "B")["rail_band"] == "station_near"
    assert row(walk, "B")["rail_walk_m"] == pytest.approx(650)
    custom = transit_access(firms, stops, as_of="2026-01-01", distance="walk", detour_factor=1.0)
    assert row(custom, "B")["rail_band"] == "core"
    assert walk.distance_column("rail") == "rail_walk_m"
    assert straight.distance_column("bus") == "bus_distance_m"


def test_no_stop_in_service_means_not_reachable(firms):
    buses_only = make_stops([("b1", "bus", "existing", None, 0, 0)])
    r = transit_access(firms, buses_only, as_of="2026-01-01")
    assert r.companies["rail_distance_m"].isna().all()
    assert r.companies["rail_walk_m"].isna().all()
    assert r.companies["nearest_rail_stop_id"].isna().all()
    assert (r.companies["rail_band"] == "beyond").all()
    assert (r.companies["nearest_any_stop_id"] == "b1").all()
    assert r.params["stops_in_service"] == {"rail": 0, "bus": 1, "any": 1}
    districts = gpd.GeoDataFrame(
        {"district_id": ["d"]}, geometry=[box(X0 - 10, Y0 - 10, X0 + 3000, Y0 + 3000)], crs=CRS
    )
    assert r.params.groups_without_stops == ("rail",)
    with pytest.warns(AreasWarning, match=r"^no rail stops in service as of 2026-01-01 \(inc"):
        per = r.per_district(assign_districts(firms, districts))
    # no rail stop at all: the rail shares and median are "no data", not 0
    for t in (400, 600, 800, 1200):
        assert np.isnan(per.loc["d", f"rail_{t}m_companies_share"])
        assert np.isnan(per.loc["d", f"rail_{t}m_employees_share"])
        assert 0 <= per.loc["d", f"bus_{t}m_companies_share"] <= 1  # bus stops: data
    assert np.isnan(per.loc["d", "median_rail_distance_m"])
    assert per.loc["d", "rail_beyond_companies"] == 3


def test_no_stops_at_all():
    firms = make_firms([(0, 0)])
    empty = make_stops([]).set_crs(CRS, allow_override=True)
    r = transit_access(firms, empty, as_of="2026-01-01")
    assert r.companies[["rail_distance_m", "bus_distance_m", "any_distance_m"]].isna().all().all()


def test_per_district_shares_and_median_by_hand():
    stops = make_stops([("r", "s_train", "existing", None, 0, 0)])
    # distances 100, 500, 700, and one firm in another district at 900
    firms = make_firms([(100, 0), (500, 0), (700, 0), (900, 0)], employees=[10, 20, 30, None])
    districts = gpd.GeoDataFrame(
        {"district_id": ["near", "far"]},
        geometry=[
            box(X0 + 50, Y0 - 50, X0 + 800, Y0 + 50),
            box(X0 + 800, Y0 - 50, X0 + 1000, Y0 + 50),
        ],
        crs=CRS,
    )
    r = transit_access(firms, stops, as_of="2026-01-01")
    with pytest.warns(AreasWarning, match="no bus stops in service"):
        per = r.per_district(
            assign_districts(firms, districts), district_ids=["near", "far", "empty"]
        )
    assert per["bus_400m_companies_share"].isna().all()
    near = per.loc["near"]
    assert near["companies"] == 3 and near["employees"] == 60
    assert near["rail_400m_companies_share"] == pytest.approx(1 / 3)
    assert near["rail_400m_employees_share"] == pytest.approx(10 / 60)
    assert near["rail_600m_companies_share"] == pytest.approx(2 / 3)
    assert near["rail_600m_employees_share"] == pytest.approx(30 / 60)
    assert near["rail_800m_companies_share"] == pytest.approx(1.0)
    assert near["median_rail_distance_m"] == pytest.approx(500)
    assert near["rail_core_companies"] == 2 and near["rail_station_near_companies"] == 1
    assert near["rail_core_employees"] == 30
    far = per.loc["far"]
    assert far["companies"] == 1 and far["employees"] == 0  # unknown employees count as 0
    assert np.isnan(far["rail_400m_employees_share"])  # zero denominator
    assert far["rail_400m_companies_share"] == 0.0
    assert far["rail_1200m_companies_share"] == 1.0
    empty = per.loc["empty"]
    assert empty["companies"] == 0 and np.isnan(empty["rail_400m_companies_share"])
    assert list(per.index) == ["near", "far", "empty"]
    assert (per["distance_basis"] == "straight").all()
    # Employees from another frame (same index) override the captured ones.
    other = firms.assign(employees=pd.array([1, 1, 1, 1], dtype="Int64"))
    with pytest.warns(AreasWarning, match="no bus stops in service"):
        per2 = r.per_district(assign_districts(firms, districts), other)
    assert per2.loc["near", "rail_400m_employees_share"] == pytest.approx(1 / 3)


def test_median_treats_unreachable_as_far():
    stops = make_stops([("b", "bus", "existing", None, 0, 0)])
    firms = make_firms([(100, 0), (300, 0), (200, 0)])
    rail = make_stops(
        [("b", "bus", "existing", None, 0, 0), ("r", "s_train", "existing", None, 0, 0)]
    )
    districts = gpd.GeoDataFrame(
        {"district_id": ["d"]}, geometry=[box(X0 - 1, Y0 - 1, X0 + 400, Y0 + 1)], crs=CRS
    )
    a = assign_districts(firms, districts)
    assert (
        transit_access(firms, rail, as_of="2026-01-01")
        .per_district(a)
        .loc["d", "median_rail_distance_m"]
        == 200
    )
    with pytest.warns(AreasWarning, match="no rail stops in service"):
        per = transit_access(firms, stops, as_of="2026-01-01").per_district(a)
    assert np.isnan(per.loc["d", "median_rail_distance_m"])


def test_thresholds_name_the_columns():
    stops = make_stops([("r", "s_train", "existing", None, 0, 0)])
    firms = make_firms([(100, 0)])
    districts = gpd.GeoDataFrame(
        {"district_id": ["d"]}, geometry=[box(X0, Y0 - 1, X0 + 200, Y0 + 1)], crs=CRS
    )
    r = transit_access(firms, stops, as_of="2026-01-01", thresholds_m=[1000, 250.5])
    with pytest.warns(AreasWarning, match="no bus stops in service"):
        per = r.per_district(assign_districts(firms, districts))
    assert r.params["thresholds_m"] == (250.5, 1000)
    assert (
        "rail_250.5m_companies_share" in per.columns and "bus_1000m_employees_share" in per.columns
    )
    assert "rail_600m_companies_share" not in per.columns


def test_ties_go_to_the_lowest_stop_id_whatever_the_order():
    rows = [
        ("s-b", "s_train", "existing", None, 0, 100),
        ("s-a", "s_train", "existing", None, 0, -100),
        ("s-c", "s_train", "existing", None, 100, 0),
        ("x2", "bus", "existing", None, 50, 50),  # two stops at one spot
        ("x1", "bus", "existing", None, 50, 50),
        ("z-rail", "metro", "existing", None, 500, 0),
        ("a-bus", "bus", "existing", None, 700, 0),
    ]
    firms = make_firms([(0, 0), (50, 50), (600, 0)])
    for perm in ([0, 1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1, 0], [2, 0, 4, 6, 1, 3, 5]):
        r = transit_access(firms, make_stops([rows[i] for i in perm]), as_of="2026-01-01")
        c = r.companies.set_index("company_id")
        assert c.loc["f0", "nearest_rail_stop_id"] == "s-a"
        assert c.loc["f0", "rail_distance_m"] == pytest.approx(100)
        assert c.loc["f1", "nearest_bus_stop_id"] == "x1"
        # 100 m to the metro and to the bus: the lower id, a-bus, is the nearest of any kind
        assert c.loc["f2", "nearest_any_stop_id"] == "a-bus"
        assert c.loc["f2", "nearest_any_mode"] == "bus"


def test_firms_without_location_get_nothing(stops):
    firms = make_firms([(0, 400), None, (1000, 500)])
    r = transit_access(firms, stops, as_of="2026-01-01")
    c = r.companies.set_index("company_id")
    assert np.isnan(c.loc["f1", "rail_distance_m"]) and pd.isna(c.loc["f1", "nearest_rail_stop_id"])
    assert pd.isna(c.loc["f1", "rail_band"])
    assert c.loc["f0", "rail_distance_m"] == pytest.approx(400)
    assert c.loc["f2", "rail_distance_m"] == pytest.approx(500)


def test_stops_without_location_are_ignored_and_listed(firms, stops):
    s = stops.copy()
    s.loc[s["stop_id"] == "b1", "geometry"] = None
    r = transit_access(firms, s, as_of="2026-01-01")
    assert r.params["stops_without_location"] == ["b1"]
    assert "b1" not in set(r.companies["nearest_bus_stop_id"].dropna())


def test_output_columns(firms, stops):
    r = transit_access(firms, stops, as_of="2026-01-01")
    expected = ["company_id"]
    for g in ("rail", "bus", "any"):
        expected += [
            f"nearest_{g}_stop_id",
            f"nearest_{g}_name",
            f"nearest_{g}_mode",
            f"{g}_distance_m",
            f"{g}_walk_m",
        ]
    expected += [
        "rail_band",
        "fingerplan_stop_id",
        "fingerplan_distance_m",
        "fingerplan_m",
        "fingerplan_band",
        "circle_only_core",
        "employees",
    ]
    assert list(r.companies.columns) == expected
    assert r.companies.index.equals(firms.index)
    assert set(r.params) >= {"as_of", "include", "thresholds_m", "distance", "detour_factor"}
    assert r.params["as_of"] == "2026-01-01"
    assert "TransitAccess" in r._repr_html_() and "<table" in r._repr_html_()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("distance", "manhattan"),
        ("detour_factor", 0.8),
        ("detour_factor", "lots"),
        ("thresholds_m", [-5]),
        ("thresholds_m", []),
        ("include", ["withdrawn"]),
        ("as_of", "not a date"),
    ],
)
def test_invalid_options(firms, stops, option, value):
    with pytest.raises(ConfigError, match=f"`{option}`"):
        transit_access(firms, stops, **{option: value})


def test_unknown_mode_and_missing_crs(firms, stops):
    bad = stops.copy()
    bad.loc[0, "mode"] = "tram"
    with pytest.raises(SchemaError, match="r1"):
        transit_access(firms, bad, as_of="2026-01-01")
    with pytest.raises(CrsError):
        transit_access(firms, stops.set_crs(None, allow_override=True))


def test_per_district_needs_the_same_firms(firms, stops):
    r = transit_access(firms, stops, as_of="2026-01-01")
    districts = gpd.GeoDataFrame(
        {"district_id": ["d"]}, geometry=[box(X0, Y0, X0 + 9, Y0 + 9)], crs=CRS
    )
    other = assign_districts(firms.iloc[:2], districts)
    with pytest.raises(ConfigError, match="indexed like"):
        r.per_district(other)
    # Same labels in another order are aligned.
    shuffled = assign_districts(firms, districts).iloc[::-1]
    assert r.per_district(shuffled).equals(r.per_district(assign_districts(firms, districts)))


def test_inputs_are_not_mutated(firms, stops):
    f0, s0 = firms.copy(), stops.copy()
    transit_access(firms, stops, as_of="2026-01-01", include=["planned"], distance="walk")
    assert_geodataframe_equal(firms, f0)
    assert_geodataframe_equal(stops, s0)


def test_crs_of_the_inputs_does_not_matter(firms, stops):
    base = transit_access(firms, stops, as_of="2026-01-01").companies
    other = transit_access(
        firms.to_crs("EPSG:4326"), stops.to_crs("EPSG:3035"), as_of="2026-01-01"
    ).companies
    for g in ("rail", "bus", "any"):
        assert (
            base[f"nearest_{g}_stop_id"].astype(str) == other[f"nearest_{g}_stop_id"].astype(str)
        ).all()
        np.testing.assert_allclose(other[f"{g}_distance_m"], base[f"{g}_distance_m"], atol=0.5)


# --------------------------------------------------------------------------- slow reference


def reference_nearest(firms: gpd.GeoDataFrame, stops: gpd.GeoDataFrame, modes) -> list[tuple]:
    """Loop over firms and over every stop; keep the lowest id among the nearest."""
    out = []
    for geom in firms.geometry:
        best = None
        for sid, mode, sgeom in zip(stops["stop_id"], stops["mode"], stops.geometry, strict=True):
            if mode not in modes:
                continue
            d = math.hypot(geom.x - sgeom.x, geom.y - sgeom.y)
            if (
                best is None
                or d < best[1] - TIE_TOLERANCE_M
                or (abs(d - best[1]) <= TIE_TOLERANCE_M and sid < best[0])
            ):
                best = (sid, d)
        out.append(best if best is not None else (None, float("nan")))
    return out


GROUP_MODES = {
    "rail": ("light_rail", "metro", "s_train", "regional_rail"),
    "bus": ("bus", "brt"),
    "any": ("light_rail", "metro", "s_train", "regional_rail", "bus", "brt"),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_brute_force_on_an_integer_grid(seed):
    # Integer coordinates on a coarse grid give many exact ties and shared spots.
    rng = np.random.default_rng(seed)
    n_stops = 40
    modes = rng.choice(["s_train", "light_rail", "bus", "brt", "metro"], size=n_stops)
    xy = rng.integers(0, 20, size=(n_stops, 2)) * 100
    stops = make_stops(
        [
            (f"s{rng.integers(0, 10**6):06d}-{i}", m, "existing", None, x, y)
            for i, (m, (x, y)) in enumerate(zip(modes, xy, strict=True))
        ]
    )
    fxy = rng.integers(0, 40, size=(300, 2)) * 50
    firms = make_firms([tuple(p) for p in fxy])
    fast = transit_access(firms, stops, as_of="2026-01-01").companies
    for g, gm in GROUP_MODES.items():
        ref = reference_nearest(firms, stops, gm)
        assert fast[f"nearest_{g}_stop_id"].astype(object).where(
            fast[f"nearest_{g}_stop_id"].notna(), None
        ).tolist() == [r[0] for r in ref]
        np.testing.assert_allclose(fast[f"{g}_distance_m"], [r[1] for r in ref], rtol=0, atol=1e-6)


def test_matches_reference_for_many_firms():
    # Above the size where firms are queried in grid order; the reference loops over stops.
    rng = np.random.default_rng(11)
    n_firms, n_stops = 25_000, 60
    sxy = rng.uniform(0, 5000, size=(n_stops, 2))
    modes = np.where(np.arange(n_stops) % 3 == 0, "s_train", "bus")
    stops = make_stops(
        [
            (f"s{i:03d}", m, "existing", None, x, y)
            for i, (m, (x, y)) in enumerate(zip(modes, sxy, strict=True))
        ]
    )
    fxy = rng.uniform(-500, 5500, size=(n_firms, 2))
    firms = gpd.GeoDataFrame(
        {"company_id": [f"c{i}" for i in range(n_firms)]},
        geometry=gpd.points_from_xy(fxy[:, 0] + X0, fxy[:, 1] + Y0),
        crs=CRS,
    )
    fast = transit_access(firms, stops, as_of="2026-01-01").companies
    for g, gm in GROUP_MODES.items():
        best_d = np.full(n_firms, np.inf)
        best_id = np.full(n_firms, None, dtype=object)
        for sid, m, (x, y) in zip(stops["stop_id"], modes, sxy, strict=True):  # one stop at a time
            if m not in gm:
                continue
            d = np.hypot(fxy[:, 0] - x, fxy[:, 1] - y)
            better = d < best_d
            best_d[better] = d[better]
            best_id[better] = sid
        np.testing.assert_allclose(fast[f"{g}_distance_m"], best_d, atol=1e-6)
        assert (fast[f"nearest_{g}_stop_id"].astype(object).to_numpy() == best_id).all()


# --------------------------------------------------------------------------- distance seam


class Manhattan:
    """A test basis: distance along a street grid (|dx| + |dy|), slow and obvious.

    Its nearest stop often differs from the straight-line one, as a walking
    network's would.
    """

    name = "manhattan"
    column = "manhattan_m"
    stop_column = "manhattan_stop_id"

    def measure(self, firms: np.ndarray, stops: StopSet) -> Measured:
        """Compare every firm with every stop."""
        n = len(firms)
        if len(stops) == 0:
            return Measured.unreachable(n)
        d = np.abs(firms[:, None, :] - np.asarray(stops.xy)[None, :, :]).sum(axis=2)
        best = d.min(axis=1)
        # Ties: the lowest rank among the stops within the tolerance.
        tied = d <= best[:, None] + TIE_TOLERANCE_M
        rank = np.where(tied, np.asarray(stops.rank)[None, :], np.iinfo(np.intp).max)
        stop = rank.argmin(axis=1)
        return Measured(
            distance_m=d[np.arange(n), stop],
            stop=stop.astype(np.intp),
            reason_code=np.zeros(n, dtype=np.int8),
        )


def reference_manhattan(firms, stops, modes):
    out = []
    for geom in firms.geometry:
        best = None
        for sid, mode, sgeom in zip(stops["stop_id"], stops["mode"], stops.geometry, strict=True):
            if mode not in modes:
                continue
            d = abs(geom.x - sgeom.x) + abs(geom.y - sgeom.y)
            if (
                best is None
                or d < best[1] - TIE_TOLERANCE_M
                or (abs(d - best[1]) <= TIE_TOLERANCE_M and sid < best[0])
            ):
                best = (sid, d)
        out.append(best if best is not None else (None, float("nan")))
    return out


def test_the_seam_takes_a_basis_that_picks_other_stops(firms, stops):
    # Firm D at (600, 300): in a straight line r2 (1000, 0) is 500 m and b1 (0, 300) 600 m;
    # on the grid r2 is 700 m and b1 600 m.
    more = pd.concat([firms, make_firms([(600, 300)], employees=[5], ids=["D"])])
    base = transit_access(more, stops, as_of="2026-01-01")
    grid = transit_access(more, stops, as_of="2026-01-01", distance=Manhattan())
    assert grid.distance == "manhattan" and grid.params.distance == "manhattan"
    live = stops[stops_in_service(stops, "2026-01-01")]
    for g, gm in GROUP_MODES.items():
        ref = reference_manhattan(more, live, gm)
        got = grid.companies[f"{g}_manhattan_stop_id"].astype(object)
        assert got.where(got.notna(), None).tolist() == [r[0] for r in ref]
        np.testing.assert_allclose(grid.companies[f"{g}_manhattan_m"], [r[1] for r in ref])
        # The straight-line columns are there and unchanged beside it.
        for col in (f"nearest_{g}_stop_id", f"{g}_distance_m", f"{g}_walk_m"):
            pd.testing.assert_series_equal(grid.companies[col], base.companies[col])
    # D: in a straight line the rail stop is nearest, on the grid the bus stop.
    d = row(grid, "D")
    assert d["nearest_any_stop_id"] == "r2" and d["any_manhattan_stop_id"] == "b1"
    assert d["any_distance_m"] == pytest.approx(500) and d["any_manhattan_m"] == pytest.approx(600)
    assert grid.distance_column("rail") == "rail_manhattan_m"
    # Bands follow the chosen basis: D is 500 m from r2 in a straight line, 700 m on the grid.
    assert row(base, "D")["rail_band"] == "core"
    assert d["rail_manhattan_m"] == pytest.approx(700) and d["rail_band"] == "station_near"
    districts = gpd.GeoDataFrame(
        {"district_id": ["d"]}, geometry=[box(X0 - 10, Y0 - 10, X0 + 2100, Y0 + 600)], crs=CRS
    )
    table = grid.per_district(assign_districts(more, districts))
    assert table.loc["d", "distance_basis"] == "manhattan"
    assert table.loc["d", "median_rail_distance_m"] == pytest.approx(
        np.median(grid.companies["rail_manhattan_m"])
    )


class LimitedManhattan(Manhattan):
    """The grid distance, but firms farther than ``limit`` from every stop reach none."""

    name = "limited"
    column = "limited_m"
    stop_column = None

    def __init__(self, limit: float):
        self.limit = limit

    def measure(self, firms: np.ndarray, stops: StopSet) -> Measured:
        """Drop the answers beyond the limit, with the reason."""
        m = super().measure(firms, stops)
        far = m.distance_m > self.limit
        return Measured(
            distance_m=np.where(far, np.nan, m.distance_m),
            stop=np.where(far, -1, m.stop),
            reason_code=np.where(far, 1, m.reason_code).astype(np.int8),
            reasons=("farther than the limit",) if far.any() else m.reasons,
        )


def test_a_basis_can_leave_firms_unreachable_and_says_why(firms, stops):
    # On 2026-01-01: rail r1 (0, 0) and r2 (1000, 0), bus b1 (0, 300).
    # A (0, 400): rail 400 m, bus 100 m; B (1000, 500): rail 500 m, bus 1200 m;
    # C (2000, 100): rail 1100 m, bus 2200 m.
    r = transit_access(firms, stops, as_of="2026-01-01", distance=LimitedManhattan(1000))
    c = r.companies.set_index("company_id")
    assert c["rail_limited_m"].tolist()[:2] == [400, 500] and np.isnan(c.loc["C", "rail_limited_m"])
    assert c.loc["C", "rail_band"] == "beyond"  # unreachable: beyond every threshold
    assert "rail_limited_stop_id" not in c.columns  # the basis keeps the straight-line stops
    assert np.isnan(c.loc["B", "bus_limited_m"]) and c.loc["A", "any_limited_m"] == 100
    assert np.isnan(c.loc["C", "any_limited_m"])
    got = sorted(zip(r.unreachable["company_id"], r.unreachable["group"], strict=True))
    assert got == [("B", "bus"), ("C", "bus"), ("C", "rail")]
    assert set(r.unreachable["reason"]) == {"farther than the limit"}
    assert transit_access(firms, stops, as_of="2026-01-01").unreachable is None


def test_detour_basis_is_the_walk_option(firms, stops):
    walk = transit_access(firms, stops, as_of="2026-01-01", distance="walk", detour_factor=1.4)
    seam = transit_access(firms, stops, as_of="2026-01-01", distance=Detour(1.4))
    pd.testing.assert_frame_equal(walk.companies, seam.companies)
    assert seam.params == walk.params and seam.distance == "detour"
    # "walk" is the former name of "detour": the same output.
    detour = transit_access(firms, stops, as_of="2026-01-01", distance="detour", detour_factor=1.4)
    pd.testing.assert_frame_equal(walk.companies, detour.companies)
    assert detour.params == walk.params
    straight = transit_access(firms, stops, as_of="2026-01-01", distance=Straight())
    pd.testing.assert_frame_equal(
        straight.companies, transit_access(firms, stops, as_of="2026-01-01").companies
    )
    with pytest.raises(ConfigError, match="`detour_factor`"):
        Detour(0.9)
    with pytest.raises(ConfigError, match="`detour_factor`"):
        transit_access(firms, stops, distance=Detour(1.4), detour_factor=1.2)


def test_a_basis_needs_its_own_name(firms, stops):
    class Impostor(Manhattan):
        name = "straight"

    with pytest.raises(ConfigError, match="its own `name`"):
        transit_access(firms, stops, as_of="2026-01-01", distance=Impostor())


def test_measured_keeps_reachability_consistent():
    stops = StopSet(
        xy=np.array([[0.0, 0.0], [10.0, 0.0]]),
        ids=np.array(["b", "a"], dtype=object),
        rank=np.array([1, 0]),
    )
    m = Straight().measure(np.array([[5.0, 0.0], [9.0, 0.0]]), stops)
    # Equidistant at 5 m: "a" (rank 0) wins.
    assert m.stop_ids(stops).tolist() == ["a", "a"] and m.distance_m.tolist() == [5.0, 1.0]
    assert m.reason().tolist() == [None, None]
    empty = StopSet(xy=np.empty((0, 2)), ids=np.empty(0, dtype=object), rank=np.empty(0, int))
    none = Straight().measure(np.array([[5.0, 0.0]]), empty)
    assert not none.reachable.any() and none.reason().tolist() == [NO_STOP_IN_SERVICE]
    assert none.stop_ids(empty).tolist() == [None]
    with pytest.raises(ValueError, match="reachable"):
        Measured(np.array([np.nan]), np.array([0]), np.array([0], dtype=np.int8))
    with pytest.raises(ValueError, match="reachable"):
        Measured(np.array([3.0]), np.array([0]), np.array([1], dtype=np.int8), ("why",))
    assert isinstance(Manhattan(), DistanceBasis) and isinstance(Detour(), DistanceBasis)


def test_typed_params_still_read_as_the_former_dict(firms, stops):
    r = transit_access(firms, stops, as_of="2026-01-01", include="planned", distance="walk")
    p = r.params
    assert isinstance(p, TransitParams)
    assert p.as_of == pd.Timestamp("2026-01-01") and p["as_of"] == "2026-01-01"
    assert p.include == ("planned",) and p.get("distance") == "detour"
    assert p.stops_without_location == () and p["stops_without_location"] == []
    assert json.loads(json.dumps(p))["stops_in_service"] == {"rail": 2, "bus": 2, "any": 4}
    assert pickle.loads(pickle.dumps(p)) == p and copy.deepcopy(p)["as_of"] == "2026-01-01"
    with pytest.raises(TypeError, match="read-only"):
        p["distance"] = "straight"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.distance = "straight"  # type: ignore[misc]


def test_former_constant_names_still_import():
    from areas import constants
    from areas.analysis.transit import access

    assert access.DEFAULT_DETOUR_FACTOR == constants.DEFAULT_DETOUR_FACTOR == 1.3
    assert access.DEFAULT_THRESHOLDS_M == constants.DEFAULT_THRESHOLDS_M
    assert (access.CORE_AREA_M, access.STATION_NEAR_M) == constants.FINGERPLAN_BANDS_M
    assert access.GROUPS == constants.MODE_GROUP_NAMES and access.BANDS == constants.BANDS
    assert access.DISTANCES == constants.DISTANCES == typing.get_args(constants.DistanceKind)
