"""Typed parameters of the analyses' results.

:class:`TransitParams` and :class:`SummaryParams` are frozen dataclasses: read
their attributes (``summary.params.distance``). For one release they also
behave as the read-only ``dict`` the results used to carry, with the same keys
and values (the date as ISO text, lists where lists were), so that code
reading ``params["as_of"]`` or ``params.get("distance")`` keeps working and
``json.dumps`` writes them as before.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, NoReturn

import pandas as pd

__all__ = ["TransitParams", "SummaryParams"]


class _ReadOnlyDict(dict):
    """A dict of a frozen dataclass's former keys; refuses every change."""

    def _legacy(self) -> dict[str, Any]:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def __post_init__(self) -> None:
        dict.update(self, self._legacy())

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        msg = (
            f"{type(self).__name__} is read-only; make a changed copy with "
            "`dataclasses.replace(params, name=value)`"
        )
        raise TypeError(msg)

    __setitem__ = _refuse
    __delitem__ = _refuse
    __ior__ = _refuse  # type: ignore[assignment]
    clear = _refuse
    pop = _refuse
    popitem = _refuse
    setdefault = _refuse
    update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from the fields (the dict part follows from them): pickles and copies.
        return (type(self), tuple(getattr(self, f.name) for f in fields(self)))  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False, repr=True)
class TransitParams(_ReadOnlyDict):
    """The options and stop counts behind a :class:`~areas.analysis.transit.TransitAccess`.

    Attributes
    ----------
    as_of : pandas.Timestamp
        The date the stops were taken as of (``params["as_of"]``: ISO text).
    include : tuple of str
        Statuses counted before they open.
    thresholds_m : tuple of float
        The distance thresholds of the share columns, ascending.
    distance : str
        The distance basis shares, medians and bands use: ``"straight"``,
        ``"walk"`` or the name of another :class:`DistanceBasis`.
    detour_factor : float
        The factor of the ``{group}_walk_m`` columns.
    stops_in_service : dict
        Stops counted per group (``rail``, ``bus``, ``any``).
    stops_without_location : tuple of str
        Ids of stops ignored for want of a location.
    """

    as_of: pd.Timestamp
    include: tuple[str, ...]
    thresholds_m: tuple[float, ...]
    distance: str
    detour_factor: float
    stops_in_service: dict[str, int]
    stops_without_location: tuple[str, ...] = ()

    def _legacy(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.date().isoformat(),
            "include": self.include,
            "thresholds_m": self.thresholds_m,
            "distance": self.distance,
            "detour_factor": self.detour_factor,
            "stops_in_service": dict(self.stops_in_service),
            "stops_without_location": list(self.stops_without_location),
        }


@dataclass(frozen=True, eq=False, repr=True)
class SummaryParams(_ReadOnlyDict):
    """The scenario and options behind a :class:`~areas.analysis.summary.Summary`.

    Attributes
    ----------
    as_of : pandas.Timestamp
        The date of the scenario (``params["as_of"]``: ISO text).
    include : tuple of str
        Statuses counted before they open.
    thresholds_m : tuple of float
        The distance thresholds of the transit share columns, ascending.
    distance : str
        The distance basis of the transit columns (``"straight"``, ``"walk"``).
    detour_factor : float
        The factor of the walking estimate.
    service_date : str or None
        The date the service frequencies were counted for (ISO), None
        without service data.
    service_window : tuple of str or None
        The clock window of the frequencies (``("07:00", "09:00")``).
    service : dict or None
        Everything else behind the service columns: ``feed_period``, the
        inputs' ``sources`` (path, SHA-256, period), the ``ptal`` and
        ``dg_regio`` parameters, ``distance``, the stops and lines without
        frequency data, ``notes``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = SummaryParams(pd.Timestamp("2026-01-01"), ("planned",), (600,), "walk", 1.3)
    >>> p.distance, p["as_of"], p.get("distance")
    ('walk', '2026-01-01', 'walk')
    """

    as_of: pd.Timestamp
    include: tuple[str, ...]
    thresholds_m: tuple[float, ...]
    distance: str
    detour_factor: float
    service_date: str | None = None
    service_window: tuple[str, ...] | None = None
    service: dict[str, Any] | None = None

    def _legacy(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "as_of": self.as_of.date().isoformat(),
            "include": self.include,
            "thresholds_m": self.thresholds_m,
            "distance": self.distance,
            "detour_factor": self.detour_factor,
        }
        if self.service is not None:  # keys present only with service data
            out["service_date"] = self.service_date
            out["service_window"] = self.service_window
            out["service"] = self.service
        return out
