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
