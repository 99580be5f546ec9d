"""Reading a GTFS feed (a ``.zip`` or a folder) and checking it before use.

The feed is read with `gtfs_kit <https://pypi.org/project/gtfs-kit/>`_, which
keeps every table as a pandas DataFrame with GTFS dtypes and applies the
calendar rules of the specification (``calendar.txt`` weekdays and date
ranges, then ``calendar_dates.txt`` additions and removals) in
:func:`gtfs_kit.trips.get_active_services`. gtfs_kit was chosen over
partridge because it is maintained (13.0.1, August 2026, against partridge's
last release in December 2023), runs on the pandas and geopandas versions the
toolkit requires, and expands ``frequencies.txt`` into ordinary trips
(:func:`gtfs_kit.miscellany.expand_frequencies`). Where gtfs_kit is lenient
the toolkit checks for itself, so a damaged feed is refused with the file,
the ids and the fix instead of being read as less service:

- a required file (``stops``, ``routes``, ``trips``, ``stop_times``, and
  ``calendar`` or ``calendar_dates``) absent or empty is an error;
- ``stop_times`` naming trips or stops that do not exist, ``trips`` naming
  unknown routes or services, ``parent_station`` naming unknown stops,
  ``frequencies`` naming unknown trips or a headway of 0, and times that are
  not ``H:MM:SS`` are errors listing the ids (gtfs_kit would skip or keep
  them silently);
- a path that does not exist is an error; gtfs_kit would try it as a URL.

Times past midnight (``25:10:00``, a trip of the service day running into the
next calendar day) are valid GTFS and are kept as seconds after the service
day's midnight (so 25:10:00 is 90,600 s).

Stops are grouped into stations by ``parent_station`` (a platform's
``parent_station`` is its station; a boarding area's parent is a platform,
whose parent is the station); a stop without a parent is its own station.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from areas.errors import (
    AreasWarning,
    ConfigError,
    DamagedFileError,
    MissingColumnError,
    MissingLayerError,
    SchemaError,
    format_ids,
)

__all__ = [
    "REQUIRED_FILES",
    "CALENDAR_FILES",
    "REQUIRED_COLUMNS",
    "ROUTE_TYPE_MODES",
    "GtfsFeed",
    "read_gtfs",
    "check_feed",
    "route_mode",
    "gtfs_seconds",
    "check_date_in_period",
]

#: Files every feed must have (``calendar.txt`` or ``calendar_dates.txt`` besides).
REQUIRED_FILES = ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
#: At least one of these must be present and not empty.
CALENDAR_FILES = ("calendar.txt", "calendar_dates.txt")
#: Columns the toolkit reads, per table.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "stops": ("stop_id",),
    "routes": ("route_id", "route_type"),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "stop_id", "stop_sequence"),
    "calendar": (
        "service_id",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "start_date",
        "end_date",
    ),
    "calendar_dates": ("service_id", "date", "exception_type"),
    "frequencies": ("trip_id", "start_time", "end_time", "headway_secs"),
}

#: GTFS ``route_type`` -> the toolkit's mode (:data:`areas.schema.MODES`).
#: Basic types of the GTFS reference and the extended (Google "Extended GTFS
#: Route Types", used by Rejseplanen) ranges: 100-117 railway (109 suburban
#: railway = S-train), 200-209 coach, 400-405 urban railway/metro, 700-716
#: bus, 800 trolleybus, 900-906 tram/light rail. Ferries, cable cars and
#: funiculars have no toolkit mode: their departures count in
#: ``departures_per_hour`` with ``mode`` missing, and PTAL leaves them out.
ROUTE_TYPE_MODES: dict[int, str] = {
    0: "light_rail",
    1: "metro",
    2: "regional_rail",
    3: "bus",
    5: "light_rail",
    11: "bus",
    12: "metro",
    **{t: "regional_rail" for t in range(100, 118)},
    109: "s_train",
    **{t: "bus" for t in range(200, 210)},
    400: "metro",
    401: "metro",
    402: "metro",
    403: "s_train",
    404: "s_train",
    405: "metro",
    **{t: "bus" for t in range(700, 717)},
    800: "bus",
    **{t: "light_rail" for t in range(900, 907)},
}

_TIME = re.compile(r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$")


def route_mode(route_type: object) -> str | None:
    """Return the toolkit's mode for a GTFS ``route_type`` (None when it has none).

    Examples
    --------
    >>> route_mode(109), route_mode(3), route_mode(900), route_mode(1000)
    ('s_train', 'bus', 'light_rail', None)
    """
    try:
        return ROUTE_TYPE_MODES.get(int(route_type))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def gtfs_seconds(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse GTFS times (``H:MM:SS``, hours may pass 23) to seconds after midnight.

    Returns ``(seconds, bad)``: float seconds (NaN where empty or bad) and a
    mask of the values that are present but not a GTFS time.

    Examples
    --------
    >>> import pandas as pd
    >>> s, bad = gtfs_seconds(pd.Series(["07:05:00", "25:10:00", None, "7h"]))
    >>> s[:2].tolist(), bad.tolist()
    ([25500.0, 90600.0], [False, False, False, True])
    """
    # Times repeat across a feed (at most a few thousand distinct values): parse each once.
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    text = pd.Series(uniques, dtype="string")
    parts = text.str.extract(_TIME)
    unique_seconds = (
        parts[0].astype("float64") * 3600
        + parts[1].astype("float64") * 60
        + parts[2].astype("float64")
    ).to_numpy(dtype=float)
    unique_bad = ((text.str.strip() != "") & parts[0].isna()).to_numpy(dtype=bool)
    present = codes >= 0
    seconds = np.full(len(codes), np.nan)
    seconds[present] = unique_seconds[codes[present]]
    bad = np.zeros(len(codes), dtype=bool)
    bad[present] = unique_bad[codes[present]]
    return seconds, bad


@dataclass(frozen=True)
class GtfsFeed:
    """A checked GTFS feed.

    Attributes
    ----------
    feed : gtfs_kit.Feed
        The tables as gtfs_kit read them (frequencies not expanded).
    path : str or None
        The file or folder read (None for a feed built in memory).
    sha256 : str or None
        SHA-256 of the ``.zip`` (None for a folder or a feed in memory).
    period : tuple of datetime.date
        First and last day of the feed's service period: ``feed_info.txt``'s
        ``feed_start_date``/``feed_end_date`` when both are given, else the
        span of ``calendar.txt`` and the dates added in ``calendar_dates.txt``.
    stop_times : pandas.DataFrame
        Every stop time after expanding ``frequencies.txt``, with
        ``trip_id``, ``stop_id``, ``station_id``, ``stop_sequence``,
        ``departure_s`` (seconds after the service day's midnight),
        ``boardable`` (not the trip's last stop and ``pickup_type`` not 1).
    trips : pandas.DataFrame
        ``trip_id``, ``route_id``, ``service_id``, ``direction`` (the
        ``direction_id``, else the ``trip_headsign``, else ``""``) after
        expanding ``frequencies.txt``.
    routes : pandas.DataFrame
        ``route_id``, ``route_name`` (short name, else long name, else id),
        ``route_type``, ``mode`` (:func:`route_mode`).
    stations : pandas.DataFrame
        One row per station: ``station_id``, ``name``, ``lat``, ``lon``,
        ``stop_ids`` (the stops grouped into it, ``;``-separated).
    notes : tuple of str
        What was repaired or assumed while reading (also issued as warnings).
    """

    feed: object
    path: str | None
    sha256: str | None
    period: tuple[dt.date, dt.date]
    stop_times: pd.DataFrame = field(repr=False)
    trips: pd.DataFrame = field(repr=False)
    routes: pd.DataFrame = field(repr=False)
    stations: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()

    def active_services(self, date: dt.date) -> set[str]:
        """Return the ``service_id`` values running on ``date`` (gtfs_kit's calendar rules)."""
        import gtfs_kit

        return set(gtfs_kit.trips.get_active_services(self.feed, date.strftime("%Y%m%d")))

    def label(self) -> str:
        """Where the feed came from, for messages."""
        return self.path or "GTFS feed"


# --------------------------------------------------------------------------- reading


def _file_names(path: Path) -> dict[str, int]:
    """Return GTFS table name -> size in bytes of the files in a zip or folder."""
    out: dict[str, int] = {}
    if path.is_dir():
        for p in path.iterdir():
            if p.is_file() and p.suffix == ".txt":
                out[p.name] = p.stat().st_size
        return out
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.is_dir() and info.filename.endswith(".txt"):
                    out[Path(info.filename).name] = info.file_size
    except (zipfile.BadZipFile, OSError) as exc:
        msg = (
            "is not a readable GTFS zip file "
            f"({exc}). Fix: give the feed's .zip as downloaded, or a folder of its .txt files"
        )
        raise DamagedFileError(msg, path=path) from exc
    return out


def _sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_gtfs(path: str | Path) -> GtfsFeed:
    """Read and check a GTFS feed: a ``.zip`` file or a folder of ``.txt`` files.

    Parameters
    ----------
    path : str or pathlib.Path
        The feed.

    Returns
    -------
    GtfsFeed

    Raises
    ------
    MissingLayerError
        The path does not exist, or a required file is absent or empty.
    DamagedFileError
        The file is not a zip, or a table cannot be parsed.
    SchemaError
        Columns are missing or ids do not match between tables.
    """
    p = Path(path)
    if not p.exists():
        msg = "does not exist. Fix: check the path of the GTFS feed (a .zip or a folder)"
        raise MissingLayerError(msg, path=p, layer="gtfs")
    files = _file_names(p)
    missing = [f for f in REQUIRED_FILES if not files.get(f)]
    if not any(files.get(f) for f in CALENDAR_FILES):
        missing.append(" or ".join(CALENDAR_FILES))
    if missing:
        present = ", ".join(sorted(files)) or "no .txt files"
        msg = (
            f"the GTFS feed lacks (or has empty) {', '.join(missing)}; present: {present}. "
            "Fix: use the complete feed as published (a GTFS feed needs stops, routes, "
            "trips, stop_times and a calendar)"
        )
        raise MissingLayerError(msg, path=p, layer="gtfs")
    import gtfs_kit

    try:
        feed = gtfs_kit.read_feed(p, dist_units="km")
    except (ValueError, TypeError, KeyError, OSError, UnicodeDecodeError) as exc:
        msg = (
            f"a table of the GTFS feed cannot be parsed ({exc}). Fix: check that ids, "
            "numbers and dates follow the GTFS reference (UTF-8 text, comma-separated)"
        )
        raise DamagedFileError(msg, path=p, layer="gtfs") from exc
    return check_feed(feed, path=p)


def _table(feed: object, name: str, where: str | None) -> pd.DataFrame:
    df = getattr(feed, name, None)
    if df is None:
        return pd.DataFrame(columns=list(REQUIRED_COLUMNS.get(name, ())))
    missing = [c for c in REQUIRED_COLUMNS.get(name, ()) if c not in df.columns]
    if missing:
        msg = (
            f"{name}.txt lacks the column(s) {', '.join(missing)}; present: "
            f"{', '.join(map(str, df.columns))}. Fix: add them as the GTFS reference defines them"
        )
        raise MissingColumnError(msg, path=where, layer="gtfs")
    return df


def _refuse_unknown(
    values: pd.Series,
    known: pd.Series,
    *,
    table: str,
    column: str,
    target: str,
    where: str | None,
    fix: str,
) -> None:
    unknown = pd.unique(values[~values.isin(known) & values.notna()].astype(str))
    if len(unknown):
        msg = (
            f"{table}.txt names {len(unknown)} `{column}` value(s) absent from {target}.txt: "
            f"{format_ids(sorted(unknown))}. Fix: {fix}"
        )
        raise SchemaError(msg, path=where, layer="gtfs", ids=sorted(unknown))


def _date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    try:
        return dt.datetime.strptime(str(value).strip(), "%Y%m%d").date()
    except ValueError:
        return None


def _period(feed: object, calendar: pd.DataFrame, dates: pd.DataFrame, where: str | None):
    info = getattr(feed, "feed_info", None)
    if info is not None and {"feed_start_date", "feed_end_date"} <= set(info.columns):
        start, end = _date(info["feed_start_date"].iloc[0]), _date(info["feed_end_date"].iloc[0])
        if start is not None and end is not None:
            return start, end
    days: list[dt.date] = []
    for col in ("start_date", "end_date"):
        parsed = [_date(v) for v in calendar[col]] if len(calendar) else []
        if any(d is None for d in parsed):
            bad = calendar.loc[[d is None for d in parsed], "service_id"].astype(str)
            msg = (
                f"calendar.txt has `{col}` values that are not YYYYMMDD dates for service(s) "
                f"{format_ids(bad)}. Fix: write dates as 20260810"
            )
            raise SchemaError(msg, path=where, layer="gtfs", ids=list(bad))
        days.extend(d for d in parsed if d is not None)
    if len(dates):
        added = dates.loc[dates["exception_type"].astype("Int64") == 1, "date"]
        parsed = [_date(v) for v in added]
        if any(d is None for d in parsed):
            msg = "calendar_dates.txt has `date` values that are not YYYYMMDD dates"
            raise SchemaError(msg, path=where, layer="gtfs")
        days.extend(d for d in parsed if d is not None)
    if not days:
        msg = (
            "the feed's calendar gives no day of service. Fix: add calendar.txt rows or "
            "calendar_dates.txt rows with exception_type 1"
        )
        raise SchemaError(msg, path=where, layer="gtfs")
    return min(days), max(days)


def _stations(stops: pd.DataFrame, where: str | None) -> tuple[pd.DataFrame, pd.Series]:
    """Return the stations table and stop_id -> station_id."""
    ids = stops["stop_id"].astype(str)
    parent = (
        stops["parent_station"].astype("string")
        if "parent_station" in stops.columns
        else pd.Series(pd.NA, index=stops.index, dtype="string")
    )
    parent = parent.where(parent.str.strip() != "", pd.NA)
    _refuse_unknown(
        parent,
        ids,
        table="stops",
        column="parent_station",
        target="stops",
        where=where,
        fix="give each parent_station the stop_id of a station row",
    )
    up = pd.Series(parent.to_numpy(), index=ids.to_numpy())
    station = pd.Series(ids.to_numpy(), index=ids.to_numpy())
    for _ in range(3):  # boarding area -> platform -> station
        nxt = up.reindex(station.to_numpy()).to_numpy()
        has = pd.notna(nxt)
        if not has.any():
            break
        station = station.where(~has, pd.Series(nxt, index=station.index))
    name_col = stops["stop_name"] if "stop_name" in stops.columns else ids
    lat = stops["stop_lat"] if "stop_lat" in stops.columns else pd.Series(np.nan, index=stops.index)
    lon = stops["stop_lon"] if "stop_lon" in stops.columns else pd.Series(np.nan, index=stops.index)
    info = pd.DataFrame(
        {
            "stop_id": ids.to_numpy(),
            "name": name_col.astype("string").to_numpy(),
            "lat": pd.to_numeric(lat, errors="coerce").to_numpy(dtype=float),
            "lon": pd.to_numeric(lon, errors="coerce").to_numpy(dtype=float),
            "station_id": station.to_numpy(),
        }
    )
    own = info.set_index("stop_id")
    members = info.groupby("station_id")["stop_id"].agg(lambda s: ";".join(sorted(s)))
    mean_xy = info.groupby("station_id")[["lat", "lon"]].mean()
    st = pd.DataFrame(index=members.index)
    st["name"] = own["name"].reindex(st.index)
    st["lat"] = own["lat"].reindex(st.index).fillna(mean_xy["lat"])
    st["lon"] = own["lon"].reindex(st.index).fillna(mean_xy["lon"])
    st["stop_ids"] = members
    st.index.name = "station_id"
    return st.reset_index(), pd.Series(info["station_id"].to_numpy(), index=info["stop_id"])


def _check_frequencies(freq: pd.DataFrame, trips: pd.DataFrame, where: str | None) -> None:
    _refuse_unknown(
        freq["trip_id"],
        trips["trip_id"],
        table="frequencies",
        column="trip_id",
        target="trips",
        where=where,
        fix="remove the frequencies rows or add their template trips",
    )
    h = pd.to_numeric(freq["headway_secs"], errors="coerce")
    bad = freq.loc[~(h > 0), "trip_id"].astype(str)
    if len(bad):
        msg = (
            f"frequencies.txt has a headway_secs of 0 or none for trip(s) {format_ids(bad)}. "
            "Fix: give the headway in seconds (600 for a vehicle every 10 minutes)"
        )
        raise SchemaError(msg, path=where, layer="gtfs", ids=list(bad))
    for col in ("start_time", "end_time"):
        _, wrong = gtfs_seconds(freq[col])
        if wrong.any():
            ids = freq.loc[wrong, "trip_id"].astype(str)
            msg = (
                f"frequencies.txt has `{col}` values that are not H:MM:SS for trip(s) "
                f"{format_ids(ids)}"
            )
            raise SchemaError(msg, path=where, layer="gtfs", ids=list(ids))


def _departure_seconds(st: pd.DataFrame, where: str | None) -> tuple[np.ndarray, list[str]]:
    dep, bad_d = gtfs_seconds(st["departure_time"]) if "departure_time" in st else (None, None)
    arr, bad_a = gtfs_seconds(st["arrival_time"]) if "arrival_time" in st else (None, None)
    if dep is None and arr is None:
        msg = "stop_times.txt has neither `departure_time` nor `arrival_time`"
        raise MissingColumnError(msg, path=where, layer="gtfs")
    bad = np.zeros(len(st), bool)
    for b in (bad_d, bad_a):
        if b is not None:
            bad |= b
    if bad.any():
        trips = pd.unique(st.loc[bad, "trip_id"].astype(str))
        msg = (
            f"stop_times.txt has times that are not H:MM:SS for trip(s) {format_ids(trips)}. "
            "Fix: write times as 07:05:00 (hours past 23 for trips after midnight: 25:10:00)"
        )
        raise SchemaError(msg, path=where, layer="gtfs", ids=list(trips))
    if dep is not None and arr is not None:
        secs: np.ndarray = np.where(np.isnan(dep), arr, dep)
    elif dep is not None:
        secs = dep
    else:
        secs = arr  # type: ignore[assignment]
    notes: list[str] = []
    missing = np.isnan(secs)
    if missing.any():
        # Non-timepoint stops may leave times empty: interpolate linearly by stop order.
        frame = pd.DataFrame({"trip_id": st["trip_id"].to_numpy(), "s": secs})
        filled = frame.groupby("trip_id", sort=False)["s"].transform(
            lambda s: s.interpolate(limit_area="inside")
        )
        secs = filled.to_numpy(dtype=float)
        still = np.isnan(secs)
        trips = pd.unique(st.loc[missing, "trip_id"].astype(str))
        notes.append(
            f"{int(missing.sum())} stop time(s) without a time were interpolated between "
            f"their trip's timed stops (trips {format_ids(trips)})"
        )
        if still.any():
            bad_trips = pd.unique(st.loc[still, "trip_id"].astype(str))
            msg = (
                f"stop_times.txt leaves the first or last time of trip(s) {format_ids(bad_trips)} "
                "empty, so their times cannot be known. Fix: give every trip's first and last "
                "stop a time"
            )
            raise SchemaError(msg, path=where, layer="gtfs", ids=list(bad_trips))
    return secs, notes


def _prepare(expanded: Any, routes: pd.DataFrame, station_of: pd.Series, where: str | None):
    """Return (stop_times, trips, routes, notes) as :class:`GtfsFeed` holds them."""
    est = expanded.stop_times.sort_values(["trip_id", "stop_sequence"], kind="stable")
    secs, notes = _departure_seconds(est, where)
    last = ~est["trip_id"].duplicated(keep="last").to_numpy()
    pickup = (
        pd.to_numeric(est["pickup_type"], errors="coerce").to_numpy(dtype=float)
        if "pickup_type" in est.columns
        else np.zeros(len(est))
    )
    stop_times = pd.DataFrame(
        {
            "trip_id": est["trip_id"].astype(str).to_numpy(),
            "stop_id": est["stop_id"].astype(str).to_numpy(),
            "station_id": station_of.reindex(est["stop_id"].astype(str)).to_numpy(),
            "stop_sequence": est["stop_sequence"].to_numpy(),
            "departure_s": secs,
            "boardable": ~last & (pickup != 1),
        }
    )
    etrips = expanded.trips
    if "direction_id" in etrips.columns and etrips["direction_id"].notna().all():
        direction = etrips["direction_id"].astype(str)
    elif "trip_headsign" in etrips.columns:
        direction = etrips["trip_headsign"].astype("string").fillna("").astype(str)
        notes.append("trips without direction_id: directions told apart by trip_headsign")
    else:
        direction = pd.Series("", index=etrips.index)
        notes.append("trips have neither direction_id nor trip_headsign: one direction assumed")
    trips_out = pd.DataFrame(
        {
            "trip_id": etrips["trip_id"].astype(str).to_numpy(),
            "route_id": etrips["route_id"].astype(str).to_numpy(),
            "service_id": etrips["service_id"].astype(str).to_numpy(),
            "direction": direction.to_numpy(),
        }
    )
    short = routes.get("route_short_name", pd.Series(pd.NA, index=routes.index)).astype("string")
    long_ = routes.get("route_long_name", pd.Series(pd.NA, index=routes.index)).astype("string")
    name = short.fillna(long_).fillna(routes["route_id"].astype("string"))
    routes_out = pd.DataFrame(
        {
            "route_id": routes["route_id"].astype(str).to_numpy(),
            "route_name": name.astype(str).to_numpy(),
            "route_type": routes["route_type"].to_numpy(),
            "mode": [route_mode(t) for t in routes["route_type"]],
        }
    )
    unmapped = routes_out.loc[routes_out["mode"].isna(), "route_id"]
    if len(unmapped):
        notes.append(
            f"route(s) {format_ids(unmapped)} have a route_type with no toolkit mode (ferry, "
            "cable car, ...): counted in departures_per_hour, left out of PTAL"
        )
    return stop_times, trips_out, routes_out, notes


def check_feed(feed: Any, *, path: str | Path | None = None) -> GtfsFeed:
    """Check a :class:`gtfs_kit.Feed` and prepare the tables the analyses use.

    Parameters
    ----------
    feed : gtfs_kit.Feed
        A feed as read by :func:`gtfs_kit.read_feed` (or built in memory).
    path : str or pathlib.Path, optional
        Where it came from, for messages.

    Returns
    -------
    GtfsFeed
    """
    import gtfs_kit

    where = str(path) if path is not None else None
    for name in ("stops", "routes", "trips", "stop_times"):
        if getattr(feed, name, None) is None or getattr(feed, name).empty:
            msg = f"the GTFS feed has no {name}.txt rows. Fix: use the complete feed"
            raise MissingLayerError(msg, path=where, layer="gtfs")
    stops = _table(feed, "stops", where)
    routes = _table(feed, "routes", where)
    trips = _table(feed, "trips", where)
    st = _table(feed, "stop_times", where)
    calendar = _table(feed, "calendar", where)
    cal_dates = _table(feed, "calendar_dates", where)
    if not len(calendar) and not len(cal_dates):
        msg = "the GTFS feed has neither calendar.txt nor calendar_dates.txt rows"
        raise MissingLayerError(msg, path=where, layer="gtfs")

    _refuse_unknown(
        st["trip_id"],
        trips["trip_id"],
        table="stop_times",
        column="trip_id",
        target="trips",
        where=where,
        fix="add the trips to trips.txt or remove their stop times",
    )
    _refuse_unknown(
        st["stop_id"],
        stops["stop_id"],
        table="stop_times",
        column="stop_id",
        target="stops",
        where=where,
        fix="add the stops to stops.txt or remove their stop times",
    )
    _refuse_unknown(
        trips["route_id"],
        routes["route_id"],
        table="trips",
        column="route_id",
        target="routes",
        where=where,
        fix="add the routes to routes.txt",
    )
    services = pd.concat([calendar["service_id"], cal_dates["service_id"]])
    _refuse_unknown(
        trips["service_id"],
        services,
        table="trips",
        column="service_id",
        target="calendar or calendar_dates",
        where=where,
        fix="give each service_id its days in calendar.txt or calendar_dates.txt",
    )
    freq = getattr(feed, "frequencies", None)
    if freq is not None and len(freq):
        _table(feed, "frequencies", where)
        _check_frequencies(freq, trips, where)
    period = _period(feed, calendar, cal_dates, where)
    stations, station_of = _stations(stops, where)

    expanded = gtfs_kit.miscellany.expand_frequencies(feed) if freq is not None else feed
    stop_times, trips_out, routes_out, notes = _prepare(expanded, routes, station_of, where)
    for note in notes:
        warnings.warn(f"{where or 'GTFS feed'}: {note}", AreasWarning, stacklevel=2)
    return GtfsFeed(
        feed=feed,
        path=str(path) if path is not None else None,
        sha256=_sha256(Path(path)) if path is not None else None,
        period=period,
        stop_times=stop_times,
        trips=trips_out,
        routes=routes_out,
        stations=stations,
        notes=tuple(notes),
    )


def check_date_in_period(feed: GtfsFeed, date: dt.date) -> None:
    """Refuse a date outside the feed's service period, naming the period."""
    start, end = feed.period
    if not start <= date <= end:
        msg = (
            f"the service date {date.isoformat()} lies outside the feed's service period "
            f"{start.isoformat()} → {end.isoformat()}. Fix: choose a `service_date` "
            "(--service-date) inside that period, or use a feed that covers the date"
        )
        raise ConfigError(msg, path=feed.path, layer="gtfs")
