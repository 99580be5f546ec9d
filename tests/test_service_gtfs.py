"""GTFS feeds written by the tests, with departures counted by hand."""

from __future__ import annotations

import datetime as dt
import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import Point

from areas.analysis.service import join_stops, parse_window, service_frequency
from areas.errors import AreasWarning, ConfigError, DamagedFileError, MissingLayerError, SchemaError
from areas.load.gtfs import read_gtfs

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
