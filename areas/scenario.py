"""Dated scenarios: which stops, BIDs and rewilding plots count on a date.

Rules (the same for every analysis, map and report):

- A stop counts once it has opened (``opens <= as_of``), whatever its status
  other than ``withdrawn``; an ``existing`` stop with no date always counts. A
  ``planned`` or ``study`` stop with no date, or opening after ``as_of``, counts
  only when its status is in ``include``. ``withdrawn`` never counts.
- A BID is active when ``start <= as_of <= end``; no ``end`` means still active.
- A rewilding plot counts when ``established <= as_of`` (no date: never, and
  the plot is reported as excluded by the analysis).

Dates are compared by calendar day: a time of day in the data (a GeoPackage
``DATETIME`` or ``2025-10-26T05:00``) is dropped, so a stop opening at 05:00
on 2025-10-26 counts ``as_of`` 2025-10-26, like ``as_of`` itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd

from areas.errors import ConfigError
from areas.schema import STATUSES

__all__ = [
    "DateLike",
    "resolve_as_of",
    "resolve_include",
    "stops_in_service",
    "active_bids",
    "plots_established",
    "ScenarioMasks",
    "scenario_masks",
]

#: What ``as_of`` accepts: a date, a timestamp or ISO text; ``None`` is today.
DateLike: TypeAlias = str | dt.date | pd.Timestamp | np.datetime64 | None


def resolve_as_of(as_of: object = None) -> pd.Timestamp:
    """Return ``as_of`` as a normalised :class:`pandas.Timestamp` (today when None).

    Examples
    --------
    >>> resolve_as_of("2023-06-30")
    Timestamp('2023-06-30 00:00:00')
    """
    if as_of is None:
        return pd.Timestamp(dt.date.today())
    from areas.dates import resolve_date  # the one date parser: day first

    return resolve_date(as_of, "as_of")


def resolve_include(include: Iterable[str] | str | None = ()) -> tuple[str, ...]:
    """Check and return the statuses to include beyond ``existing``.

    Examples
    --------
    >>> resolve_include(["planned"])
    ('planned',)
    """
    if include is None:
        return ()
    if isinstance(include, str):
        include = (include,)
    out = tuple(dict.fromkeys(str(s) for s in include))
    bad = [s for s in out if s not in STATUSES or s == "withdrawn"]
    if bad:
        valid = ", ".join(s for s in STATUSES if s != "withdrawn")
        msg = f"`include` takes statuses among {valid}; got {', '.join(bad)}"
        raise ConfigError(msg)
    return out


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return the column as calendar days (midnight; NaT where missing)."""
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column]).dt.normalize()


def stops_in_service(
    stops: pd.DataFrame, as_of: DateLike = None, include: Iterable[str] = ()
) -> np.ndarray:
    """Return a boolean mask of the stops that count on ``as_of``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"status": ["existing", "planned", "planned", "withdrawn"],
    ...                   "opens": pd.to_datetime([None, "2025-10-26", None, "2020-01-01"])})
    >>> stops_in_service(s, "2026-01-01").tolist()
    [True, True, False, False]
    >>> stops_in_service(s, "2026-01-01", include=["planned"]).tolist()
    [True, True, True, False]
    """
    ts = resolve_as_of(as_of)
    inc = resolve_include(include)
    status = stops["status"].astype(str)
    opens = _dates(stops, "opens")
    opened = (opens.notna() & (opens <= ts)).to_numpy()
    undated_existing = (opens.isna() & (status == "existing")).to_numpy()
    included = status.isin(inc).to_numpy()
    withdrawn = (status == "withdrawn").to_numpy()
    return (opened | undated_existing | included) & ~withdrawn


def active_bids(bids: pd.DataFrame, as_of: DateLike = None) -> np.ndarray:
    """Return a boolean mask of the BIDs active on ``as_of``.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"start": pd.to_datetime(["2021-05-01", "2019-01-01"]),
    ...                   "end": pd.to_datetime(["2023-12-31", None])})
    >>> active_bids(b, "2024-06-01").tolist()
    [False, True]
    """
    ts = resolve_as_of(as_of)
    start = _dates(bids, "start")
    end = _dates(bids, "end")
    return (start.notna() & (start <= ts) & (end.isna() | (end >= ts))).to_numpy()


def plots_established(rewilding: pd.DataFrame, as_of: DateLike = None) -> np.ndarray:
    """Return a boolean mask of the rewilding plots established by ``as_of``."""
    ts = resolve_as_of(as_of)
    est = _dates(rewilding, "established")
    return (est.notna() & (est <= ts)).to_numpy()


@dataclass(frozen=True, eq=False)
class ScenarioMasks:
    """Which stops, BIDs and rewilding plots count in one scenario.

    Each mask is a read-only boolean array in the row order of its layer, by
    the rules of this module alone: a feature without a usable geometry can
    be in a mask although the analyses cannot place it (they say so in their
    own results).

    Attributes
    ----------
    as_of : pandas.Timestamp
        The date of the scenario.
    include : tuple of str
        The statuses counted before they open.
    stops_in_service : numpy.ndarray
        :func:`stops_in_service` of the stops.
    active_bids : numpy.ndarray
        :func:`active_bids` of the BIDs.
    plots_established : numpy.ndarray
        :func:`plots_established` of the rewilding plots.
    """

    as_of: pd.Timestamp
    include: tuple[str, ...]
    stops_in_service: np.ndarray
    active_bids: np.ndarray
    plots_established: np.ndarray


def _read_only(mask: np.ndarray) -> np.ndarray:
    out = np.array(mask, dtype=bool)
    out.setflags(write=False)
    return out


def scenario_masks(
    stops: pd.DataFrame,
    bids: pd.DataFrame,
    rewilding: pd.DataFrame,
    as_of: DateLike = None,
    include: Iterable[str] | str = (),
) -> ScenarioMasks:
    """Return the masks of the stops, BIDs and plots that count on ``as_of``.

    Examples
    --------
    >>> import pandas as pd
    >>> stops = pd.DataFrame({"status": ["existing", "planned"],
    ...                       "opens": pd.to_datetime([None, "2025-10-26"])})
    >>> bids = pd.DataFrame({"start": pd.to_datetime(["2021-05-01"]),
    ...                      "end": pd.to_datetime(["2023-12-31"])})
    >>> plots = pd.DataFrame({"established": pd.to_datetime(["2022-06-01", None])})
    >>> m = scenario_masks(stops, bids, plots, "2023-06-30")
    >>> m.stops_in_service.tolist(), m.active_bids.tolist(), m.plots_established.tolist()
    ([True, False], [True], [True, False])
    """
    ts = resolve_as_of(as_of)
    inc = resolve_include(include)
    return ScenarioMasks(
        as_of=ts,
        include=inc,
        stops_in_service=_read_only(stops_in_service(stops, ts, inc)),
        active_bids=_read_only(active_bids(bids, ts)),
        plots_established=_read_only(plots_established(rewilding, ts)),
    )
