"""Dated scenarios: which stops, BIDs and plots count on a date."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from areas.errors import ConfigError
from areas.scenario import (
    ScenarioMasks,
    active_bids,
    plots_established,
    resolve_as_of,
    resolve_include,
    scenario_masks,
    stops_in_service,
)

STATUS = st.sampled_from(["existing", "planned", "study", "withdrawn"])
DATE = st.one_of(
    st.none(), st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))
)


def _stops(rows):
    return pd.DataFrame(
        {
            "status": [r[0] for r in rows],
            "opens": pd.to_datetime([r[1] for r in rows]),
        }
    )


def _reference_in_service(status, opens, as_of, include):
    """Return whether a stop is in service, by the rule written out one stop at a time."""
    if status == "withdrawn":
        return False
    if opens is not None and opens <= as_of:
        return True
    if opens is None and status == "existing":
        return True
    return status in include


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(STATUS, DATE), min_size=1, max_size=20),
    as_of=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31)),
    include=st.sets(st.sampled_from(["planned", "study"])),
)
def test_stops_in_service_matches_the_rule(rows, as_of, include):
    got = stops_in_service(_stops(rows), as_of, include)
    want = [_reference_in_service(s, o, as_of, include) for s, o in rows]
    assert got.tolist() == want


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(STATUS, DATE), min_size=1, max_size=20), as_of=DATE.filter(bool))
def test_including_more_statuses_never_removes_a_stop(rows, as_of):
    frame = _stops(rows)
    base = stops_in_service(frame, as_of)
    more = stops_in_service(frame, as_of, ("planned", "study"))
    assert not (base & ~more).any()


def test_stops_in_service_light_rail_opening_day():
    frame = _stops([("existing", "2025-10-26"), ("planned", "2026-06-30"), ("study", None)])
    assert stops_in_service(frame, "2025-10-25").tolist() == [False, False, False]
    assert stops_in_service(frame, "2025-10-26").tolist() == [True, False, False]
    assert stops_in_service(frame, "2026-07-01").tolist() == [True, True, False]
    assert stops_in_service(frame, "2025-01-01", ["study"]).tolist() == [False, False, True]


def test_stops_without_opens_column_count_when_existing():
    frame = pd.DataFrame({"status": ["existing", "planned"]})
    assert stops_in_service(frame, "2026-01-01").tolist() == [True, False]


def test_active_bids_inclusive_interval_and_open_end():
    bids = pd.DataFrame(
        {
            "start": pd.to_datetime(["2021-05-01", "2019-01-01", None]),
            "end": pd.to_datetime(["2023-12-31", None, None]),
        }
    )
    assert active_bids(bids, "2021-04-30").tolist() == [False, True, False]
    assert active_bids(bids, "2021-05-01").tolist() == [True, True, False]
    assert active_bids(bids, "2023-12-31").tolist() == [True, True, False]
    assert active_bids(bids, "2024-01-01").tolist() == [False, True, False]


def test_a_time_of_day_in_the_data_does_not_move_the_date():
    """Dates compare by calendar day: an event at 08:00 counts on its own day."""
    stops = pd.DataFrame({"status": ["planned"], "opens": pd.to_datetime(["2025-10-26 05:00"])})
    assert stops_in_service(stops, "2025-10-26").tolist() == [True]
    assert stops_in_service(stops, "2025-10-25").tolist() == [False]
    bids = pd.DataFrame(
        {
            "start": pd.to_datetime(["2021-05-01 08:00"]),
            "end": pd.to_datetime(["2023-12-31 23:59"]),
        }
    )
    assert active_bids(bids, "2021-05-01").tolist() == [True]
    assert active_bids(bids, "2023-12-31").tolist() == [True]
    assert active_bids(bids, "2024-01-01").tolist() == [False]
    plots = pd.DataFrame({"established": pd.to_datetime(["2023-04-18 10:30"])})
    assert plots_established(plots, "2023-04-18").tolist() == [True]


def test_plots_established_by_date():
    plots = pd.DataFrame({"established": pd.to_datetime(["2022-05-01", "2023-04-01", None])})
    assert plots_established(plots, "2022-12-31").tolist() == [True, False, False]
    assert plots_established(plots, "2023-12-31").tolist() == [True, True, False]


def test_resolve_as_of_defaults_to_today_and_accepts_dates():
    assert resolve_as_of() == pd.Timestamp(dt.date.today())
    assert resolve_as_of(dt.date(2025, 10, 26)) == pd.Timestamp("2025-10-26")
    assert resolve_as_of("2025-10-26T15:00:00+02:00") == pd.Timestamp("2025-10-26")
    assert resolve_as_of(np.datetime64("2025-10-26")) == pd.Timestamp("2025-10-26")


@pytest.mark.parametrize("bad", ["next tuesday", "2025-13-01", ""])
def test_resolve_as_of_rejects_what_is_not_a_date(bad):
    with pytest.raises(ConfigError, match="as_of"):
        resolve_as_of(bad)


def test_resolve_include_checks_statuses():
    assert resolve_include("planned") == ("planned",)
    assert resolve_include(["study", "planned", "study"]) == ("study", "planned")
    assert resolve_include(None) == ()
    with pytest.raises(ConfigError, match="withdrawn"):
        resolve_include(["withdrawn"])
    with pytest.raises(ConfigError, match="planed"):
        resolve_include(["planed"])


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(st.tuples(STATUS, DATE), min_size=0, max_size=10),
    as_of=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31)),
    include=st.lists(st.sampled_from(["planned", "study"]), unique=True),
)
def test_scenario_masks_are_the_three_rules(rows, as_of, include):
    stops = _stops(rows)
    bids = pd.DataFrame(
        {
            "start": pd.to_datetime([r[1] for r in rows]),
            "end": pd.to_datetime([None] * len(rows)),
        }
    )
    plots = pd.DataFrame({"established": pd.to_datetime([r[1] for r in rows])})
    m = scenario_masks(stops, bids, plots, as_of, include)
    assert isinstance(m, ScenarioMasks)
    assert m.as_of == resolve_as_of(as_of) and m.include == tuple(include)
    assert m.stops_in_service.tolist() == stops_in_service(stops, as_of, include).tolist()
    assert m.active_bids.tolist() == active_bids(bids, as_of).tolist()
    assert m.plots_established.tolist() == plots_established(plots, as_of).tolist()
    for mask in (m.stops_in_service, m.active_bids, m.plots_established):
        assert mask.dtype == bool and not mask.flags.writeable
