"""Service frequency: departures per hour at stations, per firm, and a PTAL-style grade.

Counting departures
-------------------
- **What counts.** A departure is a stop time at which passengers can
  board: not the trip's last stop and ``pickup_type`` not 1. Every route and
  both directions count; platforms count for their ``parent_station``.
- **Service day and clock.** The window is clock time on ``date``. A trip
  runs on the service days its ``service_id`` is active (``calendar.txt``
  weekdays and dates, then ``calendar_dates.txt`` exceptions, by gtfs_kit). A
  time past midnight (``25:10:00``) is that many hours after the service
  day's midnight, so a trip of the previous service day departing at
  ``24:30:00`` **counts** in a 00:00-01:00 window on ``date`` (it runs at
  00:30 that calendar day); a window ending before it starts
  (``("23:00", "01:00")``) runs past midnight into the next day. Daylight
  saving changes are ignored (GTFS measures from noon minus 12 h).
- **frequencies.txt** trips are expanded by gtfs_kit to one trip per
  departure at ``start_time + n * headway_secs`` before ``end_time``, for
  ``exact_times`` 1 (exact) and 0 (headway-based: the count is exact, the
  minutes approximate).
- ``departures_per_hour`` = departures in the window / window length in hours.
- **Refusals.** A date outside the feed's service period is refused naming
  the period; a window in which no trip of the feed departs at all is
  refused (never reported as zero service everywhere).

Default date and window: the busiest Monday-Friday of the feed's period
(most trips running; ties: the earliest) and 07:00-09:00. For a service
table: ``as_of`` (default today), moved on to the next Monday when it falls
on a weekend.

PTAL and DG REGIO access: see :class:`PtalParameters` and
:class:`DgRegioParameters`, and :func:`firm_service` for the per-firm columns.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from areas.columns import PTAL_BAND_CODES
from areas.constants import DEFAULT_SERVICE_WINDOW
from areas.errors import AreasWarning, ConfigError, MissingColumnError, format_ids
from areas.load.gtfs import GtfsFeed, check_date_in_period, check_feed, read_gtfs
from areas.load.service_table import (
    HEADWAY_COLUMNS,
    check_service_table,
    lines_in_service,
    period_minutes,
    read_service_table,
)
from areas.schema import WEB_CRS, WORK_CRS

__all__ = [
    "DEFAULT_WINDOW",
    "NAME_JOIN_MAX_M",
    "DEPARTURES_WITHIN_M",
    "PTAL_BANDS",
    "DG_REGIO_CLASSES",
    "STATION_COLUMNS",
    "ROUTE_COLUMNS",
    "ServiceFrequency",
    "StopJoin",
    "PtalParameters",
    "DgRegioParameters",
    "parse_window",
    "default_service_date",
    "service_frequency",
    "combine_service",
    "join_stops",
    "straight_line_pairs",
    "ptal",
    "ptal_band",
    "dg_regio_access",
    "departures_within",
    "firm_service",
    "service_per_district",
]

#: Columns of :attr:`ServiceFrequency.stations` (besides the geometry), in order.
STATION_COLUMNS = (
    "station_id",
    "name",
    "stop_ids",
    "modes",
    "routes",
    "departures",
    "departures_per_hour",
    "no_frequency_data",
)
#: Columns of :attr:`ServiceFrequency.routes`, in order.
ROUTE_COLUMNS = (
    "station_id",
    "route_id",
    "route_name",
    "mode",
    "departures",
    "departures_per_hour",
    "frequency_per_hour",
)
#: Default window: the morning peak, 07:00-09:00.
DEFAULT_WINDOW = DEFAULT_SERVICE_WINDOW
#: Largest distance (m) at which a GTFS station joins a layer stop by name.
NAME_JOIN_MAX_M = 150.0
#: Walking distance (m) of ``departures_per_hour_600m``: the Fingerplan's station-near core.
DEPARTURES_WITHIN_M = 600.0
#: PTAL bands, lowest first.
PTAL_BANDS = PTAL_BAND_CODES
#: DG REGIO classes of access, best first.
DG_REGIO_CLASSES = ("high", "medium", "low", "none")

SECONDS_PER_DAY = 86_400


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ServiceFrequency:
    """Departures per station in a window.

    Attributes
    ----------
    stations : geopandas.GeoDataFrame
        One row per station (EPSG:25832): ``station_id`` (the GTFS parent
        station, or the stop itself; for a service table the stops layer's
        ``stop_id``), ``name``, ``stop_ids`` (the GTFS stops grouped into it,
        ``;``-separated), ``modes``, ``routes`` (number of routes departing),
        ``departures``, ``departures_per_hour`` (NaN: no frequency data),
        ``no_frequency_data`` (lines of a service table without a headway for
        the window, ``;``-separated).
    routes : pandas.DataFrame
        One row per station and route: ``station_id``, ``route_id``,
        ``route_name``, ``mode``, ``departures``, ``departures_per_hour``
        (both directions) and ``frequency_per_hour`` (the busier direction:
        the frequency PTAL uses).
    params : dict
        ``source``, ``service_date``, ``service_window``, ``window_hours``,
        ``as_of``, ``include``, ``notes``.
    no_data : pandas.DataFrame
        Lines (``line``, ``reason``) of a service table with no frequency data.
    """

    stations: gpd.GeoDataFrame
    routes: pd.DataFrame
    params: dict = field(default_factory=dict)
    no_data: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"line": [], "reason": []}))

    def rekey(self, join: StopJoin) -> ServiceFrequency:
        """Return the frequencies keyed by the stops layer's ``stop_id`` (joined stops only)."""
        m = join.matches[["stop_id", "station_id"]]
        st = self.stations.drop(columns="geometry").merge(m, on="station_id")
        st = st.drop(columns="station_id").rename(columns={"stop_id": "station_id"})
        geo = self.stations.set_index("station_id").geometry
        geom = geo.reindex(m.set_index("stop_id").reindex(st["station_id"])["station_id"])
        stations = gpd.GeoDataFrame(st, geometry=list(geom), crs=WORK_CRS)
        routes = self.routes.merge(m, on="station_id").drop(columns="station_id")
        routes = routes.rename(columns={"stop_id": "station_id"})
        return replace(self, stations=stations, routes=routes[self.routes.columns])


@dataclass(frozen=True)
class StopJoin:
    """GTFS stations joined to the stops layer.

    Attributes
    ----------
    matches : pandas.DataFrame
        ``stop_id`` (layer), ``station_id`` (GTFS), ``joined_by``
        (``"gtfs_stop_id"`` or ``"name_distance"``), ``distance_m``.
    unjoined : pandas.DataFrame
        Layer stops without a station: ``stop_id``, ``name``, ``reason``.
    max_distance_m : float
        The largest distance of a name join.
    """

    matches: pd.DataFrame
    unjoined: pd.DataFrame
    max_distance_m: float


# --------------------------------------------------------------------------- window and date


_HHMM = re.compile(r"^\s*(\d{1,2}):([0-5]\d)\s*$")


def parse_window(window: object) -> tuple[int, int]:
    """Return a window as ``(start, end)`` minutes after midnight of the service date.

    ``window`` is a pair of ``"HH:MM"`` strings or one ``"HH:MM-HH:MM"``
    string (the command line's form). An end at or before the start runs
    past midnight (``("23:00", "01:00")`` is 23:00-25:00).

    Examples
    --------
    >>> parse_window(("07:00", "09:00")), parse_window("23:30-00:30")
    ((420, 540), (1410, 1470))
    """
    pair = window.split("-") if isinstance(window, str) else window
    try:
        a, b = (str(v) for v in pair)  # type: ignore[attr-defined]
        ma, mb = _HHMM.match(a), _HHMM.match(b)
        if ma is None or mb is None:
            raise ValueError
        start = int(ma[1]) * 60 + int(ma[2])
        end = int(mb[1]) * 60 + int(mb[2])
        if start >= 24 * 60 or end > 24 * 60:
            raise ValueError
    except (TypeError, ValueError) as exc:
        msg = (
            '`service_window` must be two times "HH:MM" such as ("07:00", "09:00") '
            f"(command line: --service-window 07:00-09:00), got {window!r}"
        )
        raise ConfigError(msg) from exc
    if end <= start:
        end += 24 * 60
    return start, end


def _as_date(date: object, what: str = "service_date") -> dt.date:
    try:
        ts = pd.Timestamp(date)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        msg = f"`{what}` must be a date such as 2026-09-02, got {date!r}"
        raise ConfigError(msg) from exc
    if ts is pd.NaT:
        msg = f"`{what}` must be a date such as 2026-09-02, got {date!r}"
        raise ConfigError(msg)
    return ts.date()


def default_service_date(feed: GtfsFeed) -> dt.date:
    """Return the busiest Monday-Friday of the feed's period (ties: the earliest)."""
    start, end = feed.period
    per_service = feed.trips.groupby("service_id").size()
    best, best_n = None, -1
    day = start
    while day <= end:
        if day.weekday() < 5:
            n = int(per_service.reindex(list(feed.active_services(day))).fillna(0).sum())
            if n > best_n:
                best, best_n = day, n
        day += dt.timedelta(days=1)
    if best is None:
        msg = (
            f"the feed's service period {start} → {end} has no Monday-Friday. "
            "Fix: give `service_date` (--service-date)"
        )
        raise ConfigError(msg, path=feed.path, layer="gtfs")
    return best


# --------------------------------------------------------------------------- GTFS


def _gtfs_departures(feed: GtfsFeed, date: dt.date, start: int, end: int) -> pd.DataFrame:
    st = feed.stop_times[feed.stop_times["boardable"].to_numpy()]
    w0, w1 = start * 60, end * 60
    back = int(np.nanmax(st["departure_s"].to_numpy()) // SECONDS_PER_DAY) if len(st) else 0
    forward = int((w1 - 1) // SECONDS_PER_DAY)
    trips = feed.trips
    parts = []
    secs = st["departure_s"].to_numpy()
    for offset in range(-back, forward + 1):
        services = feed.active_services(date + dt.timedelta(days=offset))
        if not services:
            continue
        running = trips.loc[trips["service_id"].isin(services), "trip_id"]
        # a departure at service-day time t is at clock t + offset days on `date`
        clock = secs + offset * SECONDS_PER_DAY
        mask = st["trip_id"].isin(running).to_numpy() & (clock >= w0) & (clock < w1)
        if mask.any():
            parts.append(st.loc[mask, ["trip_id", "station_id"]])
    if not parts:
        return pd.DataFrame({"trip_id": [], "station_id": []}, dtype=str)
    return pd.concat(parts, ignore_index=True)


def _station_geometry(lon: np.ndarray, lat: np.ndarray) -> gpd.GeoSeries:
    pts = gpd.points_from_xy(lon, lat, crs=WEB_CRS)
    return gpd.GeoSeries(pts, crs=WEB_CRS).to_crs(WORK_CRS)


def _gtfs_frequency(feed: GtfsFeed, date: dt.date, start: int, end: int) -> ServiceFrequency:
    check_date_in_period(feed, date)
    hours = (end - start) / 60
    deps = _gtfs_departures(feed, date, start, end)
    if deps.empty:
        msg = (
            f"no trip of the feed departs on {date.isoformat()} between "
            f"{_clock(start)} and {_clock(end)}: a window with no service at all. Fix: choose "
            "another `service_window` (--service-window) or a `service_date` with service "
            f"(the feed's period is {feed.period[0]} → {feed.period[1]})"
        )
        raise ConfigError(msg, path=feed.path, layer="gtfs")
    deps = deps.merge(feed.trips[["trip_id", "route_id", "direction"]], on="trip_id")
    deps = deps.merge(feed.routes[["route_id", "route_name", "mode"]], on="route_id", how="left")
    per_dir = deps.groupby(["station_id", "route_id", "direction"]).size()
    keys = ["station_id", "route_id"]
    routes = deps.groupby(keys, dropna=False).agg(
        route_name=("route_name", "first"), mode=("mode", "first"), departures=("trip_id", "size")
    )
    routes["departures_per_hour"] = routes["departures"] / hours
    routes["frequency_per_hour"] = per_dir.groupby(level=keys).max().reindex(routes.index) / hours
    routes = routes.reset_index()

    served = feed.stop_times.loc[feed.stop_times["boardable"].to_numpy(), "station_id"].unique()
    st = feed.stations[feed.stations["station_id"].isin(served)].copy()
    counts = routes.groupby("station_id")["departures"].sum()
    st["departures"] = counts.reindex(st["station_id"]).fillna(0).astype(int).to_numpy()
    st["departures_per_hour"] = st["departures"] / hours
    modes = routes.groupby("station_id")["mode"].agg(
        lambda s: ";".join(sorted({m for m in s if isinstance(m, str)}))
    )
    st["modes"] = modes.reindex(st["station_id"]).fillna("").to_numpy()
    st["routes"] = (
        routes.groupby("station_id").size().reindex(st["station_id"]).fillna(0).astype(int)
    ).to_numpy()
    st["no_frequency_data"] = ""
    geometry = _station_geometry(st["lon"].to_numpy(), st["lat"].to_numpy())
    cols = list(STATION_COLUMNS)
    stations = gpd.GeoDataFrame(
        st[cols].reset_index(drop=True), geometry=geometry.to_numpy(), crs=WORK_CRS
    )
    params = {
        "source": feed.label(),
        "source_sha256": feed.sha256,
        "feed_period": (feed.period[0].isoformat(), feed.period[1].isoformat()),
        "notes": list(feed.notes),
    }
    return ServiceFrequency(stations=stations, routes=routes, params=params)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --------------------------------------------------------------------------- service table


def _table_minutes(date: dt.date, start: int, end: int) -> dict[str | None, float]:
    minutes = period_minutes(date, start, min(end, 24 * 60))
    if end > 24 * 60:
        later = period_minutes(date + dt.timedelta(days=1), 0, end - 24 * 60)
        for k, v in later.items():
            minutes[k] = minutes.get(k, 0.0) + v
    return minutes


def _table_frequency(
    table: pd.DataFrame,
    stops: pd.DataFrame | None,
    date: dt.date,
    start: int,
    end: int,
    as_of: object,
    include: Iterable[str],
) -> ServiceFrequency:
    hours = (end - start) / 60
    minutes = _table_minutes(date, start, end)
    rows = table[lines_in_service(table, as_of if as_of is not None else date, include)]
    if rows.empty and len(table):
        warnings.warn(
            f"service table: none of its {len(table)} row(s) counts on "
            f"{as_of if as_of is not None else date} with include={tuple(include)!r}",
            AreasWarning,
            stacklevel=3,
        )
    route_rows, no_data = [], []
    for _, row in rows.iterrows():
        per_direction = 0.0
        reason = None
        for period, m in minutes.items():
            h = np.nan if period is None else row[HEADWAY_COLUMNS[period]]
            if period is None:
                reason = "the window reaches 00:00-06:00, which no period covers"
            elif pd.isna(h):
                reason = f"no headway for the {period} period"
            else:
                per_direction += m / h
        if reason is not None:
            no_data.append({"line": row["line"], "reason": reason})
        ends = set(row["termini"])
        for stop in row["stops"]:
            directions = 1 if stop in ends else 2
            deps = np.nan if reason else per_direction * directions
            route_rows.append(
                {
                    "station_id": stop,
                    "route_id": row["line"],
                    "route_name": row["line"],
                    "mode": row["mode"],
                    "departures": deps,
                    "departures_per_hour": deps / hours,
                    "frequency_per_hour": np.nan if reason else per_direction / hours,
                }
            )
    routes = pd.DataFrame(
        route_rows,
        columns=list(ROUTE_COLUMNS),
    )
    missing = pd.DataFrame(no_data, columns=["line", "reason"])
    if len(missing):
        reasons = "; ".join(sorted(set(missing["reason"])))
        warnings.warn(
            "service table: no frequency data for line(s) "
            f"{format_ids(missing['line'])} in the window ({reasons}): "
            "their stops show no frequency data, not zero",
            AreasWarning,
            stacklevel=3,
        )
    grouped = routes.groupby("station_id", sort=True)
    st = pd.DataFrame({"station_id": sorted(set(routes["station_id"]))})
    st["departures"] = grouped["departures"].sum(min_count=1).reindex(st["station_id"]).to_numpy()
    all_missing = grouped["departures"].apply(lambda s: s.isna().all())
    st.loc[all_missing.reindex(st["station_id"]).to_numpy(), "departures"] = np.nan
    st["departures_per_hour"] = st["departures"] / hours
    st["modes"] = (
        grouped["mode"].agg(lambda s: ";".join(sorted(set(s)))).reindex(st["station_id"]).to_numpy()
    )
    st["routes"] = grouped.size().reindex(st["station_id"]).to_numpy()
    nd = (
        routes[routes["departures"].isna()]
        .groupby("station_id")["route_id"]
        .agg(lambda s: ";".join(sorted(set(s))))
    )
    st["no_frequency_data"] = nd.reindex(st["station_id"]).fillna("").to_numpy()
    st["stop_ids"] = st["station_id"]
    if stops is not None:
        layer = stops.set_index(stops["stop_id"].astype(str))
        st["name"] = layer["name"].reindex(st["station_id"]).to_numpy()
        geo = gpd.GeoSeries(layer.geometry, crs=stops.crs).to_crs(WORK_CRS)
        geometry = geo.reindex(st["station_id"]).to_numpy()
    else:
        st["name"] = st["station_id"]
        geometry = [None] * len(st)
    cols = list(STATION_COLUMNS)
    stations = gpd.GeoDataFrame(st[cols], geometry=list(geometry), crs=WORK_CRS)
    return ServiceFrequency(
        stations=stations,
        routes=routes,
        params={"source": "service table", "notes": []},
        no_data=missing,
    )


# --------------------------------------------------------------------------- entry point


def _is_service_table(source: object) -> bool:
    if isinstance(source, pd.DataFrame):
        return True
    return isinstance(source, (str, Path)) and Path(source).suffix.lower() in (".csv", ".tsv")


def service_frequency(
    gtfs_or_table: object,
    *,
    date: object = None,
    window: object = DEFAULT_WINDOW,
    stops: gpd.GeoDataFrame | None = None,
    as_of: object = None,
    include: Iterable[str] = (),
) -> ServiceFrequency:
    """Departures per hour at every station in a window on a date.

    Parameters
    ----------
    gtfs_or_table : str, pathlib.Path, GtfsFeed, gtfs_kit.Feed or pandas.DataFrame
        A GTFS feed (a ``.zip`` or folder path, or a feed already loaded),
        or a service table (a ``.csv`` path or a DataFrame; see
        :mod:`areas.load.service_table`).
    date : date-like, optional
        The service date. Default: for a feed the busiest Monday-Friday of
        its period; for a service table ``as_of`` (today when None), moved on
        to Monday when on a weekend.
    window : pair of str or str, default ("07:00", "09:00")
        Clock times ``"HH:MM"`` (see :func:`parse_window`).
    stops : geopandas.GeoDataFrame, optional
        The stops layer; a service table uses it for its lines' stops, names
        and positions.
    as_of, include
        Which service-table rows count (as :mod:`areas.scenario`); ``as_of``
        defaults to ``date``. Ignored for a GTFS feed, whose calendar decides.

    Returns
    -------
    ServiceFrequency
    """
    start, end = parse_window(window)
    if _is_service_table(gtfs_or_table):
        table = (
            read_service_table(gtfs_or_table, stops=stops)
            if isinstance(gtfs_or_table, (str, Path))
            else check_service_table(gtfs_or_table, stops=stops)
        )
        if date is None:
            day = _as_date(as_of if as_of is not None else dt.date.today(), "as_of")
            day += dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)
        else:
            day = _as_date(date)
        result = _table_frequency(table, stops, day, start, end, as_of, include)
    else:
        if isinstance(gtfs_or_table, GtfsFeed):
            feed = gtfs_or_table
        elif isinstance(gtfs_or_table, (str, Path)):
            feed = read_gtfs(gtfs_or_table)
        else:
            feed = check_feed(gtfs_or_table)
        day = default_service_date(feed) if date is None else _as_date(date)
        result = _gtfs_frequency(feed, day, start, end)
    params = dict(result.params)
    params.update(
        service_date=day.isoformat(),
        service_window=(_clock(start), _clock(end % (24 * 60)) if end != 24 * 60 else "24:00"),
        window_hours=(end - start) / 60,
        as_of=None if as_of is None else _as_date(as_of, "as_of").isoformat(),
        include=tuple(include),
    )
    return replace(result, params=params)


def combine_service(*results: ServiceFrequency) -> ServiceFrequency:
    """Put several results together (a feed's service and planned lines); same window.

    Departures of a station present in several results add up; a route id
    present in several is kept from each (give planned lines their own names).
    """
    if not results:
        msg = "`combine_service` needs at least one result"
        raise ConfigError(msg)
    hours = {r.params.get("window_hours") for r in results}
    if len(hours) > 1:
        msg = f"results to combine must share one window; got {sorted(map(str, hours))} hours"
        raise ConfigError(msg)
    routes = pd.concat([r.routes for r in results], ignore_index=True)
    st = pd.concat([r.stations for r in results], ignore_index=True)
    g = st.groupby("station_id", sort=False)
    out = g.agg(
        name=("name", "first"),
        stop_ids=("stop_ids", "first"),
        modes=("modes", lambda s: ";".join(sorted({m for v in s for m in str(v).split(";") if m}))),
        routes=("routes", "sum"),
        departures=("departures", lambda s: s.sum(min_count=1)),
        departures_per_hour=("departures_per_hour", lambda s: s.sum(min_count=1)),
        no_frequency_data=("no_frequency_data", lambda s: ";".join(sorted({v for v in s if v}))),
    ).reset_index()
    geometry = g.geometry.first().reindex(out["station_id"]).to_numpy()
    stations = gpd.GeoDataFrame(out, geometry=list(geometry), crs=WORK_CRS)
    params = dict(results[0].params)
    params["source"] = " + ".join(str(r.params.get("source")) for r in results)
    no_data = pd.concat([r.no_data for r in results], ignore_index=True)
    return ServiceFrequency(stations=stations, routes=routes, params=params, no_data=no_data)


# --------------------------------------------------------------------------- joining stops


def _tokens(name: object) -> frozenset[str]:
    text = unicodedata.normalize("NFC", str(name)).casefold()
    text = re.sub(r"[^\wæøå]+", " ", text)
    return frozenset(t for t in text.split() if t)


def join_stops(
    service: ServiceFrequency, stops: gpd.GeoDataFrame, *, max_distance_m: float = NAME_JOIN_MAX_M
) -> StopJoin:
    """Join the stations of a GTFS result to the stops layer.

    A layer stop with a ``gtfs_stop_id`` joins the station with that id (or
    the station one of whose platforms has it). Any other joins the nearest
    station within ``max_distance_m`` (default 150 m) whose name matches: the
    words of one name (case and punctuation ignored) are all in the other,
    so "Glostrup st." joins "Glostrup St." and "Glostrup Nord (– Hersted)"
    joins "Glostrup Nord - Hersted". A station serving the stop's own mode
    wins over a nearer one that does not. Every layer stop that joins none is
    listed in a warning and in :attr:`StopJoin.unjoined`.
    """
    st = service.stations
    layer = stops.to_crs(WORK_CRS) if stops.crs is not None else stops
    ids = layer["stop_id"].astype(str).to_numpy()
    by_platform: dict[str, str] = {}
    for sid, members in zip(st["station_id"], st["stop_ids"], strict=True):
        by_platform[str(sid)] = str(sid)
        for m in str(members).split(";"):
            by_platform.setdefault(m, str(sid))
    gtfs_col = (
        layer["gtfs_stop_id"].astype("string").str.strip()
        if "gtfs_stop_id" in layer.columns
        else pd.Series(pd.NA, index=layer.index, dtype="string")
    )
    xy_st = np.column_stack([st.geometry.x.to_numpy(), st.geometry.y.to_numpy()])
    ok = np.isfinite(xy_st).all(axis=1)
    tree = cKDTree(xy_st[ok]) if ok.any() else None
    st_rows = np.flatnonzero(ok)
    st_tokens = [_tokens(n) for n in st["name"]]
    st_modes = [set(str(m).split(";")) for m in st["modes"]]
    matches, unjoined = [], []
    for i, sid in enumerate(ids):
        geom = layer.geometry.iloc[i]
        gid = gtfs_col.iloc[i]
        if pd.notna(gid) and gid != "":
            station = by_platform.get(str(gid))
            if station is None:
                unjoined.append((sid, layer["name"].iloc[i], f"gtfs_stop_id {gid} not in the feed"))
                continue
            j = int(np.flatnonzero(st["station_id"].astype(str).to_numpy() == station)[0])
            d = float(geom.distance(st.geometry.iloc[j])) if geom is not None else np.nan
            matches.append((sid, station, "gtfs_stop_id", d))
            continue
        if tree is None or geom is None or geom.is_empty:
            unjoined.append((sid, layer["name"].iloc[i], "no position or no station in the feed"))
            continue
        near = tree.query_ball_point([geom.x, geom.y], r=max_distance_m)
        words = _tokens(layer["name"].iloc[i])
        mode = str(layer["mode"].iloc[i]) if "mode" in layer.columns else ""
        best = None
        for k in near:
            j = int(st_rows[k])
            t = st_tokens[j]
            if not t or not words or not (t <= words or words <= t):
                continue
            d = float(math.hypot(xy_st[j, 0] - geom.x, xy_st[j, 1] - geom.y))
            key = (mode not in st_modes[j], d, str(st["station_id"].iloc[j]))
            if best is None or key < best[0]:
                best = (key, j, d)
        if best is None:
            unjoined.append(
                (sid, layer["name"].iloc[i], f"no station of that name within {max_distance_m:g} m")
            )
        else:
            matches.append((sid, str(st["station_id"].iloc[best[1]]), "name_distance", best[2]))
    m = pd.DataFrame(matches, columns=["stop_id", "station_id", "joined_by", "distance_m"])
    u = pd.DataFrame(unjoined, columns=["stop_id", "name", "reason"])
    if len(u):
        warnings.warn(
            f"{len(u)} stop(s) of the stops layer could not be joined to the GTFS feed "
            f"(no frequency data for them): {format_ids(u['stop_id'])}. Fix: give them a "
            f"`gtfs_stop_id`, or a name and position within {max_distance_m:g} m of the "
            "feed's station",
            AreasWarning,
            stacklevel=2,
        )
    return StopJoin(matches=m, unjoined=u, max_distance_m=float(max_distance_m))


# --------------------------------------------------------------------------- distances


def straight_line_pairs(
    companies: gpd.GeoDataFrame, stations: gpd.GeoDataFrame, *, max_distance_m: float = 960.0
) -> pd.DataFrame:
    """Return every (firm, station) pair within ``max_distance_m`` in a straight line.

    The long table PTAL and :func:`departures_within` take: ``company_id``,
    ``stop_id`` (the station's ``station_id``), ``distance_m``. A walking
    network gives the same table with walking distances.
    """
    firms = companies.to_crs(WORK_CRS)
    st = stations.to_crs(WORK_CRS)
    fxy = np.column_stack([firms.geometry.x.to_numpy(), firms.geometry.y.to_numpy()])
    sxy = np.column_stack([st.geometry.x.to_numpy(), st.geometry.y.to_numpy()])
    fok, sok = np.isfinite(fxy).all(axis=1), np.isfinite(sxy).all(axis=1)
    cols = ["company_id", "stop_id", "distance_m"]
    if not fok.any() or not sok.any():
        return pd.DataFrame({c: [] for c in cols})
    frows, srows = np.flatnonzero(fok), np.flatnonzero(sok)
    tree = cKDTree(sxy[sok])
    hits = tree.query_ball_point(fxy[fok], r=max_distance_m)
    fi = np.repeat(frows, [len(h) for h in hits])
    si = srows[np.concatenate([np.asarray(h, dtype=np.intp) for h in hits])] if len(fi) else fi
    d = np.hypot(fxy[fi, 0] - sxy[si, 0], fxy[fi, 1] - sxy[si, 1])
    return pd.DataFrame(
        {
            "company_id": firms["company_id"].astype(str).to_numpy()[fi],
            "stop_id": st["station_id"].astype(str).to_numpy()[si],
            "distance_m": d,
        }
    )


def _check_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("company_id", "stop_id", "distance_m") if c not in pairs.columns]
    if missing:
        msg = (
            f"the distance table lacks {', '.join(missing)}; it needs company_id, stop_id "
            "(a station_id of the frequency table) and distance_m"
        )
        raise MissingColumnError(msg, layer="pairs")
    out = pairs[["company_id", "stop_id", "distance_m"]].copy()
    out["company_id"] = out["company_id"].astype(str)
    out["stop_id"] = out["stop_id"].astype(str)
    out["distance_m"] = pd.to_numeric(out["distance_m"], errors="coerce")
    bad = out["distance_m"].isna() | (out["distance_m"] < 0)
    if bad.any():
        msg = (
            "the distance table has missing or negative `distance_m` for firm(s) "
            f"{format_ids(out.loc[bad, 'company_id'].unique())}"
        )
        raise ConfigError(msg, ids=list(out.loc[bad, "company_id"].unique()))
    return out


# --------------------------------------------------------------------------- PTAL


@dataclass(frozen=True)
class PtalParameters:
    """Parameters of the PTAL accessibility index, after Transport for London.

    Sources: Transport for London, *PTAL methodology* (2010) and *Assessing
    transport connectivity in London* (2015), the method guides of the
    London Plan; the figures below are those guides' as summarised in the
    public descriptions of the method (the guides themselves could not be
    consulted while this was written: check them before quoting a band as
    TfL's).

    Attributes
    ----------
    walk_speed_m_per_min : float, default 80.0
        Walking speed, 80 m/min (4.8 km/h).
    bus_catchment_m, rail_catchment_m : float, default 640.0 and 960.0
        Walking distance to a bus stop (8 min) and to a rail, Underground,
        DLR or tram station (12 min) beyond which a stop does not count.
    bus_reliability_min, rail_reliability_min : float, default 2.0 and 0.75
        Reliability margin added to the waiting time: 2 min for buses,
        0.75 min for rail-based modes.
    waiting_factor : float, default 0.5
        Scheduled waiting time SWT = ``waiting_factor`` x 60 / frequency
        (half the headway, the frequency being the busier direction's
        departures per hour).
    edf_minutes : float, default 30.0
        Equivalent doorstep frequency EDF = ``edf_minutes`` / total access
        time, TAT = walk time + SWT + reliability margin.
    other_routes_weight : float, default 0.5
        Per PTAL mode the route with the highest EDF counts fully and every
        other route with this weight: AI_mode = EDF_max + 0.5 x sum(others).
        AI = sum over modes. Each route counts once, at its stop with the
        highest EDF.
    modes : tuple of (str, str, str)
        Toolkit mode -> (PTAL mode, catchment group ``"bus"`` or ``"rail"``):
        bus and BRT are TfL's bus; light rail is TfL's tram (rail catchment
        and margin); metro is the Underground; S-train and regional rail are
        National Rail.
    bands : tuple of (float, str)
        Upper bounds of the bands: AI 0 is band 0; (0, 2.5] 1a; (2.5, 5] 1b;
        (5, 10] 2; (10, 15] 3; (15, 20] 4; (20, 25] 5; (25, 40] 6a; above 6b.
    """

    walk_speed_m_per_min: float = 80.0
    bus_catchment_m: float = 640.0
    rail_catchment_m: float = 960.0
    bus_reliability_min: float = 2.0
    rail_reliability_min: float = 0.75
    waiting_factor: float = 0.5
    edf_minutes: float = 30.0
    other_routes_weight: float = 0.5
    modes: tuple[tuple[str, str, str], ...] = (
        ("bus", "bus", "bus"),
        ("brt", "bus", "bus"),
        ("light_rail", "tram", "rail"),
        ("metro", "underground", "rail"),
        ("s_train", "rail", "rail"),
        ("regional_rail", "rail", "rail"),
    )
    bands: tuple[tuple[float, str], ...] = (
        (0.0, "0"),
        (2.5, "1a"),
        (5.0, "1b"),
        (10.0, "2"),
        (15.0, "3"),
        (20.0, "4"),
        (25.0, "5"),
        (40.0, "6a"),
        (math.inf, "6b"),
    )

    def mode_table(self) -> pd.DataFrame:
        """Toolkit mode -> ``ptal_mode``, ``catchment_m``, ``reliability_min``."""
        rows = []
        for mode, ptal_mode, group in self.modes:
            bus = group == "bus"
            rows.append(
                {
                    "mode": mode,
                    "ptal_mode": ptal_mode,
                    "catchment_m": self.bus_catchment_m if bus else self.rail_catchment_m,
                    "reliability_min": self.bus_reliability_min
                    if bus
                    else self.rail_reliability_min,
                }
            )
        return pd.DataFrame(rows)

    @property
    def max_catchment_m(self) -> float:
        """The longest catchment: the distance a pairs table must reach."""
        return max(self.bus_catchment_m, self.rail_catchment_m)


def ptal_band(ai: object, params: PtalParameters | None = None) -> object:
    """Return the PTAL band of an accessibility index (a number or an array).

    Examples
    --------
    >>> [ptal_band(x) for x in (0, 0.01, 2.5, 2.51, 10, 40, 40.01)]
    ['0', '1a', '1a', '1b', '2', '6a', '6b']
    """
    p = params or PtalParameters()
    bounds = np.array([b for b, _ in p.bands], dtype=float)
    labels = np.array([lab for _, lab in p.bands], dtype=object)
    values = np.asarray(ai, dtype=float)
    idx = np.searchsorted(bounds, values, side="left")
    out = labels[np.minimum(idx, len(labels) - 1)]
    out = np.where(np.isnan(values), np.array(None, dtype=object), out)
    return out.item() if out.ndim == 0 else out


def _route_frequencies(routes: pd.DataFrame) -> pd.DataFrame:
    need = ["station_id", "route_id", "mode", "frequency_per_hour"]
    missing = [c for c in need if c not in routes.columns]
    if missing:
        msg = f"the route frequency table lacks {', '.join(missing)}; it needs {', '.join(need)}"
        raise MissingColumnError(msg, layer="routes")
    out = routes[need].copy()
    out["station_id"] = out["station_id"].astype(str)
    out["route_id"] = out["route_id"].astype(str)
    return out


def ptal(
    pairs: pd.DataFrame,
    routes: pd.DataFrame | ServiceFrequency,
    *,
    params: PtalParameters | None = None,
    firm_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """PTAL accessibility index and band per firm.

    Parameters
    ----------
    pairs : pandas.DataFrame
        ``company_id``, ``stop_id`` (a ``station_id`` of ``routes``),
        ``distance_m`` (walking, detour or straight-line: the caller's basis),
        for every station within :attr:`PtalParameters.max_catchment_m`.
    routes : pandas.DataFrame or ServiceFrequency
        Per station and route: ``station_id``, ``route_id``, ``mode``,
        ``frequency_per_hour`` (:attr:`ServiceFrequency.routes`).
    params : PtalParameters, optional
    firm_ids : iterable of str, optional
        Every firm to report (those without a station in reach get AI 0).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``company_id``: ``ptal_ai``, ``ptal_band``, ``ptal_routes``
        (routes counted), ``ptal_no_data_routes`` (routes in reach without
        frequency data, left out: the index is then a lower bound).

    Examples
    --------
    One bus route every 10 minutes 320 m away: walk 320 / 80 = 4 min, wait
    0.5 x 10 = 5 min, margin 2 min, TAT 11 min, EDF 30 / 11 = 2.73, band 1b:

    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"company_id": ["f"], "stop_id": ["s"], "distance_m": [320.0]})
    >>> routes = pd.DataFrame({"station_id": ["s"], "route_id": ["1"], "mode": ["bus"],
    ...                        "frequency_per_hour": [6.0]})
    >>> out = ptal(pairs, routes)
    >>> round(float(out.loc["f", "ptal_ai"]), 2), out.loc["f", "ptal_band"]
    (2.73, '1b')
    """
    p = params or PtalParameters()
    table = routes.routes if isinstance(routes, ServiceFrequency) else routes
    fr = _route_frequencies(table).merge(p.mode_table(), on="mode", how="inner")
    pr = _check_pairs(pairs)
    j = pr.merge(fr, left_on="stop_id", right_on="station_id")
    j = j[j["distance_m"] <= j["catchment_m"]]
    no_data = j[j["frequency_per_hour"].isna()]
    j = j[j["frequency_per_hour"] > 0]
    walk = j["distance_m"] / p.walk_speed_m_per_min
    swt = p.waiting_factor * 60.0 / j["frequency_per_hour"]
    tat = walk + swt + j["reliability_min"]
    j = j.assign(edf=p.edf_minutes / tat)
    per_route = j.groupby(["company_id", "ptal_mode", "route_id"])["edf"].max().reset_index()
    g = per_route.groupby(["company_id", "ptal_mode"])["edf"]
    ai_mode = g.max() + p.other_routes_weight * (g.sum() - g.max())
    ai = ai_mode.groupby(level="company_id").sum()
    ids = pd.Index(pr["company_id"].unique() if firm_ids is None else [str(f) for f in firm_ids])
    out = pd.DataFrame(index=ids.rename("company_id"))
    out["ptal_ai"] = ai.reindex(out.index).fillna(0.0).to_numpy(dtype=float)
    out["ptal_band"] = ptal_band(out["ptal_ai"].to_numpy(), p)
    out["ptal_routes"] = (
        per_route.groupby("company_id").size().reindex(out.index).fillna(0).astype(int)
    )
    out["ptal_no_data_routes"] = (
        no_data.groupby("company_id")["route_id"].nunique().reindex(out.index).fillna(0).astype(int)
    )
    return out


# --------------------------------------------------------------------------- DG REGIO


@dataclass(frozen=True)
class DgRegioParameters:
    """The European Commission's (DG REGIO) class of access to public transport.

    Source: H. Poelman & L. Dijkstra, *Measuring access to public transport
    in European cities*, DG REGIO Regional Working Paper 01/2015, and H.
    Poelman, *Towards harmonised indicators on access to urban public
    transport in Europe* (DG REGIO, 2016): stops within a 5-minute walk (bus,
    tram) or a 10-minute walk (train, metro) on the street network; stops
    near each other are clustered and their departures summed; where service
    areas overlap the highest value counts; frequency classes by average
    departures per hour on a normal weekday 06:00-20:00: high > 10, medium
    4-10, low < 4, none without a stop in walking distance.

    The 5 and 10 minutes are taken as 500 m and 1,000 m, the distances
    DG REGIO's later work (Working Paper 01/2020) and the UN SDG indicator
    11.2.1 use; the working paper states minutes, not metres. A frequency of
    exactly 10 is medium and exactly 4 is medium (the source says "more than
    4 but less than 10" and leaves the edges open). A station with no
    departure in the window counts as none. The window is the one the
    frequencies were computed for: give 06:00-20:00 for DG REGIO's own
    figure. Light rail counts with bus and tram (DG REGIO's "tram").
    """

    bus_tram_m: float = 500.0
    train_metro_m: float = 1000.0
    high_above: float = 10.0
    medium_from: float = 4.0
    bus_tram_modes: tuple[str, ...] = ("bus", "brt", "light_rail")
    train_metro_modes: tuple[str, ...] = ("metro", "s_train", "regional_rail")


def dg_regio_access(
    pairs: pd.DataFrame,
    routes: pd.DataFrame | ServiceFrequency,
    *,
    params: DgRegioParameters | None = None,
    firm_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """DG REGIO class of access per firm.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``company_id``: ``dg_regio_departures_per_hour`` (the best
        station cluster in walking distance: departures per hour of its
        bus/tram or of its train/metro routes) and ``dg_regio_access``
        (``high``, ``medium``, ``low``, ``none``).
    """
    p = params or DgRegioParameters()
    table = routes.routes if isinstance(routes, ServiceFrequency) else routes
    need = ["station_id", "mode", "departures_per_hour"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        msg = f"the route frequency table lacks {', '.join(missing)}"
        raise MissingColumnError(msg, layer="routes")
    t = table[need].copy()
    t["station_id"] = t["station_id"].astype(str)
    group = np.where(
        t["mode"].isin(p.bus_tram_modes),
        "bus_tram",
        np.where(t["mode"].isin(p.train_metro_modes), "train_metro", ""),
    )
    t = t.assign(group=group)[group != ""]
    per = t.groupby(["station_id", "group"])["departures_per_hour"].sum(min_count=1).reset_index()
    per["reach_m"] = np.where(per["group"] == "bus_tram", p.bus_tram_m, p.train_metro_m)
    j = _check_pairs(pairs).merge(per, left_on="stop_id", right_on="station_id")
    j = j[j["distance_m"] <= j["reach_m"]]
    best = j.groupby("company_id")["departures_per_hour"].max()
    ids = pd.Index(
        _check_pairs(pairs)["company_id"].unique()
        if firm_ids is None
        else [str(f) for f in firm_ids]
    )
    out = pd.DataFrame(index=ids.rename("company_id"))
    v = best.reindex(out.index)
    has = j.groupby("company_id").size().reindex(out.index).fillna(0) > 0
    v = v.where(has, 0.0)
    out["dg_regio_departures_per_hour"] = v.to_numpy(dtype=float)
    cls = np.select(
        [v > p.high_above, v >= p.medium_from, v > 0, v == 0],
        ["high", "medium", "low", "none"],
        default="",
    )
    out["dg_regio_access"] = pd.Series(cls, index=out.index).replace("", None)
    return out


# --------------------------------------------------------------------------- per firm


def departures_within(
    pairs: pd.DataFrame,
    stations: pd.DataFrame | ServiceFrequency,
    *,
    max_distance_m: float = DEPARTURES_WITHIN_M,
    firm_ids: Iterable[str] | None = None,
) -> pd.Series:
    """Sum of departures per hour of the stations within ``max_distance_m`` of each firm.

    A station without frequency data makes the firm's value NaN (unknown),
    never a smaller number; a firm with no station in reach has 0.
    """
    st = stations.stations if isinstance(stations, ServiceFrequency) else stations
    dph = pd.Series(
        st["departures_per_hour"].to_numpy(dtype=float),
        index=st["station_id"].astype(str).to_numpy(),
    )
    pr = _check_pairs(pairs)
    pr = pr[(pr["distance_m"] <= max_distance_m) & pr["stop_id"].isin(dph.index)]
    values = pr.assign(v=dph.reindex(pr["stop_id"]).to_numpy())
    total = values.groupby("company_id")["v"].sum(min_count=1)
    unknown = values.groupby("company_id")["v"].apply(lambda s: s.isna().any())
    total[unknown.reindex(total.index).fillna(False).astype(bool)] = np.nan
    ids = pd.Index(pr["company_id"].unique() if firm_ids is None else [str(f) for f in firm_ids])
    name = f"departures_per_hour_{max_distance_m:g}m"
    out = total.reindex(ids)
    reached = ids.isin(values["company_id"])
    out[~reached] = 0.0
    out.index.name = "company_id"
    return out.rename(name)


def firm_service(
    pairs: pd.DataFrame,
    service: ServiceFrequency,
    *,
    firm_ids: Iterable[str] | None = None,
    within_m: float = DEPARTURES_WITHIN_M,
    ptal_params: PtalParameters | None = None,
    dg_params: DgRegioParameters | None = None,
) -> pd.DataFrame:
    """Every per-firm service column in one table.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``company_id``: ``departures_per_hour_600m`` (for the
        default ``within_m``), ``ptal_ai``, ``ptal_band``, ``ptal_routes``,
        ``ptal_no_data_routes``, ``dg_regio_departures_per_hour``,
        ``dg_regio_access``.
    """
    ids = list(dict.fromkeys(str(f) for f in firm_ids)) if firm_ids is not None else None
    if ids is None:
        ids = list(_check_pairs(pairs)["company_id"].unique())
    dep = departures_within(pairs, service, max_distance_m=within_m, firm_ids=ids)
    pt = ptal(pairs, service, params=ptal_params, firm_ids=ids)
    dg = dg_regio_access(pairs, service, params=dg_params, firm_ids=ids)
    return pd.concat([dep, pt, dg], axis=1)


def service_per_district(
    firms: pd.DataFrame,
    district_of: Mapping[str, object] | pd.Series,
    employees: Mapping[str, object] | pd.Series | None = None,
    *,
    bands: Iterable[str] = PTAL_BANDS,
) -> pd.DataFrame:
    """Per district: medians of the firm columns and the shares of firms and jobs per band.

    Parameters
    ----------
    firms : pandas.DataFrame
        :func:`firm_service`'s result (indexed by ``company_id``).
    district_of : mapping or pandas.Series
        ``company_id`` -> ``district_id`` (missing: outside every district, left out).
    employees : mapping or pandas.Series, optional
        ``company_id`` -> employees (missing count as 0).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``district_id``: ``departures_per_hour_600m_median``,
        ``ptal_ai_median``, ``ptal_<band>_companies_share`` and
        ``ptal_<band>_employees_share`` for every band.
    """
    d = pd.Series(district_of).astype("string")
    d.index = d.index.astype(str)
    frame = firms.copy()
    frame.index = frame.index.astype(str)
    frame["district_id"] = d.reindex(frame.index).to_numpy()
    emp = pd.Series(employees) if employees is not None else pd.Series(dtype=float)
    emp.index = emp.index.astype(str)
    frame["employees"] = pd.to_numeric(emp.reindex(frame.index), errors="coerce").fillna(0)
    frame = frame[frame["district_id"].notna()]
    g = frame.groupby("district_id")
    out = pd.DataFrame(index=sorted(frame["district_id"].unique()))
    out.index.name = "district_id"
    dep_col = next((c for c in frame.columns if c.startswith("departures_per_hour_")), None)
    if dep_col is not None:
        # a median over firms with unknown frequency is unknown
        out[f"{dep_col}_median"] = g[dep_col].apply(
            lambda s: np.nan if s.isna().any() else float(s.median())
        )
    out["ptal_ai_median"] = g["ptal_ai"].median()
    n = g.size()
    jobs = g["employees"].sum()
    for band in bands:
        is_band = frame["ptal_band"] == band
        out[f"ptal_{band}_companies_share"] = is_band.groupby(frame["district_id"]).sum() / n
        band_jobs = frame["employees"].where(is_band, 0).groupby(frame["district_id"]).sum()
        out[f"ptal_{band}_employees_share"] = (band_jobs / jobs.where(jobs > 0)).to_numpy()
    return out
