"""The service table: headways of lines that exist only in plans.

A service table says how often a planned (or what-if) line runs, without
editing a GTFS feed. One row per line version:

=================== =====================================================
``line``            the line's name (rows sharing a name are versions of one line)
``mode``            one of :data:`areas.schema.MODES`
``stops``           the stops it serves, in order, as ``stop_id`` values of the
                    stops layer separated by ``;`` (or a list); empty: the
                    stops whose ``line`` column equals ``line``, in layer order
``headway_min_peak``, ``headway_min_day``, ``headway_min_evening``
                    minutes between departures in each direction in each
                    period (empty: no frequency data, never a guess);
                    ``headway_min_weekend`` optionally
``termini``          optional: the listed stops at which the line ends
                    (``;``-separated); departures there count in one
                    direction, at every other stop in both (a table may
                    list only the stops inside the study area)
``valid_from``, ``valid_to``
                    the dates the row holds (empty: no limit on that side)
``status``          ``existing``, ``planned``, ``study`` or ``withdrawn``
=================== =====================================================

A long form with ``period`` and ``headway_min`` columns (one row per line
and period) is accepted too and turned into the wide form.

Periods (:data:`PERIODS`), on the clock of the service date:

- ``peak``: Monday-Friday 07:00-09:00 and 15:00-17:00;
- ``day``: Monday-Friday 06:00-07:00, 09:00-15:00 and 17:00-19:00;
- ``evening``: every day 19:00-24:00;
- ``weekend``: Saturday and Sunday 06:00-19:00.

00:00-06:00 belongs to no period: a window there has no frequency data.

Which rows count on ``as_of`` follows :mod:`areas.scenario`: a row counts
once ``valid_from <= as_of`` (an ``existing`` row with no ``valid_from``
always), a ``planned`` or ``study`` row with no date or a later one only when
its status is in ``include``, ``withdrawn`` never, and no row after its
``valid_to``. When several versions of one line count, a version counted
only through ``include`` (the plan) replaces the others; otherwise the one
with the latest ``valid_from`` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from areas.errors import (
    ConfigError,
    DamagedFileError,
    MissingColumnError,
    MissingLayerError,
    SchemaError,
    format_ids,
)
from areas.scenario import resolve_as_of, resolve_include, stops_in_service
from areas.schema import MODES, STATUSES

__all__ = [
    "PERIODS",
    "PERIOD_NAMES",
    "HEADWAY_COLUMNS",
    "REQUIRED_COLUMNS",
    "read_service_table",
    "check_service_table",
    "lines_in_service",
    "period_minutes",
]

#: Period -> (days it applies: 0 = Monday ... 6 = Sunday, clock intervals in minutes).
PERIODS: dict[str, tuple[tuple[int, ...], tuple[tuple[int, int], ...]]] = {
    "peak": ((0, 1, 2, 3, 4), ((7 * 60, 9 * 60), (15 * 60, 17 * 60))),
    "day": ((0, 1, 2, 3, 4), ((6 * 60, 7 * 60), (9 * 60, 15 * 60), (17 * 60, 19 * 60))),
    "evening": ((0, 1, 2, 3, 4, 5, 6), ((19 * 60, 24 * 60),)),
    "weekend": ((5, 6), ((6 * 60, 19 * 60),)),
}
#: The periods, in column order.
PERIOD_NAMES = tuple(PERIODS)
#: Headway column of each period.
HEADWAY_COLUMNS = {p: f"headway_min_{p}" for p in PERIOD_NAMES}
#: Columns a service table must have.
REQUIRED_COLUMNS = ("line", "mode", "status")


def period_minutes(date: dt.date, start_min: int, end_min: int) -> dict[str | None, float]:
    """Split a window on ``date`` into minutes per period (``None``: no period).

    Examples
    --------
    >>> import datetime as dt
    >>> period_minutes(dt.date(2026, 9, 2), 6 * 60, 8 * 60)  # a Wednesday
    {'peak': 60.0, 'day': 60.0}
    """
    out: dict[str | None, float] = {}
    covered = 0.0
    weekday = date.weekday()
    for name, (days, spans) in PERIODS.items():
        if weekday not in days:
            continue
        for a, b in spans:
            overlap = max(0, min(b, end_min) - max(a, start_min))
            if overlap:
                out[name] = out.get(name, 0.0) + float(overlap)
                covered += overlap
    rest = (end_min - start_min) - covered
    if rest > 0:
        out[None] = float(rest)
    return out


def read_service_table(path: str | Path, *, stops: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read a service table from a CSV file (``,`` or ``;`` separated, UTF-8).

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.
    stops : pandas.DataFrame, optional
        The stops layer, to resolve and check the stops of each line.

    Returns
    -------
    pandas.DataFrame
        As :func:`check_service_table`.
    """
    p = Path(path)
    if not p.is_file():
        msg = "does not exist. Fix: check the path of the service table"
        raise MissingLayerError(msg, path=p, layer="service")
    try:
        frame = pd.read_csv(
            p, sep=None, engine="python", dtype=str, encoding="utf-8-sig", keep_default_na=False
        )
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        msg = f"cannot be read as a CSV service table ({exc}). Fix: save it as UTF-8 CSV"
        raise DamagedFileError(msg, path=p, layer="service") from exc
    return check_service_table(frame, stops=stops, path=p)


def _long_to_wide(frame: pd.DataFrame, where: str | None) -> pd.DataFrame:
    bad = sorted(set(frame["period"].astype(str)) - set(PERIOD_NAMES))
    if bad:
        msg = (
            f"`period` takes {', '.join(PERIOD_NAMES)}; got {', '.join(bad)}. "
            "Fix: name each row's period"
        )
        raise SchemaError(msg, path=where, layer="service")
    keys = [c for c in frame.columns if c not in ("period", "headway_min")]
    wide = frame.pivot_table(
        index=keys, columns="period", values="headway_min", aggfunc="first", dropna=False
    ).reset_index()
    wide.columns.name = None
    return wide.rename(columns={p: HEADWAY_COLUMNS[p] for p in PERIOD_NAMES})


def _stop_list(value: object) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ()
    if isinstance(value, str):
        parts = value.replace("|", ";").split(";")
    elif isinstance(value, Iterable):
        parts = [str(v) for v in value]
    else:
        parts = [str(value)]
    return tuple(s.strip() for s in parts if s.strip())


def _headways(frame: pd.DataFrame, where: str | None) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for col in HEADWAY_COLUMNS.values():
        raw = frame[col] if col in frame.columns else pd.Series("", index=frame.index)
        text = raw.astype("string").str.strip().str.replace(",", ".", regex=False)
        text = text.where(text != "", pd.NA)
        values = pd.to_numeric(text, errors="coerce")
        unreadable = text.notna() & values.isna()
        zero = values.notna() & ~(values > 0)
        if unreadable.any() or zero.any():
            lines = frame.loc[unreadable | zero, "line"].astype(str)
            msg = (
                f"`{col}` must be a positive number of minutes; line(s) {format_ids(lines)} "
                "have 0, a negative or an unreadable value. Fix: give the minutes between "
                "departures in each direction (10 for every 10 minutes), or leave it empty "
                "when no source gives it (no frequency data)"
            )
            raise SchemaError(msg, path=where, layer="service", ids=list(lines))
        out[col] = values.astype(float)
    return out


def _dates(frame: pd.DataFrame, col: str, where: str | None) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    text = frame[col].astype("string").str.strip()
    text = text.where(text != "", pd.NA)
    parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    bad = text.notna() & parsed.isna()
    if bad.any():
        lines = frame.loc[bad, "line"].astype(str)
        msg = f"`{col}` is not a date for line(s) {format_ids(lines)}. Fix: write 2025-10-26"
        raise SchemaError(msg, path=where, layer="service", ids=list(lines))
    return parsed.dt.normalize()


def check_service_table(
    frame: pd.DataFrame, *, stops: pd.DataFrame | None = None, path: str | Path | None = None
) -> pd.DataFrame:
    """Check a service table and return it in the toolkit's form.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (wide or long form, see the module docstring).
    stops : pandas.DataFrame, optional
        The stops layer: resolves empty ``stops`` through its ``line`` column
        and checks that every listed stop exists.
    path : str or pathlib.Path, optional
        The file, for messages.

    Returns
    -------
    pandas.DataFrame
        ``line``, ``mode``, ``stops`` (tuple of stop ids, in order),
        ``termini`` (tuple of stop ids), one
        ``headway_min_<period>`` float column per period (NaN: no frequency
        data), ``valid_from``, ``valid_to`` (dates), ``status``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = check_service_table(pd.DataFrame({
    ...     "line": ["L"], "mode": ["light_rail"], "stops": ["a;b;c"],
    ...     "headway_min_peak": ["5"], "status": ["planned"]}))
    >>> row = t.loc[0]
    >>> row["stops"], float(row["headway_min_peak"]), bool(pd.isna(row["headway_min_day"]))
    (('a', 'b', 'c'), 5.0, True)
    """
    where = str(path) if path is not None else None
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    if "period" in frame.columns and "headway_min" in frame.columns:
        frame = _long_to_wide(frame, where)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        msg = (
            f"the service table lacks the column(s) {', '.join(missing)}; present: "
            f"{', '.join(frame.columns)}. Fix: add them (line, mode, stops, "
            f"{', '.join(HEADWAY_COLUMNS.values())}, valid_from, valid_to, status)"
        )
        raise MissingColumnError(msg, path=where, layer="service")
    line = frame["line"].astype("string").str.strip()
    if line.isna().any() or (line == "").any():
        msg = "the service table has rows without `line`. Fix: name every line"
        raise SchemaError(msg, path=where, layer="service")
    for col, valid in (("mode", MODES), ("status", STATUSES)):
        values = frame[col].astype("string").str.strip()
        bad = ~values.isin(valid)
        if bad.any():
            msg = (
                f"`{col}` takes {', '.join(valid)}; line(s) {format_ids(line[bad])} have "
                f"{', '.join(sorted(set(values[bad].fillna('(empty)'))))}"
            )
            raise SchemaError(msg, path=where, layer="service", ids=list(line[bad]))
    out = pd.DataFrame(
        {
            "line": line.astype(str).to_numpy(),
            "mode": frame["mode"].astype(str).str.strip().to_numpy(),
            "stops": [
                _stop_list(v)
                for v in (frame["stops"] if "stops" in frame.columns else [None] * len(frame))
            ],
        }
    )
    out["termini"] = [
        _stop_list(v)
        for v in (frame["termini"] if "termini" in frame.columns else [None] * len(frame))
    ]
    out = pd.concat([out, _headways(frame, where).reset_index(drop=True)], axis=1)
    out["valid_from"] = _dates(frame, "valid_from", where).to_numpy()
    out["valid_to"] = _dates(frame, "valid_to", where).to_numpy()
    out["status"] = frame["status"].astype(str).str.strip().to_numpy()
    _resolve_stops(out, stops, where)
    return out


def _resolve_stops(table: pd.DataFrame, stops: pd.DataFrame | None, where: str | None) -> None:
    """Fill empty ``stops`` from the layer's ``line`` column; refuse lines with none."""
    known = None if stops is None else set(stops["stop_id"].astype(str))
    empty: list[str] = []
    unknown: dict[str, list[str]] = {}
    for i, row in table.iterrows():
        ids: Sequence[str] = row["stops"]
        if not ids and stops is not None and "line" in stops.columns:
            on_line = stops["line"].astype("string").str.strip() == row["line"]
            ids = tuple(stops.loc[on_line.fillna(False).to_numpy(), "stop_id"].astype(str))
            table.at[i, "stops"] = ids
        if not ids:
            empty.append(row["line"])
        else:
            outside = [s for s in row["termini"] if s not in ids]
            if outside:
                msg = (
                    f"line {row['line']} names termini it does not serve: "
                    f"{', '.join(outside)}. Fix: list termini among the line's stops"
                )
                raise SchemaError(msg, path=where, layer="service", ids=outside)
        if ids and known is not None:
            bad = [s for s in ids if s not in known]
            if bad:
                unknown[row["line"]] = bad
    if empty:
        hint = (
            "the stops layer has no stop with that `line`"
            if stops is not None
            else "no stops layer was given to look the line up in"
        )
        msg = (
            f"line(s) {format_ids(empty)} serve no stops ({hint}). Fix: list the stop_id "
            "values in the `stops` column (separated by ;) or set the stops' `line` column"
        )
        raise SchemaError(msg, path=where, layer="service", ids=empty)
    if unknown:
        pairs = [f"{line}: {', '.join(ids)}" for line, ids in unknown.items()]
        msg = (
            f"the service table names stops absent from the stops layer ({'; '.join(pairs)}). "
            "Fix: use the stops layer's stop_id values"
        )
        ids = [s for v in unknown.values() for s in v]
        raise SchemaError(msg, path=where, layer="service", ids=ids)


def lines_in_service(
    table: pd.DataFrame, as_of: object = None, include: Iterable[str] = ()
) -> np.ndarray:
    """Return a boolean mask of the rows that count on ``as_of`` (one version per line).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"line": ["LR", "LR", "BRT"],
    ...                   "status": ["existing", "planned", "study"],
    ...                   "valid_from": pd.to_datetime(["2025-10-26", None, None]),
    ...                   "valid_to": pd.to_datetime([None, None, None])})
    >>> lines_in_service(t, "2026-01-01").tolist()
    [True, False, False]
    >>> lines_in_service(t, "2026-01-01", include=["planned"]).tolist()
    [False, True, False]
    """
    ts = resolve_as_of(as_of)
    inc = resolve_include(include)
    as_stops = pd.DataFrame(
        {
            "status": table["status"].astype(str).to_numpy(),
            "opens": pd.to_datetime(table["valid_from"]).to_numpy(),
        }
    )
    counts = stops_in_service(as_stops, ts, inc)
    ends = pd.to_datetime(table["valid_to"]).dt.normalize()
    counts &= (ends.isna() | (ends >= ts)).to_numpy()
    opened = as_stops["opens"].notna() & (as_stops["opens"] <= ts)
    undated_existing = as_stops["opens"].isna() & (as_stops["status"] == "existing")
    by_include = counts & ~(opened | undated_existing).to_numpy()
    rank = pd.DataFrame(
        {
            "line": table["line"].astype(str).to_numpy(),
            "counts": counts,
            "plan": by_include,
            "start": as_stops["opens"].fillna(pd.Timestamp("1900-01-01")).to_numpy(),
            "row": np.arange(len(table)),
        }
    )
    chosen = (
        rank[rank["counts"]]
        .sort_values(["line", "plan", "start", "row"], kind="stable")
        .groupby("line")["row"]
        .last()
    )
    out = np.zeros(len(table), dtype=bool)
    out[chosen.to_numpy()] = True
    return out


def check_window_date(date: object) -> dt.date:
    """Return ``date`` as a :class:`datetime.date` or raise :class:`ConfigError`."""
    try:
        return resolve_as_of(date).date()
    except ConfigError as exc:
        msg = f"`service_date` must be a date such as 2026-09-02, got {date!r}"
        raise ConfigError(msg) from exc
