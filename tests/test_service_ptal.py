"""PTAL and DG REGIO access: a worked example by hand, a slow reference, and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from areas.analysis.service import (
    DgRegioParameters,
    PtalParameters,
    departures_within,
    dg_regio_access,
    firm_service,
    ptal,
    ptal_band,
    service_per_district,
)


def worked_example():
    pairs = pd.DataFrame(
        {
            "company_id": ["F"] * 5,
            "stop_id": ["S1", "S2", "S3", "S4", "S5"],
            "distance_m": [160.0, 400.0, 800.0, 1000.0, 700.0],
        }
    )
    routes = pd.DataFrame(
        {
            "station_id": ["S1", "S1", "S2", "S2", "S3", "S3", "S4", "S5"],
            "route_id": ["A", "B", "A", "C", "E", "R", "M", "D"],
            "mode": ["bus", "bus", "bus", "brt", "s_train", "regional_rail", "metro", "bus"],
            "frequency_per_hour": [12.0, 4.0, 12.0, 6.0, 6.0, 2.0, 30.0, 60.0],
            "departures_per_hour": [24.0, 8.0, 24.0, 12.0, 12.0, 4.0, 60.0, 120.0],
        }
    )
    return pairs, routes


def test_worked_example_by_hand():
    pairs, routes = worked_example()
    # Bus (walk at 80 m/min, wait half the headway, 2 min margin), catchment 640 m (S5 out):
    a_s1 = 30 / (160 / 80 + 0.5 * 60 / 12 + 2)  # route A at S1: TAT 6.5 min
    a_s2 = 30 / (400 / 80 + 0.5 * 60 / 12 + 2)  # route A again at S2: not counted twice
    b = 30 / (160 / 80 + 0.5 * 60 / 4 + 2)
    c = 30 / (400 / 80 + 0.5 * 60 / 6 + 2)  # BRT counts as bus
    assert a_s1 > a_s2
    ai_bus = a_s1 + 0.5 * (b + c)
    # Rail (0.75 min margin), catchment 960 m (S4's metro at 1,000 m out):
    e = 30 / (800 / 80 + 0.5 * 60 / 6 + 0.75)
    r = 30 / (800 / 80 + 0.5 * 60 / 2 + 0.75)
    ai_rail = e + 0.5 * r
    expected = ai_bus + ai_rail
    assert 5 < expected <= 10  # band 2
    out = ptal(pairs, routes)
    assert out.loc["F", "ptal_ai"] == pytest.approx(expected, rel=1e-12)
    assert out.loc["F", "ptal_band"] == "2"
    assert out.loc["F", "ptal_routes"] == 5


def test_parameters_are_overridable():
    pairs, routes = worked_example()
    p = PtalParameters(bus_catchment_m=800.0)  # now S5's bus D (every minute) counts
    d = 30 / (700 / 80 + 0.5 * 60 / 60 + 2)
    base = ptal(pairs, routes).loc["F", "ptal_ai"]
    wider = ptal(pairs, routes, params=p).loc["F", "ptal_ai"]
    # D's EDF (2.67) is below A's (4.62), so it adds with half weight
    assert wider == pytest.approx(base + 0.5 * d)


def test_bands_at_their_edges():
    values = [0, 1e-9, 2.5, 2.5001, 5, 10, 15, 20, 25, 40, 40.01, np.nan]
    assert list(ptal_band(values)) == [
        "0", "1a", "1a", "1b", "1b", "2", "3", "4", "5", "6a", "6b", None,
    ]  # fmt: skip


def test_no_station_in_reach_is_zero_and_no_data_is_flagged():
    pairs = pd.DataFrame({"company_id": ["F"], "stop_id": ["X"], "distance_m": [100.0]})
    routes = pd.DataFrame(
        {"station_id": ["X"], "route_id": ["L"], "mode": ["light_rail"],
         "frequency_per_hour": [np.nan], "departures_per_hour": [np.nan]}
    )  # fmt: skip
    out = ptal(pairs, routes, firm_ids=["F", "G"])
    assert out.loc["G", "ptal_ai"] == 0 and out.loc["G", "ptal_band"] == "0"
    assert out.loc["F", "ptal_no_data_routes"] == 1
    dep = departures_within(pairs, _stations(routes), firm_ids=["F", "G"])
    assert np.isnan(dep["F"]) and dep["G"] == 0  # unknown, not zero


def _stations(routes):
    s = routes.groupby("station_id")["departures_per_hour"].sum(min_count=1).reset_index()
    return s


def test_departures_within_600m_and_dg_regio_by_hand():
    pairs, routes = worked_example()
    stations = _stations(routes)
    dep = departures_within(pairs, stations)
    # within 600 m: S1 (24 + 8) and S2 (24 + 12)
    assert dep["F"] == 68.0
    assert dep.name == "departures_per_hour_600m"
    dg = dg_regio_access(pairs, routes)
    # bus/tram within 500 m: S1 32, S2 36 -> best 36; train/metro within 1 km: S3 16, S4 60
    assert dg.loc["F", "dg_regio_departures_per_hour"] == 60.0
    assert dg.loc["F", "dg_regio_access"] == "high"
    few = dg_regio_access(pairs, routes, params=DgRegioParameters(train_metro_m=900.0))
    assert few.loc["F", "dg_regio_departures_per_hour"] == 36.0
    lone = pd.DataFrame({"company_id": ["a", "b", "c"], "stop_id": ["S", "S", "T"],
                         "distance_m": [100.0, 100.0, 100.0]})  # fmt: skip
    r = pd.DataFrame({"station_id": ["S", "T"], "route_id": ["x", "y"], "mode": ["bus", "bus"],
                      "departures_per_hour": [4.0, 0.0]})  # fmt: skip
    classes = dg_regio_access(lone, r, firm_ids=["a", "c", "d"])["dg_regio_access"]
    assert classes.tolist() == ["medium", "none", "none"]


def test_per_district_medians_and_shares():
    firms = pd.DataFrame(
        {"departures_per_hour_600m": [10.0, 20.0, 30.0, 5.0],
         "ptal_ai": [1.0, 3.0, 12.0, 0.0], "ptal_band": ["1a", "1b", "3", "0"]},
        index=pd.Index(["a", "b", "c", "d"], name="company_id"),
    )  # fmt: skip
    out = service_per_district(
        firms, {"a": "d1", "b": "d1", "c": "d1", "d": None}, {"a": 10, "b": 30, "c": 60}
    )
    row = out.loc["d1"]
    assert list(out.index) == ["d1"]  # d is outside every district
    assert row["departures_per_hour_600m_median"] == 20.0
    assert row["ptal_ai_median"] == 3.0
    assert row["ptal_1b_companies_share"] == pytest.approx(1 / 3)
    assert row["ptal_3_employees_share"] == pytest.approx(0.6)
    assert row["ptal_0_companies_share"] == 0.0


# --------------------------------------------------------------------------- reference


def slow_ptal(pairs, routes):
    """Compute the index route by route, as the TfL guides describe the method."""
    p = PtalParameters()
    modes = {m: (pm, grp) for m, pm, grp in p.modes}
    out = {}
    for firm in sorted(set(pairs["company_id"])):
        best = {}  # (ptal mode, route) -> highest EDF over its stops
        for pr in pairs[pairs["company_id"] == firm].itertuples():
            for rt in routes[routes["station_id"] == pr.stop_id].itertuples():
                if rt.mode not in modes or not rt.frequency_per_hour > 0:
                    continue
                pm, grp = modes[rt.mode]
                catch = p.bus_catchment_m if grp == "bus" else p.rail_catchment_m
                margin = p.bus_reliability_min if grp == "bus" else p.rail_reliability_min
                if pr.distance_m > catch:
                    continue
                tat = pr.distance_m / 80 + 0.5 * 60 / rt.frequency_per_hour + margin
                key = (pm, rt.route_id)
                best[key] = max(best.get(key, 0.0), 30 / tat)
        total = 0.0
        for pm in {k[0] for k in best}:
            edfs = sorted((v for k, v in best.items() if k[0] == pm), reverse=True)
            total += edfs[0] + 0.5 * sum(edfs[1:])
        out[firm] = total
    return out


MODES = ["bus", "brt", "light_rail", "metro", "s_train", "regional_rail"]


@st.composite
def networks(draw):
    n_stops = draw(st.integers(1, 5))
    n_firms = draw(st.integers(1, 4))
    stops = [f"s{i}" for i in range(n_stops)]
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from([f"f{i}" for i in range(n_firms)]), st.sampled_from(stops),
                      st.floats(0, 1200, allow_nan=False)),
            min_size=1, max_size=12, unique_by=lambda t: (t[0], t[1]),
        )
    )  # fmt: skip
    routes = draw(
        st.lists(
            st.tuples(st.sampled_from(stops), st.sampled_from(["r1", "r2", "r3", "r4"]),
                      st.floats(0.25, 60, allow_nan=False)),
            min_size=1, max_size=12, unique_by=lambda t: (t[0], t[1]),
        )
    )  # fmt: skip
    mode_of = {r: draw(st.sampled_from(MODES)) for r in ("r1", "r2", "r3", "r4")}
    p = pd.DataFrame(pairs, columns=["company_id", "stop_id", "distance_m"])
    r = pd.DataFrame(routes, columns=["station_id", "route_id", "frequency_per_hour"])
    r["mode"] = r["route_id"].map(mode_of)
    r["departures_per_hour"] = 2 * r["frequency_per_hour"]
    return p, r


@settings(max_examples=30, deadline=None)
@given(networks())
def test_matches_the_slow_reference(net):
    pairs, routes = net
    fast = ptal(pairs, routes)["ptal_ai"]
    slow = slow_ptal(pairs, routes)
    for firm, value in slow.items():
        assert math.isclose(fast[firm], value, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(networks(), st.data())
def test_adding_a_trip_never_lowers_ptal(net, data):
    pairs, routes = net
    before = ptal(pairs, routes)["ptal_ai"]
    more = routes.copy()
    i = data.draw(st.integers(0, len(more) - 1))
    if data.draw(st.booleans()):
        more.loc[i, "frequency_per_hour"] += 0.5  # one more trip in a 2-hour window
    else:  # a trip of a new route at that stop
        extra = more.loc[[i]].assign(route_id="new", frequency_per_hour=0.5)
        more = pd.concat([more, extra], ignore_index=True)
    after = ptal(pairs, more, firm_ids=before.index)["ptal_ai"]
    assert (after >= before - 1e-12).all()


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(networks(), st.data())
def test_removing_a_stop_never_raises_ptal(net, data):
    pairs, routes = net
    before = ptal(pairs, routes)["ptal_ai"]
    gone = data.draw(st.sampled_from(sorted(set(pairs["stop_id"]))))
    after = ptal(pairs[pairs["stop_id"] != gone], routes[routes["station_id"] != gone],
                 firm_ids=before.index)["ptal_ai"]  # fmt: skip
    assert (after <= before + 1e-12).all()


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(networks(), st.randoms(use_true_random=False))
def test_independent_of_row_order(net, rnd):
    pairs, routes = net
    a = firm_service(pairs, _service(routes))
    shuffled_p = pairs.sample(frac=1, random_state=rnd.randint(0, 10**6))
    shuffled_r = routes.sample(frac=1, random_state=rnd.randint(0, 10**6))
    b = firm_service(shuffled_p, _service(shuffled_r)).reindex(a.index)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


def _service(routes):
    import geopandas as gpd

    from areas.analysis.service import ServiceFrequency

    st_ = _stations(routes)
    stations = gpd.GeoDataFrame(st_, geometry=[None] * len(st_), crs="EPSG:25832")
    return ServiceFrequency(stations=stations, routes=routes, params={})


# --------------------------------------------------------------------------- through a feed


def feed_from_trips(trips):
    """Build a gtfs_kit feed in memory: each trip is (route, mode, [(stop, HH:MM), ...])."""
    import gtfs_kit

    from areas.load.gtfs import check_feed

    route_type = {"bus": 3, "s_train": 109, "light_rail": 900}
    stops = pd.DataFrame({"stop_id": ["s0", "s1", "s2", "s3"], "stop_name": ["0", "1", "2", "3"],
                          "stop_lat": [55.66, 55.661, 55.662, 55.663],
                          "stop_lon": [12.39, 12.391, 12.392, 12.393]})  # fmt: skip
    routes = pd.DataFrame(sorted({(r, route_type[m]) for r, m, _ in trips}),
                          columns=["route_id", "route_type"])  # fmt: skip
    rows, trip_rows = [], []
    for i, (route, _, calls) in enumerate(trips):
        trip_rows.append({"route_id": route, "service_id": "WK", "trip_id": f"t{i}",
                          "direction_id": 0})  # fmt: skip
        for k, (stop, hhmm) in enumerate(calls):
            rows.append({"trip_id": f"t{i}", "stop_id": stop, "stop_sequence": k,
                         "arrival_time": f"{hhmm}:00", "departure_time": f"{hhmm}:00"})  # fmt: skip
    calendar = pd.DataFrame({"service_id": ["WK"], **{d: [1] for d in (
        "monday", "tuesday", "wednesday", "thursday", "friday")}, "saturday": [0],
        "sunday": [0], "start_date": ["20260801"], "end_date": ["20261231"]})  # fmt: skip
    feed = gtfs_kit.Feed(dist_units="km", stops=stops, routes=routes,
                         trips=pd.DataFrame(trip_rows), stop_times=pd.DataFrame(rows),
                         calendar=calendar)  # fmt: skip
    return check_feed(feed)


@st.composite
def trip_lists(draw):
    def trip():
        route = draw(st.sampled_from([("b1", "bus"), ("b2", "bus"), ("r1", "s_train"),
                                      ("l1", "light_rail")]))  # fmt: skip
        stops_ = draw(st.lists(st.sampled_from(["s0", "s1", "s2", "s3"]), min_size=2,
                               max_size=4, unique=True))  # fmt: skip
        start = draw(st.integers(7 * 60, 8 * 60 + 50))
        calls = [(s, f"{(start + 3 * k) // 60:02d}:{(start + 3 * k) % 60:02d}")
                 for k, s in enumerate(stops_)]  # fmt: skip
        return (route[0], route[1], calls)

    return [trip() for _ in range(draw(st.integers(1, 6)))], trip()


PAIRS = pd.DataFrame({"company_id": ["f", "f", "f", "g", "g"],
                      "stop_id": ["s0", "s1", "s3", "s2", "s3"],
                      "distance_m": [100.0, 500.0, 900.0, 300.0, 50.0]})  # fmt: skip


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(trip_lists())
def test_adding_a_trip_to_the_feed_never_lowers_ptal(data):
    from areas.analysis.service import service_frequency

    base, extra = data
    window = ("07:00", "09:00")
    before = ptal(PAIRS, service_frequency(feed_from_trips(base), date="2026-09-02",
                                           window=window))["ptal_ai"]  # fmt: skip
    after = ptal(PAIRS, service_frequency(feed_from_trips(base + [extra]), date="2026-09-02",
                                          window=window))["ptal_ai"]  # fmt: skip
    assert (after.reindex(before.index) >= before - 1e-12).all()
