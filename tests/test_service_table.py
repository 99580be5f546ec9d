"""Service tables of planned lines: headways to departures, dated rows, bad tables."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from areas.analysis.service import service_frequency
from areas.errors import AreasWarning, MissingColumnError, SchemaError
from areas.load.service_table import check_service_table, period_minutes

WEDNESDAY = "2026-09-02"
SATURDAY = "2026-09-05"


def stops_layer():
    ids = ["a", "b", "c", "d"]
    return gpd.GeoDataFrame(
        {"stop_id": ids, "name": ["A", "B", "C", "D"], "mode": ["light_rail"] * 4,
         "status": ["existing", "existing", "existing", "planned"],
         "line": ["Letbane"] * 4},
        geometry=[Point(700_000 + 1000 * i, 6_170_000) for i in range(4)], crs="EPSG:25832",
    )  # fmt: skip


def table():
    # stage 1 (a-b-c, ends at a and c) every 10 minutes from 2025-10-26; the whole line
    # (a-b-c-d from the stops layer's `line`, ends not stated): 5 minutes peak and day,
    # 10 evenings and weekends, planned
    return pd.DataFrame(
        {
            "line": ["Letbane", "Letbane"],
            "mode": ["light_rail", "light_rail"],
            "stops": ["a;b;c", ""],
            "termini": ["a;c", ""],
            "headway_min_peak": ["10", "5"],
            "headway_min_day": ["10", "5"],
            "headway_min_evening": ["10", "10"],
            "headway_min_weekend": ["10", "10"],
            "valid_from": ["2025-10-26", ""],
            "valid_to": ["", ""],
            "status": ["existing", "planned"],
        }
    )


def dph(result):
    s = result.stations.set_index("station_id")["departures_per_hour"]
    return {k: (None if np.isnan(v) else v) for k, v in s.items()}


def test_stage_one_by_hand():
    r = service_frequency(table(), date=WEDNESDAY, stops=stops_layer(), as_of="2026-01-01")
    # every 10 min: 6 an hour each way; termini a and c one way only
    assert dph(r) == {"a": 6.0, "b": 12.0, "c": 6.0}
    routes = r.routes.set_index("station_id")
    assert routes.loc["b", "frequency_per_hour"] == 6.0
    assert r.stations.crs == "EPSG:25832"
    assert r.stations.set_index("station_id").loc["b", "name"] == "B"


def test_planned_full_line_replaces_stage_one_when_included():
    r = service_frequency(
        table(), date=WEDNESDAY, stops=stops_layer(), as_of="2026-01-01", include=["planned"]
    )
    # every 5 min both ways at every stop (no termini stated: all counted both ways)
    assert dph(r) == {"a": 24.0, "b": 24.0, "c": 24.0, "d": 24.0}
    evening = service_frequency(
        table(), date=WEDNESDAY, window=("20:00", "21:00"), stops=stops_layer(),
        as_of="2026-01-01", include=["planned"],
    )  # fmt: skip
    assert dph(evening)["b"] == 12.0
    weekend = service_frequency(
        table(), date=SATURDAY, stops=stops_layer(), include=["planned"], as_of="2026-01-01"
    )
    assert dph(weekend)["b"] == 12.0


def test_before_opening_nothing_counts():
    with pytest.warns(AreasWarning, match="none of its 2 row"):
        r = service_frequency(table(), date="2025-10-25", stops=stops_layer())
    assert r.stations.empty and r.routes.empty


def test_window_across_periods():
    # 06:00-08:00 on a weekday: 60 min of "day" (headway 12) and 60 of "peak" (headway 6)
    assert period_minutes(pd.Timestamp(WEDNESDAY).date(), 360, 480) == {"day": 60.0, "peak": 60.0}
    t = table().iloc[[0]].assign(headway_min_day="12", headway_min_peak="6")
    r = service_frequency(t, date=WEDNESDAY, window=("06:00", "08:00"), as_of="2026-01-01")
    # one direction: 60/12 + 60/6 = 15 departures in 2 h = 7.5 an hour; b both ways: 15
    assert dph(r)["b"] == 15.0


def test_missing_headway_is_no_frequency_data_never_a_guess():
    t = table().iloc[[0]].assign(headway_min_evening="")
    with pytest.warns(AreasWarning, match="no frequency data"):
        r = service_frequency(t, date=WEDNESDAY, window=("18:00", "20:00"), as_of="2026-01-01")
    assert dph(r) == {"a": None, "b": None, "c": None}
    assert r.stations["no_frequency_data"].tolist() == ["Letbane"] * 3
    assert r.no_data["line"].tolist() == ["Letbane"]
    with pytest.warns(AreasWarning, match="00:00-06:00"):
        service_frequency(t, date=WEDNESDAY, window=("05:00", "06:00"), as_of="2026-01-01")


def test_long_form_and_csv_file(tmp_path):
    path = tmp_path / "service.csv"
    path.write_text(
        "line;mode;stops;period;headway_min;valid_from;valid_to;status\n"
        "200S BRT;brt;x;peak;7,5;;;planned\n"
        "200S BRT;brt;x;day;10;;;planned\n",
        encoding="utf-8",
    )
    r = service_frequency(path, date=WEDNESDAY, include=["planned"], as_of="2026-01-01")
    assert dph(r) == {"x": 16.0}  # both directions, 2 x 60 / 7.5


@pytest.mark.parametrize(
    ("change", "error", "pattern"),
    [
        ({"headway_min_peak": ["0", "5"]}, SchemaError, r"headway_min_peak.*Letbane"),
        ({"headway_min_day": ["ten", "5"]}, SchemaError, "positive number"),
        ({"stops": ["", ""]}, SchemaError, "serve no stops"),
        ({"mode": ["tram", "light_rail"]}, SchemaError, "`mode` takes"),
        ({"termini": ["a;q", ""]}, SchemaError, "termini it does not serve"),
        ({"valid_from": ["someday", ""]}, SchemaError, "not a date"),
    ],
)
def test_bad_tables_refused(tmp_path, change, error, pattern):
    t = table()
    for k, v in change.items():
        t[k] = v
    path = tmp_path / "service.csv"
    t.to_csv(path, index=False)
    layer = stops_layer().assign(line="another line")  # no stop on the line
    with pytest.raises(error, match=pattern) as info:
        service_frequency(path, date=WEDNESDAY, stops=layer)
    assert "service.csv" in str(info.value)


def test_unknown_stop_and_missing_column():
    with pytest.raises(SchemaError, match="zz"):
        check_service_table(table().assign(stops=["a;zz;c", ""]), stops=stops_layer())
    with pytest.raises(MissingColumnError, match="status"):
        check_service_table(table().drop(columns="status"))


def test_combined_with_a_feed(tmp_path):
    from builders import write_feed

    from areas.analysis.service import combine_service

    feed = service_frequency(write_feed(tmp_path), date=WEDNESDAY)
    planned = service_frequency(table(), date=WEDNESDAY, stops=stops_layer(), as_of="2026-01-01")
    both = combine_service(feed, planned)
    assert dph(both) == {**dph(feed), **dph(planned)}
    assert len(both.routes) == len(feed.routes) + len(planned.routes)
    assert both.stations.crs == "EPSG:25832"
    # the same station in both adds up
    twice = combine_service(planned, planned)
    assert dph(twice)["b"] == 24.0
