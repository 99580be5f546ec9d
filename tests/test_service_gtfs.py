"""GTFS feeds written by the tests, with departures counted by hand."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
from builders import FEED, write_feed
from shapely.geometry import Point

from areas.analysis.service import join_stops, parse_window, service_frequency
from areas.errors import AreasWarning, ConfigError, DamagedFileError, MissingLayerError, SchemaError
from areas.load.gtfs import read_gtfs


def counts(result):
    return dict(zip(result.stations["station_id"], result.stations["departures"], strict=True))


@pytest.mark.parametrize("as_zip", [True, False])
def test_hand_count_peak_wednesday(tmp_path, as_zip):
    feed = write_feed(tmp_path, as_zip=as_zip)
    r = service_frequency(feed, date="2026-09-02", window=("07:00", "09:00"))
    # GST (platforms GST1 + GST2): lr1 07:10, lr3 08:10 from GST1; bus 07:00-08:40 reaches GST1
    # 5 minutes after leaving B1 but GST1 is its last stop (no departure); GST2 sees only arrivals.
    # NORD: lr2 07:30, st2 08:59 (lr1/lr3 end there). B1: bus at 07:00, 07:20, ..., 08:40 = 6.
    assert counts(r) == {"GST": 2, "NORD": 2, "B1": 6}
    row = r.stations.set_index("station_id").loc["GST"]
    assert row["departures_per_hour"] == 1.0
    assert row["stop_ids"] == "GST;GST1;GST2"
    assert r.stations.crs == "EPSG:25832"
    routes = r.routes.set_index(["station_id", "route_id"])
    assert routes.loc[("B1", "BUS"), "frequency_per_hour"] == 3.0
    assert routes.loc[("NORD", "LR"), "mode"] == "light_rail"
    assert r.params["service_date"] == "2026-09-02"


def test_two_directions_both_count_and_frequency_is_the_busier_one(tmp_path):
    r = service_frequency(write_feed(tmp_path), date="2026-09-02", window=("07:00", "08:00"))
    # NORD 07:00-08:00: lr2 southbound 07:30 only; GST: lr1 northbound 07:10
    assert counts(r) == {"GST": 1, "NORD": 1, "B1": 3}
    both = service_frequency(
        write_feed(tmp_path, name="b"), date="2026-09-02", window=("07:00", "09:00")
    )
    routes = both.routes.set_index(["station_id", "route_id"])
    # NORD has the light rail southbound once and the S-train once (different routes)
    assert routes.loc[("NORD", "LR"), "departures"] == 1
    assert routes.loc[("NORD", "ST"), "departures"] == 1
    # GST: two light-rail departures, both northbound: the busier direction has 2 in 2 h
    assert routes.loc[("GST", "LR"), "frequency_per_hour"] == 1.0


def test_calendar_exception_removes_and_adds_service(tmp_path):
    feed = write_feed(tmp_path)
    with pytest.raises(ConfigError, match="no service at all"):
        service_frequency(feed, date="2026-09-03", window=("07:00", "09:00"))  # WK removed
    sat = service_frequency(feed, date="2026-09-05", window=("07:00", "09:00"))
    assert counts(sat) == {"GST": 1, "NORD": 0, "B1": 0}  # only the added Saturday trip


def test_headway_based_frequencies_expanded(tmp_path):
    r = service_frequency(write_feed(tmp_path), date="2026-09-02", window=("09:00", "10:00"))
    assert counts(r)["B1"] == 2  # 09:00 and 09:30 (exact_times 0)


def test_trip_past_midnight_counts_on_the_next_calendar_day(tmp_path):
    feed = write_feed(tmp_path)
    # late1 runs on service day Wednesday 2026-09-02 at 24:20 (B1) and 24:30 (GST2), i.e.
    # 00:20 and 00:30 on Thursday 2026-09-03 (whose own weekday service is cancelled).
    r = service_frequency(feed, date="2026-09-03", window=("00:00", "01:00"))
    assert counts(r) == {"GST": 1, "NORD": 0, "B1": 1}
    # the same departures from Wednesday's side: a window 23:30-00:45 past midnight
    r2 = service_frequency(feed, date="2026-09-02", window=("23:30", "00:45"))
    assert counts(r2) == {"GST": 1, "NORD": 0, "B1": 1}
    assert r2.params["window_hours"] == 1.25


def test_date_outside_period_refused_naming_it(tmp_path):
    with pytest.raises(ConfigError, match=r"2026-08-10 → 2026-11-04"):
        service_frequency(write_feed(tmp_path), date="2027-01-06")


def test_default_date_is_a_busy_weekday(tmp_path):
    r = service_frequency(write_feed(tmp_path))
    day = dt.date.fromisoformat(r.params["service_date"])
    assert day.weekday() < 5 and day == dt.date(2026, 8, 10)
    assert r.params["service_window"] == ("07:00", "09:00")


@pytest.mark.parametrize(
    ("change", "error", "pattern"),
    [
        ({"stop_times.txt": None}, MissingLayerError, "stop_times.txt"),
        ({"calendar.txt": None, "calendar_dates.txt": None}, MissingLayerError, "calendar"),
        (
            {"stop_times.txt": FEED["stop_times.txt"] + "ghost,07:00:00,07:00:00,B1,1\n"},
            SchemaError,
            "ghost",
        ),
        (
            {"stop_times.txt": FEED["stop_times.txt"] + "lr1,07:50:00,07:50:00,NOWHERE,9\n"},
            SchemaError,
            "NOWHERE",
        ),
        (
            {
                "frequencies.txt": "trip_id,start_time,end_time,headway_secs\n"
                "bus_freq,07:00:00,08:00:00,0\n"
            },
            SchemaError,
            "headway_secs of 0",
        ),
        ({"trips.txt": FEED["trips.txt"] + "LR,NOSERVICE,x1,0\n"}, SchemaError, "NOSERVICE"),
        (
            {"stop_times.txt": FEED["stop_times.txt"].replace("07:10:00,07:10:00", "7h10,7h10")},
            SchemaError,
            "lr1",
        ),
    ],
)
def test_bad_feeds_refused(tmp_path, change, error, pattern):
    files = {k: v for k, v in {**FEED, **change}.items() if v is not None}
    with pytest.raises(error, match=pattern) as info:
        read_gtfs(write_feed(tmp_path, files))
    assert "gtfs.zip" in str(info.value)


def test_not_a_zip_and_missing_path(tmp_path):
    bad = tmp_path / "gtfs.zip"
    bad.write_text("<html>not a feed</html>")
    with pytest.raises(DamagedFileError, match="not a readable GTFS zip"):
        read_gtfs(bad)
    with pytest.raises(MissingLayerError, match="does not exist"):
        read_gtfs(tmp_path / "nowhere.zip")


def test_window_parsing():
    assert parse_window("07:00-09:00") == (420, 540)
    for bad in ("7-9", ("07:00",), ("25:00", "26:00"), "07:60-08:00"):
        with pytest.raises(ConfigError, match="service_window"):
            parse_window(bad)


def test_join_by_id_and_by_name_and_distance(tmp_path):
    r = service_frequency(write_feed(tmp_path), date="2026-09-02")
    geo = gpd.GeoSeries(
        [
            Point(12.3975, 55.6630),
            Point(12.3963, 55.6801),
            Point(12.3900, 55.6700),
            Point(12.4200, 55.6500),
        ],
        crs="EPSG:4326",
    ).to_crs("EPSG:25832")
    layer = gpd.GeoDataFrame(
        {
            "stop_id": ["st-glostrup", "lr-nord", "bus-naverland", "far"],
            "name": ["Glostrup st.", "Glostrup Nord (– Hersted)", "Somewhere", "Glostrup st."],
            "mode": ["s_train", "light_rail", "bus", "s_train"],
            "gtfs_stop_id": [None, None, "B1", None],
        },
        geometry=list(geo),
        crs="EPSG:25832",
    )
    with pytest.warns(AreasWarning, match="far"):
        j = join_stops(r, layer)
    m = j.matches.set_index("stop_id")
    assert m.loc["st-glostrup", "station_id"] == "GST"
    assert m.loc["lr-nord", "station_id"] == "NORD"
    assert m.loc["lr-nord", "joined_by"] == "name_distance"
    assert m.loc["bus-naverland", "joined_by"] == "gtfs_stop_id"
    assert list(j.unjoined["stop_id"]) == ["far"]
    keyed = r.rekey(j)
    assert set(keyed.stations["station_id"]) == {"st-glostrup", "lr-nord", "bus-naverland"}
    assert keyed.stations.set_index("station_id").loc["st-glostrup", "departures"] == 2
