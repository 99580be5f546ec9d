"""Service frequency in a summary: per firm and per district, from the atlas's service inputs.

:func:`service_summary` is what :func:`areas.summarize` runs when the atlas
carries a GTFS feed (``atlas.service``) or a service table
(``atlas.service_table``):

1. departures per station in the window on the service date
   (:func:`areas.analysis.service.service_frequency`), from the feed and the
   table together. With a feed, the table's ``existing`` rows are left out
   (the feed is the timetable of what runs; the table adds the plans), and
   the date and window are the feed's;
2. the stops of the stops layer in service that no input covers (a layer
   stop not joined to the feed, a stop of a line the table lacks) are
   stations **without frequency data**: a firm within 600 m of one has
   ``departures_per_hour_600m`` NaN (unknown, never a smaller number), and
   its PTAL index leaves it out (a lower bound, counted in
   ``service_unknown_stops``);
3. firm-to-station distances on the summary's basis: the straight line
   (``distance="straight"``), the straight line times the detour factor
   (``"detour"``, formerly ``"walk"``), the walk on a basis's ``network`` attribute (a
   :class:`~areas.analysis.network.WalkingNetwork`, by
   :func:`network_pairs`), or a basis's own long table when it has a
   ``pairs(companies, stations, max_distance_m)`` method;
4. per firm :func:`~areas.analysis.service.firm_service`, per district
   :func:`~areas.analysis.service.service_per_district`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from areas.analysis.service import (
    DEFAULT_WINDOW,
    DEPARTURES_WITHIN_M,
    PTAL_BANDS,
    ROUTE_COLUMNS,
    STATION_COLUMNS,
    DgRegioParameters,
    PtalParameters,
    ServiceFrequency,
    StopJoin,
    combine_service,
    firm_service,
    join_stops,
    parse_window,
    service_frequency,
    service_per_district,
    straight_line_pairs,
)
from areas.atlas import Atlas
from areas.errors import ConfigError
from areas.load.service_table import lines_in_service
from areas.schema import WORK_CRS

__all__ = [
    "ServiceSummary",
    "service_summary",
    "network_pairs",
    "FIRM_COLUMNS",
    "district_columns",
]

#: Per-firm columns the summary's outputs carry.
FIRM_COLUMNS = (
    "departures_per_hour_600m",
    "ptal_ai",
    "ptal_band",
    "dg_regio_access",
    "service_unknown_stops",
)


def district_columns(bands: tuple[str, ...] = PTAL_BANDS) -> list[str]:
    """Return the per-district service columns of the summary table, in order."""
    cols = [
        "departures_per_hour_600m_median",
        "departures_per_hour_600m_unknown_companies",
        "ptal_ai_median",
    ]
    for band in bands:
        cols += [f"ptal_{band}_companies_share", f"ptal_{band}_employees_share"]
    return cols


@dataclass(frozen=True, eq=False)
class ServiceSummary:
    """The service-frequency part of a :class:`~areas.analysis.summary.Summary`.

    Attributes
    ----------
    frequency : ServiceFrequency
        Departures per station (stations without frequency data included,
        with ``departures_per_hour`` NaN).
    firms : pandas.DataFrame
        Indexed by ``company_id``: :data:`FIRM_COLUMNS` and the other
        columns of :func:`~areas.analysis.service.firm_service`.
    districts : pandas.DataFrame
        Indexed by ``district_id``: :func:`district_columns`.
    params : dict
        ``service_date``, ``service_window``, ``feed_period``, ``sources``,
        ``ptal`` and ``dg_regio`` parameters, ``distance``,
        ``stops_without_frequency_data``, ``notes``.
    join : StopJoin or None
        How the feed's stations joined the stops layer (None without a feed).
    """

    frequency: ServiceFrequency
    firms: pd.DataFrame
    districts: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    join: StopJoin | None = None


def _plain(value: object) -> object:
    """Return ``value`` as JSON-ready data (tuples as lists, infinity as the text "inf")."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and np.isinf(value):
        return "inf"
    return value


def _params_dict(p: object) -> dict[str, Any]:
    """Return the fields of a parameters dataclass as JSON-ready data."""
    return {f.name: _plain(getattr(p, f.name)) for f in dataclasses.fields(p)}  # type: ignore[arg-type]


def _frequencies(
    atlas: Atlas,
    in_service: np.ndarray,
    as_of: pd.Timestamp,
    include: tuple[str, ...],
    service_date: object,
    window: object,
) -> tuple[ServiceFrequency, StopJoin | None, list[str]]:
    results: list[ServiceFrequency] = []
    notes: list[str] = []
    join = None
    date = service_date
    stops_now = atlas.stops[np.asarray(in_service, dtype=bool)]
    if atlas.service is not None:
        feed = service_frequency(atlas.service, date=service_date, window=window)
        date = feed.params["service_date"]
        if len(stops_now):
            join = join_stops(feed, stops_now)
        results.append(feed)
    table = atlas.service_table
    if table is not None and atlas.service is not None:
        existing = table["status"].astype(str) == "existing"
        if existing.any():
            notes.append(
                "service table rows of status existing left out: the GTFS feed gives the "
                f"service that runs (lines {', '.join(sorted(set(table.loc[existing, 'line'])))})"
            )
        table = table[~existing.to_numpy()].reset_index(drop=True)
    if table is not None and len(table) and not lines_in_service(table, as_of, include).any():
        notes.append(
            f"no service-table line runs on {as_of.date().isoformat()} with "
            f"include={list(include)}: the table adds no service"
        )
        table = None
    if table is not None and len(table):
        results.append(
            service_frequency(
                table, date=date, window=window, stops=atlas.stops, as_of=as_of, include=include
            )
        )
    if not results:
        if date is None:  # a service table's default: as_of, moved on to Monday from a weekend
            day = as_of.date()
            date = day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)
        return _no_service(date, window), join, notes
    combined = results[0] if len(results) == 1 else combine_service(*results)
    return combined, join, notes


def _no_service(date: object, window: object) -> ServiceFrequency:
    """Return a frequency table with no station (no input line runs in the scenario)."""
    start, end = parse_window(window)
    day = pd.Timestamp(date).date() if date is not None else None
    stations = gpd.GeoDataFrame(
        {c: pd.Series([], dtype=object) for c in STATION_COLUMNS}, geometry=[], crs=WORK_CRS
    )
    routes = pd.DataFrame({c: pd.Series([], dtype=object) for c in ROUTE_COLUMNS})
    for col in ("departures", "departures_per_hour", "frequency_per_hour"):
        routes[col] = routes[col].astype(float)
    stations["departures_per_hour"] = stations["departures_per_hour"].astype(float)
    clock = (f"{start // 60:02d}:{start % 60:02d}", f"{end // 60 % 24:02d}:{end % 60:02d}")
    params: dict[str, Any] = {
        "source": "service table",
        "service_date": None if day is None else day.isoformat(),
        "service_window": clock,
        "window_hours": (end - start) / 60,
        "notes": [],
    }
    return ServiceFrequency(stations=stations, routes=routes, params=params)


def _with_unknown_stops(
    freq: ServiceFrequency, stops_now: gpd.GeoDataFrame, join: StopJoin | None
) -> tuple[ServiceFrequency, list[str]]:
    """Add the stops in service that no input covers, without frequency data."""
    covered = set(freq.stations["station_id"].astype(str))
    if join is not None:
        covered |= set(join.matches["stop_id"].astype(str))
    ids = stops_now["stop_id"].astype(str)
    unknown = stops_now[~ids.isin(covered).to_numpy()]
    unknown = unknown[~(unknown.geometry.isna() | unknown.geometry.is_empty).to_numpy()]
    if not len(unknown):
        return freq, []
    extra = gpd.GeoDataFrame(
        {
            "station_id": unknown["stop_id"].astype(str).to_numpy(),
            "name": unknown["name"].astype("string").to_numpy(dtype=object),
            "stop_ids": unknown["stop_id"].astype(str).to_numpy(),
            "modes": unknown["mode"].astype(str).to_numpy(),
            "routes": 0,
            "departures": np.nan,
            "departures_per_hour": np.nan,
            "no_frequency_data": "(no service data for this stop)",
        },
        geometry=unknown.geometry.to_crs(WORK_CRS).to_numpy(),
        crs=WORK_CRS,
    )
    stations = pd.concat([freq.stations, extra], ignore_index=True)
    stations = gpd.GeoDataFrame(stations, geometry="geometry", crs=WORK_CRS)
    return replace(freq, stations=stations), sorted(extra["station_id"])


def _located_xy(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    frame = frame.to_crs(WORK_CRS)
    located = frame[~(frame.geometry.isna() | frame.geometry.is_empty).to_numpy()]
    xy = np.column_stack([located.geometry.x.to_numpy(), located.geometry.y.to_numpy()])
    return located, xy


def network_pairs(
    network: object,
    companies: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    *,
    max_distance_m: float,
) -> pd.DataFrame:
    """Every (firm, station) pair within ``max_distance_m`` of walking on a network.

    Parameters
    ----------
    network : areas.analysis.network.WalkingNetwork or a line layer
        The walking network (:func:`areas.analysis.network.build_network`).
    companies, stations : geopandas.GeoDataFrame
        Firms (``company_id``) and stations (``station_id``); rows without a
        location are left out.
    max_distance_m : float
        The longest walk wanted (the largest catchment).

    Returns
    -------
    pandas.DataFrame
        ``company_id``, ``stop_id`` (the ``station_id``), ``distance_m`` (the
        walk, :func:`areas.analysis.network.within`): the long table
        :func:`~areas.analysis.service.firm_service` takes. Firms off the
        network or on a part without a station have no rows (nothing in reach).
    """
    from areas.analysis.network import within

    firms, fxy = _located_xy(companies)
    st, sxy = _located_xy(stations)
    cols = ["company_id", "stop_id", "distance_m"]
    if not len(firms) or not len(st):
        return pd.DataFrame({c: [] for c in cols})
    found = within(network, fxy, sxy, st["station_id"].astype(str).to_numpy(), max_distance_m)
    ids = firms["company_id"].astype(str).to_numpy()
    return pd.DataFrame(
        {
            "company_id": ids[found["firm"].to_numpy(dtype=int)],
            "stop_id": found["stop_id"].astype(str).to_numpy(),
            "distance_m": found["network_m"].to_numpy(dtype=float),
        }
    )


def _pairs(
    companies: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    basis: object,
    factor: float,
    reach_m: float,
) -> tuple[pd.DataFrame, str]:
    """Firm-station pairs within ``reach_m`` on the summary's distance basis."""
    network = getattr(basis, "network", None)
    if network is not None:
        return network_pairs(network, companies, stations, max_distance_m=reach_m), "network"
    own = getattr(basis, "pairs", None)
    if callable(own):
        return own(companies, stations, max_distance_m=reach_m), str(getattr(basis, "name", "own"))
    name = str(getattr(basis, "name", basis))
    located = stations[~(stations.geometry.isna() | stations.geometry.is_empty).to_numpy()]
    firms = companies[~(companies.geometry.isna() | companies.geometry.is_empty).to_numpy()]
    if name in ("detour", "walk"):
        factor = float(getattr(basis, "factor", factor))
        pairs = straight_line_pairs(firms, located, max_distance_m=reach_m / factor)
        pairs["distance_m"] = pairs["distance_m"] * factor
        return pairs, f"detour (straight line x {factor:g})"
    text = "straight" if name == "straight" else f"straight (the basis {name} gives no pairs)"
    return straight_line_pairs(firms, located, max_distance_m=reach_m), text


def service_summary(
    atlas: Atlas,
    assignment: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    include: tuple[str, ...],
    in_service: np.ndarray,
    basis: object,
    detour_factor: float,
    district_ids: list[str],
    service_date: object = None,
    service_window: object = DEFAULT_WINDOW,
    ptal_params: PtalParameters | None = None,
    dg_params: DgRegioParameters | None = None,
) -> ServiceSummary | None:
    """Per-firm and per-district service columns of one scenario (None without service data).

    Parameters
    ----------
    atlas : Atlas
    assignment : pandas.DataFrame
        :func:`areas.assign_districts` of the firms.
    as_of, include, in_service
        The scenario: its date, included statuses and stops-in-service mask.
    basis, detour_factor
        The summary's distance basis (see the module docstring).
    district_ids : list of str
        The districts of the summary table, in order.
    service_date, service_window
        As :func:`areas.service_frequency` (``date``, ``window``).
    ptal_params, dg_params
        Overrides of :class:`PtalParameters` and :class:`DgRegioParameters`.
    """
    if not atlas.has_service:
        return None
    pp = ptal_params or PtalParameters()
    dp = dg_params or DgRegioParameters()
    checks = (("ptal_params", pp, PtalParameters), ("dg_params", dp, DgRegioParameters))
    for name, value, kind in checks:
        if not isinstance(value, kind):
            msg = f"`{name}` must be a {kind.__name__}, got {type(value).__name__}"
            raise ConfigError(msg)
    in_service = np.asarray(in_service, dtype=bool)
    freq, join, notes = _frequencies(
        atlas, in_service, as_of, include, service_date, service_window
    )
    freq, unknown = _with_unknown_stops(freq, atlas.stops[in_service], join)
    reach = max(pp.max_catchment_m, dp.train_metro_m, DEPARTURES_WITHIN_M)
    companies = atlas.companies
    ids = companies["company_id"].astype(str).tolist()
    pairs, basis_text = _pairs(companies, freq.stations, basis, detour_factor, reach)
    firms = firm_service(pairs, freq, firm_ids=ids, ptal_params=pp, dg_params=dp)
    unknown_set = set(unknown)
    near_unknown = pairs[
        pairs["stop_id"].astype(str).isin(unknown_set) & (pairs["distance_m"] <= pp.max_catchment_m)
    ]
    firms["service_unknown_stops"] = (
        near_unknown.groupby("company_id")["stop_id"].nunique().reindex(firms.index).fillna(0)
    ).astype(int)
    a = assignment.drop_duplicates("company_id")
    district_of = pd.Series(a["district_id"].to_numpy(), index=a["company_id"].astype(str))
    district_of = district_of[district_of.notna()]
    jobs = pd.Series(
        pd.to_numeric(companies["employees"], errors="coerce").to_numpy(dtype=float),
        index=companies["company_id"].astype(str).to_numpy(),
    )
    per = service_per_district(firms, district_of, jobs)
    unknown_firms = firms["departures_per_hour_600m"].isna()
    per["departures_per_hour_600m_unknown_companies"] = (
        (unknown_firms.groupby(district_of.reindex(firms.index).to_numpy()).sum())
        .reindex(per.index)
        .fillna(0)
        .astype(int)
    )
    per = per.reindex(pd.Index(district_ids, name="district_id"))
    per["departures_per_hour_600m_unknown_companies"] = (
        per["departures_per_hour_600m_unknown_companies"].fillna(0).astype(int)
    )
    per = per[district_columns()]
    fp = freq.params
    params = {
        "service_date": fp.get("service_date"),
        "service_window": list(fp.get("service_window", ())),
        "feed_period": list(fp["feed_period"]) if fp.get("feed_period") else None,
        "sources": dict(atlas.service_sources),
        "distance": basis_text,
        "departures_within_m": DEPARTURES_WITHIN_M,
        "ptal": _params_dict(pp),
        "dg_regio": _params_dict(dp),
        "stops_without_frequency_data": unknown,
        "lines_without_frequency_data": freq.no_data.to_dict("records"),
        "unjoined_stops": [] if join is None else join.unjoined.to_dict("records"),
        "notes": [*fp.get("notes", []), *notes],
    }
    return ServiceSummary(frequency=freq, firms=firms, districts=per, params=params, join=join)
