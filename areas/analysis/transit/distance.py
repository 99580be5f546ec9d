"""How distance to a stop is measured: one seam, several bases.

A *distance basis* answers one question for one mode group: for every firm,
which stop in service is nearest, how far is it in metres, and can the firm
reach any stop at all? :func:`~areas.analysis.transit.transit_access` asks it
once per group (``rail``, ``bus``; ``any`` is the nearer of the two, ties to
the lowest ``stop_id``). Two bases are built in:

- :class:`Straight`: the straight line in EPSG:25832 (``{group}_distance_m``,
  always computed);
- :class:`Detour`: the straight line times a detour (circuity) factor, the
  walking estimate of ``distance="detour"`` (formerly ``"walk"``;
  ``{group}_walk_m``, always computed). Scaling keeps the order, so its
  nearest stop is the straight one;
- :class:`Network`: the walk along a walking network (``distance="network"``,
  ``{group}_network_m`` and ``{group}_network_stop_id``).

Any object with the attributes and method of :class:`DistanceBasis` can be
passed as ``distance=`` (for example a walking network): its nearest stop may
differ from the straight-line one, and its answer goes to its own columns
``{group}_{column}`` (and ``{group}_{stop_column}``), beside the straight
distance.

Examples
--------
>>> import numpy as np
>>> stops = StopSet(xy=np.array([[0.0, 0.0], [300.0, 0.0]]), ids=np.array(["a", "b"], object),
...                 rank=np.array([0, 1]))
>>> m = Straight().measure(np.array([[100.0, 0.0], [200.0, 0.0]]), stops)
>>> m.stop.tolist(), m.distance_m.tolist(), m.reachable.tolist()
([0, 1], [100.0, 100.0], [True, True])
>>> Detour(1.5).measure(np.array([[100.0, 0.0]]), stops).distance_m.tolist()
[150.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from areas.analysis.transit.nearest import build_tree, nearest
from areas.constants import DEFAULT_DETOUR_FACTOR
from areas.errors import ConfigError

__all__ = [
    "NO_STOP_IN_SERVICE",
    "StopSet",
    "Measured",
    "DistanceBasis",
    "Straight",
    "Detour",
    "Network",
    "NETWORK_REASONS",
    "check_detour_factor",
]

#: Reason a firm reaches no stop when its group has none in service.
NO_STOP_IN_SERVICE = "no stop in service"


def check_detour_factor(detour_factor: object) -> float:
    """Return ``detour_factor`` as a float of at least 1 (``None``: the default)."""
    if detour_factor is None:
        return DEFAULT_DETOUR_FACTOR
    try:
        value = float(detour_factor)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ConfigError(_detour_message(detour_factor)) from exc
    if not math.isfinite(value) or value < 1:
        raise ConfigError(_detour_message(detour_factor))
    return value


def _detour_message(detour_factor: object) -> str:
    return (
        f"`detour_factor` must be a number of at least 1 (default {DEFAULT_DETOUR_FACTOR}), "
        f"got {detour_factor!r}"
    )


@dataclass(frozen=True, eq=False)
class StopSet:
    """The stops in service of one mode group, as a basis sees them.

    Attributes
    ----------
    xy : numpy.ndarray
        ``(k, 2)`` float coordinates in EPSG:25832; every stop has a location.
    ids : numpy.ndarray
        ``(k,)`` ``stop_id`` values as text (object array).
    rank : numpy.ndarray
        ``(k,)`` rank of each id among all stops: of two equally near stops
        the lower rank (the lower id) wins.
    rows : numpy.ndarray, optional
        ``(k,)`` row of each stop in the stops frame (default ``0..k-1``).
    group : str
        ``"rail"`` or ``"bus"``.
    """

    xy: np.ndarray
    ids: np.ndarray
    rank: np.ndarray
    rows: np.ndarray | None = None
    group: str = ""

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, eq=False)
class Measured:
    """A basis's answer for ``n`` firms and one :class:`StopSet`.

    Attributes
    ----------
    distance_m : numpy.ndarray
        ``(n,)`` float metres to the chosen stop; ``NaN`` where unreachable.
    stop : numpy.ndarray
        ``(n,)`` integer position of the chosen stop in the :class:`StopSet`;
        ``-1`` where unreachable.
    reason_code : numpy.ndarray
        ``(n,)`` small integers: 0 where reachable, else ``k`` for
        ``reasons[k - 1]``.
    reasons : tuple of str
        Why firms are unreachable (e.g. ``"no stop in service"``, or for a
        network ``"more than 300 m from the network"``).

    A firm is reachable exactly when ``stop >= 0``; it then has a finite
    distance and reason code 0. Unreachable firms count as beyond every
    threshold and as infinitely far in medians.
    """

    distance_m: np.ndarray
    stop: np.ndarray
    reason_code: np.ndarray
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.stop)
        if len(self.distance_m) != n or len(self.reason_code) != n:
            msg = "`distance_m`, `stop` and `reason_code` must have one value per firm"
            raise ValueError(msg)
        reachable = self.stop >= 0
        if not (
            np.array_equal(reachable, np.isfinite(self.distance_m))
            and np.array_equal(reachable, self.reason_code == 0)
            and (n == 0 or int(self.reason_code.max(initial=0)) <= len(self.reasons))
        ):
            msg = (
                "a firm is reachable (stop >= 0) exactly when its distance is finite and "
                "its reason code is 0; codes above 0 index `reasons` from 1"
            )
            raise ValueError(msg)

    @property
    def reachable(self) -> np.ndarray:
        """Whether each firm reaches a stop."""
        return self.stop >= 0

    def reason(self) -> np.ndarray:
        """Return per firm ``None`` (reachable) or why not, as an object array."""
        labels = np.array([None, *self.reasons], dtype=object)
        return labels[self.reason_code]

    def stop_ids(self, stops: StopSet) -> np.ndarray:
        """Return per firm the chosen ``stop_id`` (``None`` where unreachable)."""
        ids = np.empty(len(stops.ids) + 1, dtype=object)
        ids[:-1] = stops.ids  # the last slot (None) answers stop -1
        return ids[self.stop]

    @classmethod
    def unreachable(cls, n: int, reason: str = NO_STOP_IN_SERVICE) -> Measured:
        """Return the answer for ``n`` firms that reach no stop, for ``reason``."""
        return cls(
            distance_m=np.full(n, np.nan),
            stop=np.full(n, -1, dtype=np.intp),
            reason_code=np.ones(n, dtype=np.int8),
            reasons=(reason,),
        )


@runtime_checkable
class DistanceBasis(Protocol):
    """How distance is measured; implement it to plug in another basis.

    Attributes
    ----------
    name : str
        The value of ``distance``, ``params.distance`` and the
        ``distance_basis`` column (``"straight"``, ``"detour"``, ``"network"``).
    column : str
        Suffix of the per-firm distance column, ``f"{group}_{column}"``
        (``"distance_m"``, ``"walk_m"``, ``"network_m"``).
    stop_column : str or None
        ``None`` when the basis always picks the straight-line nearest stop;
        else the suffix of a per-firm column holding its own chosen stop id,
        ``f"{group}_{stop_column}"`` (``"network_stop_id"``).

    Methods
    -------
    measure(firms, stops)
        ``firms`` is an ``(n, 2)`` float array of located firms in
        EPSG:25832, ``stops`` the :class:`StopSet` of one group (possibly
        empty); return a :class:`Measured` of length ``n``, with ties
        (within :data:`~areas.analysis.transit.nearest.TIE_TOLERANCE_M`)
        going to the lowest ``stops.rank``. It must not depend on the order
        of the firms or of the stops.
    """

    @property
    def name(self) -> str: ...  # noqa: D102

    @property
    def column(self) -> str: ...  # noqa: D102

    @property
    def stop_column(self) -> str | None: ...  # noqa: D102

    def measure(self, firms: np.ndarray, stops: StopSet) -> Measured: ...  # noqa: D102


@dataclass(frozen=True)
class Straight:
    """The straight line in EPSG:25832 to the nearest stop (``{group}_distance_m``)."""

    name: str = "straight"
    column: str = "distance_m"
    stop_column: str | None = None

    def measure(self, firms: np.ndarray, stops: StopSet) -> Measured:
        """Return the nearest stop of ``stops`` in a straight line for each of ``firms``."""
        if len(stops) == 0:
            return Measured.unreachable(len(firms))
        stop, d = nearest(build_tree(np.asarray(stops.xy, dtype=float), stops.rank), firms)
        return Measured(distance_m=d, stop=stop, reason_code=np.zeros(len(firms), np.int8))


@dataclass(frozen=True)
class Detour:
    """The straight line times a detour factor: a walking estimate (``{group}_walk_m``).

    Network distance is on average about 1.2-1.3 times the straight-line
    distance in urban areas: Levinson, D. & El-Geneidy, A. (2009), "The
    minimum circuity frontier and the journey to work", *Regional Science
    and Urban Economics* 39(6) (random and actual origin-destination pairs
    in twenty US metropolitan regions); O'Sullivan, S. & Morrall, J. (1996),
    "Walking distances to and from light-rail transit stations",
    *Transportation Research Record* 1538, report circuity of about
    1.21-1.23 in light-rail station catchments. The default
    :data:`~areas.constants.DEFAULT_DETOUR_FACTOR` = 1.3 is the upper end,
    fitting industrial estates with large plots and few through paths.

    Parameters
    ----------
    factor : float, default 1.3
        Walking / straight-line distance, at least 1.
    """

    factor: float = DEFAULT_DETOUR_FACTOR
    name: str = "detour"
    column: str = "walk_m"
    stop_column: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "factor", check_detour_factor(self.factor))

    def measure(self, firms: np.ndarray, stops: StopSet) -> Measured:
        """Return the straight-line answer with every distance times the factor."""
        return self.scale(Straight().measure(firms, stops))

    def scale(self, straight: Measured) -> Measured:
        """Return a :class:`Straight` answer with its distances times the factor."""
        return Measured(
            distance_m=straight.distance_m * self.factor,
            stop=straight.stop,
            reason_code=straight.reason_code,
            reasons=straight.reasons,
        )


#: Readable reasons of :class:`Network`, by the codes of
#: :data:`areas.analysis.network.REASONS` (``no_location`` never occurs: the
#: seam passes located firms only).
NETWORK_REASONS = ("no_location", "off_network", "no_stop", "disconnected")


@dataclass(eq=False)
class Network:
    """Walking distance along a walking network (``{group}_network_m``).

    The firm walks straight to the nearest point on the nearest edge, along
    the network, and straight from the stop's nearest edge point to the stop
    (:func:`areas.analysis.network.nearest`, one multi-source Dijkstra per
    mode group). Its nearest stop (``{group}_network_stop_id``) may differ
    from the straight-line one. A firm or stop farther than ``snap_limit_m``
    from every edge is unreachable, never given a false zero: the firm's
    reason is ``off_network``; a firm whose part of the network holds no stop
    in service is ``disconnected``; such firms count beyond every threshold.

    Parameters
    ----------
    graph : WalkingNetwork or GeoDataFrame
        A built network (:func:`areas.analysis.network.build_network`,
        ``atlas.walking_network()``) or a network layer, built once here.
    snap_limit_m : float, default 300
        Longest straight access leg, in metres. 300 m is half the Fingerplan's
        600 m core distance: a firm farther than that from every mapped path
        cannot be judged by the network, and the gap is a mapping gap, not
        a walk (a large fenced plot in the bundled estates is at most about
        250 m deep).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> layer = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)])], crs="EPSG:25832")
    >>> stops = StopSet(xy=np.array([[700.0, -40.0]]), ids=np.array(["s"], object),
    ...                 rank=np.array([0]))
    >>> Network(layer).measure(np.array([[100.0, 30.0]]), stops).distance_m.tolist()
    [670.0]
    """

    graph: object
    snap_limit_m: float = 300.0
    name: str = "network"
    column: str = "network_m"
    stop_column: str | None = "network_stop_id"

    def __post_init__(self) -> None:
        from areas.analysis.network import as_network_graph

        self.graph = as_network_graph(self.graph)
        limit = float(self.snap_limit_m)
        if not math.isfinite(limit) or limit < 0:
            msg = f"`snap_limit_m` must be metres, at least 0, got {self.snap_limit_m!r}"
            raise ConfigError(msg)
        self.snap_limit_m = limit
        self._last: tuple[np.ndarray, object] | None = None

    def snapped(self, firms: np.ndarray):
        """Return ``firms`` snapped to the network (the last answer is reused)."""
        last = self._last
        if (
            last is not None
            and last[0].shape == firms.shape
            and np.array_equal(last[0], firms, equal_nan=True)
        ):
            return last[1]
        snap = self.graph.snap(firms, snap_limit_m=self.snap_limit_m, layer="companies")  # type: ignore[attr-defined]
        self._last = (firms.copy(), snap)
        return snap

    def measure(self, firms: np.ndarray, stops: StopSet) -> Measured:
        """Return the nearest stop of ``stops`` along the network for each of ``firms``."""
        from areas.analysis.network import nearest as network_nearest

        firms = np.asarray(firms, dtype=float).reshape(-1, 2)
        if len(stops) == 0:
            return Measured.unreachable(len(firms))
        ids = np.asarray(stops.ids, dtype=object).astype(str)
        out = network_nearest(
            self.graph,
            self.snapped(firms),
            np.asarray(stops.xy, dtype=float),
            ids,
            snap_limit_m=self.snap_limit_m,
        )
        codes = out["stop_id"].cat.codes.to_numpy()
        cats = np.asarray(out["stop_id"].cat.categories, dtype=object).astype(str)
        position = {s: i for i, s in enumerate(ids)}
        to_pos = np.array([position[c] for c in cats] + [-1], dtype=np.intp)
        stop = to_pos[codes]
        reason = out["reason"].cat.codes.to_numpy().astype(np.int8)
        return Measured(
            distance_m=out["network_m"].to_numpy(dtype=float),
            stop=stop,
            reason_code=reason,
            reasons=NETWORK_REASONS,
        )
