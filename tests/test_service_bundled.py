"""The bundled layers with a service table: stage 1 at 10 minutes against the full line at 5."""

from __future__ import annotations

import pandas as pd
import pytest

import areas
from areas.analysis.assign import assign_districts
from areas.analysis.service import (
    firm_service,
    service_frequency,
    service_per_district,
    straight_line_pairs,
)

HERSTED = "hersted-industripark"


def light_rail_table(stops):
    stage1 = stops.loc[
        (stops["line"] == "Hovedstadens Letbane") & (stops["opens"] == "2025-10-26"), "stop_id"
    ]
    # Operator, October 2025: stage 1 every 10 minutes from 2025-10-26; the whole line every
    # 5 minutes in the daytime, 10 in the evening and at weekends.
    return pd.DataFrame(
        {
            "line": ["Hovedstadens Letbane"] * 2,
            "mode": ["light_rail"] * 2,
            "stops": [";".join(stage1), ""],
            "termini": ["lr-roedovre-nord;lr-ishoej-st", "lr-lundtofte;lr-ishoej-st"],
            "headway_min_peak": ["10", "5"],
            "headway_min_day": ["10", "5"],
            "headway_min_evening": ["10", "10"],
            "headway_min_weekend": ["10", "10"],
            "valid_from": ["2025-10-26", ""],
            "valid_to": ["", ""],
            "status": ["existing", "planned"],
        }
    )


@pytest.fixture(scope="module")
def scenario():
    atlas = areas.load()
    ids = atlas.companies["company_id"].astype(str)
    district = assign_districts(atlas.companies, atlas.districts)["district_id"]
    district_of = pd.Series(district.to_numpy(), index=ids.to_numpy())
    jobs = pd.Series(atlas.companies["employees"].to_numpy(), index=ids.to_numpy())
    out = {}
    for name, include in (("stage1", ()), ("full", ("planned",))):
        service = service_frequency(
            light_rail_table(atlas.stops), date="2026-09-02", stops=atlas.stops,
            as_of="2026-09-02", include=include,
        )  # fmt: skip
        pairs = straight_line_pairs(atlas.companies, service.stations, max_distance_m=1000)
        firms = firm_service(pairs, service, firm_ids=ids)
        out[name] = (firms, service_per_district(firms, district_of, jobs), service)
    return out


def test_full_line_at_five_minutes_raises_hersted(scenario):
    s1_firms, s1, s1_service = scenario["stage1"]
    full_firms, full, full_service = scenario["full"]
    station = "lr-glostrup-nord-hersted"  # the Hersted Industripark stop
    dph1 = s1_service.stations.set_index("station_id").loc[station, "departures_per_hour"]
    dph2 = full_service.stations.set_index("station_id").loc[station, "departures_per_hour"]
    assert (dph1, dph2) == (12.0, 24.0)  # 6 an hour each way, then 12
    assert len(full_service.stations) == 29 and len(s1_service.stations) == 12
    # no firm loses departures; the firms near Glostrup Nord gain
    gain = full_firms["departures_per_hour_600m"] - s1_firms["departures_per_hour_600m"]
    assert (gain >= 0).all() and (gain > 0).any()
    assert full.loc[HERSTED, "ptal_ai_median"] > s1.loc[HERSTED, "ptal_ai_median"]
    assert (
        full.loc[HERSTED, "departures_per_hour_600m_median"]
        >= s1.loc[HERSTED, "departures_per_hour_600m_median"]
    )
    shares = [c for c in full.columns if c.startswith("ptal_") and c.endswith("_companies_share")]
    assert full.loc[HERSTED, shares].sum() == pytest.approx(1.0)


# --- the bundled service table, through areas.load and areas.summarize ------------------------


@pytest.fixture(scope="module")
def bundled_summaries():
    atlas = areas.load()
    # stage 1 runs until the whole line's in-service-by date 2026-11-04 (layers/README.md)
    stage1 = areas.summarize(atlas, as_of="2026-09-02")
    full = areas.summarize(atlas, as_of="2026-12-01")
    return atlas, stage1, full


def test_bundled_atlas_carries_the_light_rail_table(bundled_summaries):
    atlas, stage1, _ = bundled_summaries
    table = atlas.service_table
    assert list(table["status"]) == ["existing", "existing"]
    assert [str(d.date()) for d in table["valid_from"]] == ["2025-10-26", "2026-11-04"]
    assert len(table.loc[0, "stops"]) == 12 and len(table.loc[1, "stops"]) == 29
    assert table.loc[0, "headway_min_peak"] == 10 and table.loc[1, "headway_min_peak"] == 5
    # no source gives stage 1's evening headway: empty, not a guess
    assert pd.isna(table.loc[0, "headway_min_evening"])
    assert atlas.service_sources["service"]["sha256"]
    assert stage1.params["service"]["sources"]["service"]["lines"] == ["Hovedstadens Letbane"]


def test_bundled_full_line_raises_hersted_against_stage1(bundled_summaries):
    _, stage1, full = bundled_summaries
    s1 = stage1.table.set_index("district_id").loc[HERSTED]
    s2 = full.table.set_index("district_id").loc[HERSTED]
    # the PTAL index of the median firm rises with the 5-minute service
    assert s2["ptal_ai_median"] > s1["ptal_ai_median"] > 0
    assert areas.compare(stage1, full).loc[HERSTED, "ptal_ai_median"] > 0
    # the stop's departures double: 6 an hour each way, then 12
    for summary, expected in ((stage1, 12.0), (full, 24.0)):
        st = summary.service.frequency.stations.set_index("station_id")
        assert st.loc["lr-glostrup-nord-hersted", "departures_per_hour"] == expected
    # Buses and S-trains have no sourced headway: most Hersted firms lie within 600 m of such
    # a stop, so their departures within 600 m -- and the district's median -- are unknown
    # (NaN, "no frequency data"), in both scenarios, never 0.
    assert pd.isna(s1["departures_per_hour_600m_median"])
    assert pd.isna(s2["departures_per_hour_600m_median"])
    assert s1["departures_per_hour_600m_unknown_companies"] > s1["companies"] / 2
    # where the departures are known, the full line gives more
    ids = stage1.assignment.loc[stage1.assignment["district_id"] == HERSTED, "company_id"]
    known1 = stage1.service.firms.loc[ids, "departures_per_hour_600m"].dropna()
    known2 = full.service.firms.loc[known1.index, "departures_per_hour_600m"]
    assert len(known1) and (known2 >= known1).all() and (known2 > known1).any()


def test_bundled_cli_summary_has_the_service_columns():
    import io
    from contextlib import redirect_stdout

    from areas.cli import main

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["summary", "--as-of", "2026-12-01", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(buf.getvalue())).set_index("district_id")
    assert {"departures_per_hour_600m_median", "ptal_ai_median"} <= set(table.columns)
    assert table.loc[HERSTED, "ptal_ai_median"] > 2
