"""Transit accessibility: the nearest stop of each mode group for every firm.

Rules
-----
- **Stops that count.** Only stops in service on ``as_of`` count, by the rules
  of :mod:`areas.scenario` (``include`` adds ``planned`` and/or ``study``
  stops). Stops without a location are ignored and listed in ``params``.
- **Mode groups.** ``rail`` (light rail, metro, S-train, regional rail) and
  ``bus`` (bus, BRT) as in :data:`areas.schema.MODE_GROUPS`; ``any`` is every
  stop of either group.
- **Distances.** ``{group}_distance_m`` is the straight-line distance in
  EPSG:25832. ``{group}_walk_m`` estimates the walking distance as the
  straight-line distance times a detour (circuity) factor, by default
  :data:`DEFAULT_DETOUR_FACTOR` = 1.3: network distances in urban areas are
  on average about 1.2-1.3 times the straight line (Levinson & El-Geneidy
  2009, see :class:`~areas.analysis.transit.distance.Detour`), and business
  districts with large fenced plots sit at the upper end. Another
  :class:`~areas.analysis.transit.distance.DistanceBasis` given as
  ``distance`` adds its own columns beside these.
- **Which distance counts.** Threshold shares, medians and the Fingerplan bands
  use ``distance``: ``"straight"`` (the default without a network),
  ``"detour"`` (formerly ``"walk"``: the straight line times the factor) or
  ``"network"`` (the default when ``network`` is given: the walk along it,
  :class:`~areas.analysis.transit.distance.Network`). Every result says
  which one it used: ``params.distance``, the ``distance`` attribute and the
  ``distance_basis`` column of :meth:`TransitAccess.per_district`.
- **No stop in service.** When a group has no stop in service on ``as_of``
  the firm's nearest stop is missing and its distance is ``NaN``, meaning
  *not reachable*: it counts as beyond every threshold (never within), its
  Fingerplan band is ``"beyond"``, and medians treat it as infinitely far
  (so a district's median is ``NaN`` once half its firms reach no stop).
  When the group has no stop in service at all, its per-district shares and
  medians are "no data" (``NaN``), not 0, with a warning naming the group and
  the scenario (``params.groups_without_stops``).
- **Ties.** Stops whose distances differ by at most :data:`TIE_TOLERANCE_M`
  are equally near; the one with the lowest ``stop_id`` wins, so results do not
  depend on the row order of the stops (:mod:`areas.analysis.transit.nearest`).
- **Bands.** ``rail_band``: ``"core"`` within 600 m of a rail stop,
  ``"station_near"`` within 1,200 m, else ``"beyond"``. ``fingerplan_band``:
  the same bands to the nearest **Fingerplan station** (a rail stop in
  service, or a BRT stop whose ``fingerplan_station`` is true; a bus stop
  never), by the distance in use; the Fingerplan measures walking distance,
  so ``distance="network"`` is its reading. ``circle_only_core`` marks firms
  within 600 m of a Fingerplan station in a straight line but beyond it by
  the distance in use; ``large_office_outside_core`` (when
  ``office_floor_area_m2`` holds values) offices over 1,500 m² outside the
  core.

Performance
-----------
Firms are matched to stops with one :class:`scipy.spatial.cKDTree` per mode
group queried for all firms at once; the ``any`` group is the nearer of the
two. A million firms against 50,000 stops take about a second
(``benchmarks/bench_transit.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from areas.analysis._geom import (
    check_columns,
    check_ids,
    nullable_int,
    numeric_column,
    point_coordinates,
    work_geometry,
)
from areas.analysis.params import TransitParams
from areas.analysis.transit.distance import (
    Detour,
    DistanceBasis,
    Measured,
    Network,
    StopSet,
    Straight,
    check_detour_factor,
)
from areas.analysis.transit.districts import _per_district
from areas.analysis.transit.nearest import TIE_TOLERANCE_M, WORKERS, locality_order, nearer
from areas.constants import (
    BANDS,
    CORE_AREA_M,
    DEFAULT_DETOUR_FACTOR,
    DEFAULT_THRESHOLDS_M,
    DISTANCE_ALIASES,
    DISTANCES,
    FINGERPLAN_MODES,
    LARGE_OFFICE_M2,
    NETWORK_SNAP_LIMIT_M,
    STATION_NEAR_M,
    DistanceKind,
)
from areas.constants import MODE_GROUP_NAMES as GROUPS
from areas.errors import ConfigError, SchemaError, format_ids
from areas.scenario import DateLike, resolve_as_of, resolve_include, stops_in_service
from areas.schema import MODE_GROUPS, MODES

__all__ = [
    "DEFAULT_DETOUR_FACTOR",
    "DEFAULT_THRESHOLDS_M",
    "CORE_AREA_M",
    "STATION_NEAR_M",
    "GROUPS",
    "DISTANCES",
    "BANDS",
    "TIE_TOLERANCE_M",
    "WORKERS",
    "TransitAccess",
    "TransitParams",
    "transit_access",
]


# --------------------------------------------------------------------------- options

#: Names of the built-in bases (:class:`Straight`, :class:`Detour`); another basis needs its own.
_BUILT_IN = ("straight", "detour", "walk")


def _threshold_values(thresholds_m: Iterable[float]) -> tuple[float, ...]:
    """Check distance thresholds; return them in the order given, whole metres as ``int``."""
    try:
        values = [float(t) for t in thresholds_m]
    except (TypeError, ValueError) as exc:
        msg = (
            "`thresholds_m` must be distances in metres such as (400, 600, 800, 1200), "
            f"got {thresholds_m!r}"
        )
        raise ConfigError(msg) from exc
    if not values or any(not math.isfinite(t) or t <= 0 for t in values):
        msg = (
            f"`thresholds_m` must be positive distances in metres, one or more, "
            f"got {thresholds_m!r}"
        )
        raise ConfigError(msg)
    return tuple(int(t) if t.is_integer() else t for t in values)


def _check_thresholds(thresholds_m: Iterable[float]) -> tuple[float, ...]:
    return tuple(sorted(set(_threshold_values(thresholds_m))))


def _check_distance(distance: object) -> str:
    if distance not in DISTANCES:
        msg = f"`distance` must be {' or '.join(map(repr, DISTANCES))}, got {distance!r}"
        raise ConfigError(msg)
    return DISTANCE_ALIASES.get(str(distance), str(distance))


def _check_detour(detour_factor: float | None) -> float:
    return check_detour_factor(detour_factor)


def _network_basis(network: object, snap_limit_m: float | None) -> Network:
    if network is None:
        msg = (
            '`distance="network"` needs a walking network: pass `network=` (a network layer '
            "or a WalkingNetwork), or load layers with a `network` layer"
        )
        raise ConfigError(msg)
    if isinstance(network, Network):
        return network
    if callable(network):  # a builder, e.g. Atlas.walking_network: build only when used
        network = network()
    limit = NETWORK_SNAP_LIMIT_M if snap_limit_m is None else snap_limit_m
    return Network(network, snap_limit_m=limit)


def _resolve_basis(
    distance: DistanceKind | DistanceBasis | None,
    detour_factor: float | None,
    network: object = None,
    snap_limit_m: float | None = None,
) -> tuple[DistanceBasis, float]:
    """Return the basis shares, medians and bands use, and the factor of ``{group}_walk_m``.

    ``distance=None`` is ``"network"`` when a network is given, else ``"straight"``.
    """
    if distance is None:
        distance = "network" if network is not None else "straight"
    if isinstance(distance, Detour):
        factor = distance.factor if detour_factor is None else _check_detour(detour_factor)
        if factor != distance.factor:
            msg = (
                f"`detour_factor` {detour_factor!r} differs from the factor of "
                f"`distance` {distance!r}; give one of them"
            )
            raise ConfigError(msg)
        return distance, factor
    if isinstance(distance, Straight):
        return distance, _check_detour(detour_factor)
    if isinstance(distance, str) or not isinstance(distance, DistanceBasis):
        kind = _check_distance(distance)
        factor = _check_detour(detour_factor)
        if kind == "network":
            return _network_basis(network, snap_limit_m), factor
        return (Detour(factor) if kind == "detour" else Straight()), factor
    if distance.name in _BUILT_IN or distance.column in ("distance_m", "walk_m"):
        msg = (
            f"a distance basis other than Straight and Detour needs its own `name` and "
            f"`column`, not {distance.name!r} / {distance.column!r}"
        )
        raise ConfigError(msg)
    return distance, _check_detour(detour_factor)


def _key(basis: DistanceBasis) -> str:
    """Return the key of ``basis`` among the answers of :func:`_measure`."""
    if isinstance(basis, Straight):
        return "straight"
    if isinstance(basis, Detour):
        return "walk"
    return basis.name


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class TransitAccess:
    """Nearest stops and distances per firm.

    Attributes
    ----------
    companies : pandas.DataFrame
        Indexed like the input firms. Columns: ``company_id``; for each group
        ``g`` in ``rail``, ``bus``, ``any``: ``nearest_{g}_stop_id``,
        ``nearest_{g}_name``, ``nearest_{g}_mode`` (categoricals; missing when
        no stop of the group is in service), ``{g}_distance_m`` (straight
        line) and ``{g}_walk_m`` (straight line times the detour factor),
        then the columns of another distance basis if one was given;
        ``rail_band`` (ordered categorical ``core`` < ``station_near`` <
        ``beyond``, by the chosen distance; missing for firms without a
        location); ``employees``.
    params : TransitParams
        ``as_of``, ``include``, ``thresholds_m``, ``distance``,
        ``detour_factor``, ``stops_in_service`` (per group) and
        ``stops_without_location`` (ids).
    as_of : pandas.Timestamp
        The date the stops were taken as of.
    basis : DistanceBasis
        The basis of ``distance`` (default: from ``params.distance``).
    unreachable : pandas.DataFrame or None
        For a basis other than :class:`Straight` and :class:`Detour`: the
        located firms it cannot reach, one row per firm and group (``rail``,
        ``bus``) with ``company_id``, ``group`` and ``reason``. ``None`` for
        the built-in bases, where a firm is unreachable only when its group
        has no stop in service (``params.stops_in_service``).
    """

    companies: pd.DataFrame
    params: TransitParams
    as_of: pd.Timestamp | None = None
    basis: DistanceBasis | None = None
    unreachable: pd.DataFrame | None = None

    @property
    def distance(self) -> str:
        """``"straight"`` or ``"walk"``: the distance shares, medians and bands use."""
        return self.params["distance"]

    @property
    def thresholds_m(self) -> tuple[float, ...]:
        """The distance thresholds of the share columns."""
        return self.params["thresholds_m"]

    def distance_column(self, group: str) -> str:
        """Return the per-firm column holding the chosen distance for ``group``."""
        if group not in GROUPS:
            msg = f"`group` must be one of {', '.join(GROUPS)}, got {group!r}"
            raise ConfigError(msg)
        if self.basis is not None:
            return f"{group}_{self.basis.column}"
        walk = self.distance in ("walk", "detour")
        return f"{group}_walk_m" if walk else f"{group}_distance_m"

    def per_district(
        self,
        assignment: pd.DataFrame,
        companies: pd.DataFrame | None = None,
        *,
        district_ids: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Summarise accessibility per district.

        Parameters
        ----------
        assignment : pandas.DataFrame
            The result of :func:`areas.assign_districts` for the same firms
            (indexed like them). Firms outside every district or excluded are
            left out.
        companies : pandas.DataFrame, optional
            The firms, for ``employees``; by default the employees captured by
            :func:`transit_access`.
        district_ids : iterable of str, optional
            Districts to report, in this order; those without firms get zero
            counts and ``NaN`` shares. Default: the districts that have firms,
            sorted by id.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``district_id``: ``companies``, ``employees``; for each
            group ``g`` and threshold ``t``: ``{g}_{t}m_companies_share`` and
            ``{g}_{t}m_employees_share``; ``median_{g}_distance_m``;
            ``rail_{band}_companies`` and ``rail_{band}_employees`` for the
            three Fingerplan bands; ``distance_basis`` (``"straight"`` or
            ``"walk"``) and ``detour_factor``. Unknown employee counts count
            as 0; a share whose denominator is 0 is ``NaN``, and so are the
            shares and median of a group without stops in service (with a
            warning).

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely.geometry import Point, box
        >>> from areas.analysis.assign import assign_districts
        >>> stops = gpd.GeoDataFrame(
        ...     {"stop_id": ["s", "b"], "name": ["Station", "Stop"], "mode": ["s_train", "bus"],
        ...      "status": ["existing", "existing"]},
        ...     geometry=[Point(0, 0), Point(5000, 0)], crs="EPSG:25832")
        >>> firms = gpd.GeoDataFrame(
        ...     {"company_id": ["a", "b"], "employees": [10, 30]},
        ...     geometry=[Point(300, 0), Point(900, 0)], crs="EPSG:25832")
        >>> districts = gpd.GeoDataFrame(
        ...     {"district_id": ["d"]}, geometry=[box(0, -100, 1000, 100)], crs="EPSG:25832")
        >>> access = transit_access(firms, stops, as_of="2026-01-01")
        >>> table = access.per_district(assign_districts(firms, districts))
        >>> table.loc["d", ["rail_600m_companies_share", "rail_600m_employees_share",
        ...                 "median_rail_distance_m"]].tolist()
        [0.5, 0.25, 600.0]
        """
        return _per_district(self, assignment, companies, district_ids)

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>TransitAccess</b> as of {self.params['as_of']}, distance: {self.distance}"
            f" (detour factor {self.params['detour_factor']:g}), "
            f"{len(self.companies):,} firms</p>"
        )
        return head + self.companies.head(50)._repr_html_()

    def __repr__(self) -> str:
        return (
            f"TransitAccess(as_of={self.params['as_of']}, distance={self.distance!r}, "
            f"firms={len(self.companies)}, stops_in_service={self.params['stops_in_service']})"
        )


def _categorical(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=categories, validate=False)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, eq=False)
class _Stops:
    """The stops layer as arrays: ids, locations, modes, id ranks and the scenario mask."""

    frame: gpd.GeoDataFrame
    ids: np.ndarray
    xy: np.ndarray
    located: np.ndarray
    modes: np.ndarray
    rank: np.ndarray  # row -> rank of its stop id
    in_service: np.ndarray  # in service on as_of and located
    fingerplan: np.ndarray  # a Fingerplan station (rail, or a marked BRT stop)

    def group(self, g: str) -> StopSet:
        """Return the stops in service of group ``g`` (or ``"fingerplan"``), in id order."""
        if g == "fingerplan":
            rows = np.flatnonzero(self.in_service & self.fingerplan)
        else:
            rows = np.flatnonzero(self.in_service & np.isin(self.modes, MODE_GROUPS[g]))
        rows = rows[np.argsort(self.rank[rows], kind="stable")]
        return StopSet(
            xy=self.xy[rows], ids=self.ids[rows], rank=self.rank[rows], rows=rows, group=g
        )


def _prepare_stops(
    stops: gpd.GeoDataFrame,
    ts: pd.Timestamp,
    inc: tuple[str, ...],
    in_service: np.ndarray | None,
) -> _Stops:
    check_columns(stops, ["stop_id", "mode", "status"], layer="stops")
    stop_ids = check_ids(stops, "stop_id", layer="stops")
    stop_xy, stop_ok = point_coordinates(
        work_geometry(stops, layer="stops"), stop_ids, layer="stops"
    )
    modes = stops["mode"].astype(str).to_numpy(dtype=object)
    unknown = ~np.isin(modes, MODES) | stops["mode"].isna().to_numpy()
    if unknown.any():
        msg = (
            f"stops {format_ids(stop_ids[unknown])} have an unknown `mode`; "
            f"valid modes: {', '.join(MODES)}"
        )
        raise SchemaError(msg, layer="stops", ids=list(stop_ids[unknown]))
    if in_service is None:
        in_service = stops_in_service(stops, ts, inc)
    by_id = np.argsort(stop_ids.astype(str), kind="stable")
    rank = np.empty(len(stop_ids), dtype=np.intp)
    rank[by_id] = np.arange(len(stop_ids))
    return _Stops(
        frame=stops,
        ids=stop_ids,
        xy=stop_xy,
        located=stop_ok,
        modes=modes,
        rank=rank,
        in_service=np.asarray(in_service, dtype=bool) & stop_ok,
        fingerplan=_fingerplan_stations(stops, modes, stop_ids),
    )


_TRUE = {"true", "1", "yes", "ja", "sand", "t", "y"}
_FALSE = {"false", "0", "no", "nej", "falsk", "f", "n"}


def _fingerplan_stations(
    stops: gpd.GeoDataFrame, modes: np.ndarray, stop_ids: np.ndarray
) -> np.ndarray:
    """Per stop whether it is a Fingerplan station.

    Rail stops (:data:`~areas.constants.FINGERPLAN_MODES`) are by default; a
    BRT stop only where ``fingerplan_station`` is true; a bus stop never. A
    given ``fingerplan_station`` value decides for rail and BRT stops.
    """
    default = np.isin(modes, FINGERPLAN_MODES)
    if "fingerplan_station" not in stops.columns:
        return default
    col = stops["fingerplan_station"]
    given = col.notna().to_numpy()
    text = col.astype(str).str.strip().str.lower().to_numpy(dtype=object)
    true = np.isin(text, list(_TRUE))
    bad = given & ~true & ~np.isin(text, list(_FALSE))
    if bad.any():
        msg = (
            f"stops {format_ids(stop_ids[bad])} have a `fingerplan_station` that is not "
            "true or false; give true, false or leave it empty (default from the mode)"
        )
        raise SchemaError(msg, layer="stops", ids=list(stop_ids[bad]))
    return np.where(given, true, default) & (modes != "bus")


@dataclass(frozen=True, eq=False)
class _FirmPoints:
    """The located firms in a cache-friendly query order, and the way back."""

    n: int  # all firms
    points: np.ndarray  # located firms, in query order
    located: np.ndarray | None  # positions of the located firms (None: all)
    target: np.ndarray | None  # query position -> firm position (None: identity)

    def spread(self, values: np.ndarray, fill: object) -> np.ndarray:
        """Values per queried point -> per firm (unlocated firms get ``fill``)."""
        if self.target is None:
            return values
        # A full permutation needs no fill; unlocated firms get `fill`.
        out = (
            np.empty(self.n, dtype=values.dtype)
            if self.located is None
            else np.full(self.n, fill, dtype=values.dtype)
        )
        out[self.target] = values
        return out


def _firm_points(firm_xy: np.ndarray, firm_ok: np.ndarray) -> _FirmPoints:
    located = np.flatnonzero(firm_ok) if not firm_ok.all() else None
    pts = firm_xy if located is None else firm_xy[located]
    order = locality_order(pts)
    if order is not None:
        pts = pts[order]
    if order is None and located is None:
        target = None
    elif located is None:
        target = order
    else:
        target = located if order is None else located[order]
    return _FirmPoints(n=len(firm_xy), points=pts, located=located, target=target)


# --------------------------------------------------------------------------- measuring


_Found = dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]
_Unreached = list[tuple[str, np.ndarray, tuple[str, ...]]]


def _measure(
    firms: _FirmPoints, stops: _Stops, basis: DistanceBasis, factor: float
) -> tuple[_Found, dict[str, int], _Unreached]:
    """Measure every group on the straight line, the detour estimate and ``basis``.

    Returns, per basis (``"straight"``, ``"walk"`` and :func:`_key` of ``basis``), per
    group, ``(stop_row, distance_m)`` per firm (``-1``/``NaN``: none); the
    number of stops in service per group; and for a basis other than the
    built-in ones, per group ``(group, reason_code per firm, reasons)``.
    """
    own = _key(basis) not in ("straight", "walk")
    found: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {"straight": {}}
    if own:
        found[basis.name] = {}
    sizes: dict[str, int] = {}
    unreached: _Unreached = []

    def per_firm(stopset: StopSet, m: Measured) -> tuple[np.ndarray, np.ndarray]:
        rows = np.append(np.asarray(stopset.rows, dtype=np.intp), -1)[m.stop]
        return firms.spread(rows, -1), firms.spread(m.distance_m, np.nan)

    rail_rows = None
    for g in ("rail", "bus", "fingerplan"):
        stopset = stops.group(g)
        sizes[g] = len(stopset)
        if g == "rail":
            rail_rows = stopset.rows
        elif g == "fingerplan" and np.array_equal(np.asarray(stopset.rows), np.asarray(rail_rows)):
            for answers in found.values():
                answers[g] = answers["rail"]  # the Fingerplan stations are the rail stops
            continue
        found["straight"][g] = per_firm(stopset, Straight().measure(firms.points, stopset))
        if own:
            m = basis.measure(firms.points, stopset)
            found[basis.name][g] = per_firm(stopset, m)
            unreached.append((g, firms.spread(m.reason_code, 0), m.reasons))
    sizes["any"] = sizes["rail"] + sizes["bus"]
    for answers in found.values():
        answers["any"] = nearer(answers["rail"], answers["bus"], stops.rank)
    # The detour estimate scales the straight line: same stops, distances times the factor
    # (Detour.scale, on the per-firm arrays).
    found["walk"] = {g: (row, d * factor) for g, (row, d) in found["straight"].items()}
    return found, sizes, unreached


def _unreachable(companies: gpd.GeoDataFrame, unreached: _Unreached) -> pd.DataFrame:
    """List the located firms a basis cannot reach, per group, with the reason."""
    ids = companies["company_id"].astype(str).to_numpy(dtype=object)
    parts = [pd.DataFrame({"company_id": [], "group": [], "reason": []}, dtype="str")]
    for g, codes, reasons in unreached:
        at = np.flatnonzero(codes > 0)
        labels = np.array([None, *reasons], dtype=object)
        parts.append(
            pd.DataFrame(
                {
                    "company_id": pd.array(ids[at], dtype="str"),
                    "group": pd.array(np.full(len(at), g, dtype=object), dtype="str"),
                    "reason": pd.array(labels[codes[at]], dtype="str"),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _frame(
    companies: gpd.GeoDataFrame,
    firm_ok: np.ndarray,
    stops: _Stops,
    found: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]],
    basis: DistanceBasis,
) -> pd.DataFrame:
    """Build the per-firm table of :attr:`TransitAccess.companies` from arrays."""
    # Categoricals for the stop attributes, categories in a fixed order (ids sorted),
    # so the output does not depend on row order.
    by_id = np.argsort(stops.rank)
    id_cats = pd.Index(stops.ids[by_id], dtype="str")
    id_ext = np.append(stops.rank, -1).astype(np.int32)
    frame = stops.frame
    names = frame["name"] if "name" in frame.columns else pd.Series(None, index=frame.index)
    name_codes, name_cats = pd.factorize(names.astype("str"), sort=True)
    name_cats = pd.Index(name_cats, dtype="str")
    mode_cats = pd.Index(MODES, dtype="str")
    # One extra slot so that row -1 (no stop) maps to code -1 (missing).
    name_ext = np.append(name_codes, -1).astype(np.int32)
    mode_ext = np.append(mode_cats.get_indexer(stops.modes), -1).astype(np.int8)
    firm_ids = companies["company_id"]
    data: dict[str, object] = {}
    # Copies: the result must never share memory with the caller's frame.
    data["company_id"] = (
        firm_ids.array.copy()
        if firm_ids.dtype == "str"
        else pd.array(firm_ids.astype(str), dtype="str")
    )
    chosen = _key(basis)
    own = chosen not in ("straight", "walk")
    for g in GROUPS:
        row, d = found["straight"][g]
        data[f"nearest_{g}_stop_id"] = _categorical(id_ext[row], id_cats)
        data[f"nearest_{g}_name"] = _categorical(name_ext[row], name_cats)
        data[f"nearest_{g}_mode"] = _categorical(mode_ext[row], mode_cats)
        data[f"{g}_distance_m"] = d
        data[f"{g}_walk_m"] = found["walk"][g][1]
        if own:
            b_row, b_d = found[basis.name][g]
            data[f"{g}_{basis.column}"] = b_d
            if basis.stop_column is not None:
                data[f"{g}_{basis.stop_column}"] = _categorical(id_ext[b_row], id_cats)
    data["rail_band"] = _band(found[chosen]["rail"][1], firm_ok)
    fp_row, fp_d = found[chosen]["fingerplan"]
    straight_fp = found["straight"]["fingerplan"][1]
    data["fingerplan_stop_id"] = _categorical(id_ext[fp_row], id_cats)
    data["fingerplan_distance_m"] = straight_fp
    data["fingerplan_m"] = fp_d
    data["fingerplan_band"] = _band(fp_d, firm_ok)
    data["circle_only_core"] = (straight_fp <= CORE_AREA_M) & ~(fp_d <= CORE_AREA_M)
    floor = numeric_column(companies, "office_floor_area_m2")
    if not np.isnan(floor).all():  # the column is there and holds a value
        flag = (floor > LARGE_OFFICE_M2) & ~(fp_d <= CORE_AREA_M) & firm_ok
        data["large_office_outside_core"] = pd.arrays.BooleanArray(flag, np.isnan(floor))
    if "employees" in companies.columns and companies["employees"].dtype == "Int64":
        data["employees"] = companies["employees"].array.copy()
    else:
        data["employees"] = _int_or_na(numeric_column(companies, "employees"))
    return pd.DataFrame(data, index=companies.index.copy(), copy=False)


def _band(d: np.ndarray, firm_ok: np.ndarray) -> pd.Categorical:
    """Fingerplan band per firm; NaN (unreachable) is ``beyond``, no location missing."""
    band = 2 - (d <= STATION_NEAR_M).astype(np.int8) - (d <= CORE_AREA_M).astype(np.int8)
    if not firm_ok.all():
        band[~firm_ok] = -1
    return pd.Categorical.from_codes(band, categories=list(BANDS), ordered=True, validate=False)


def transit_access(
    companies: gpd.GeoDataFrame,
    stops: gpd.GeoDataFrame,
    *,
    as_of: DateLike = None,
    include: Iterable[str] | str = (),
    thresholds_m: Iterable[float] = DEFAULT_THRESHOLDS_M,
    network: object = None,
    distance: DistanceKind | DistanceBasis | None = None,
    detour_factor: float | None = None,
    snap_limit_m: float | None = None,
) -> TransitAccess:
    """Find each firm's nearest rail, bus and any stop in service on a date.

    Parameters
    ----------
    companies : geopandas.GeoDataFrame
        Firms as points with a unique ``company_id`` (``employees`` used when
        present). Any CRS; reprojected to EPSG:25832.
    stops : geopandas.GeoDataFrame
        Stops as points with ``stop_id``, ``name``, ``mode``, ``status`` and
        optionally ``opens``.
    as_of : date-like, optional
        The date (default: today). See :mod:`areas.scenario`.
    include : iterable of str, optional
        Statuses counted even before they open: ``"planned"``, ``"study"``.
    thresholds_m : iterable of float, default (400, 600, 800, 1200)
        Distances for the share columns of :meth:`TransitAccess.per_district`.
    network : GeoDataFrame or WalkingNetwork, optional
        Where people may walk: a network layer ((Multi)LineStrings, see
        :func:`areas.analysis.network.build_network`) or a prepared graph
        (``atlas.walking_network()``). With it ``distance`` defaults to
        ``"network"``.
    distance : {"straight", "detour", "network"} or DistanceBasis, optional
        Which distance shares, medians, ``rail_band`` and ``fingerplan_band``
        use: the straight line (the default without a network), the detour
        estimate (``"detour"``; ``"walk"`` is its former name, same output),
        the walk along ``network`` (the default with one: columns
        ``{group}_network_m`` and ``{group}_network_stop_id``), or another
        basis (see :mod:`areas.analysis.transit.distance`).
    detour_factor : float, optional
        Walking / straight-line distance, at least 1; default
        :data:`DEFAULT_DETOUR_FACTOR` (1.3).
    snap_limit_m : float, optional
        For ``distance="network"``: farthest a firm or stop may be from the
        network (default 300 m); farther is unreachable.

    Returns
    -------
    TransitAccess
        Per-firm nearest stops and distances (``.companies``) and the
        parameters (``.params``, a :class:`TransitParams`). The module
        docstring states the rules for ties, groups without stops and the
        detour factor.

    Raises
    ------
    areas.errors.ConfigError
        For an invalid ``as_of``, ``include``, ``thresholds_m``, ``distance``
        or ``detour_factor``.
    areas.errors.MissingCrsError
        If a frame has no CRS.
    areas.errors.SchemaError
        For stops with an unknown ``mode``.

    Examples
    --------
    A rail stop 400 m and a bus stop 300 m from one firm:

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> stops = gpd.GeoDataFrame(
    ...     {"stop_id": ["rail-1", "bus-1"], "name": ["Station", "Stop"],
    ...      "mode": ["s_train", "bus"], "status": ["existing", "existing"]},
    ...     geometry=[Point(0, 0), Point(300, 400)], crs="EPSG:25832")
    >>> firms = gpd.GeoDataFrame(
    ...     {"company_id": ["a"]}, geometry=[Point(0, 400)], crs="EPSG:25832")
    >>> access = transit_access(firms, stops, as_of="2026-01-01")
    >>> row = access.companies.iloc[0]
    >>> cols = ["nearest_rail_stop_id", "rail_distance_m", "rail_walk_m", "rail_band"]
    >>> print(*row[cols])
    rail-1 400.0 520.0 core
    >>> print(row["nearest_any_stop_id"], row["nearest_any_mode"], row["any_distance_m"])
    bus-1 bus 300.0
    >>> walk = transit_access(firms, stops, as_of="2026-01-01", distance="detour")
    >>> print(walk.distance, walk.companies["rail_band"].iloc[0])
    detour core
    """
    ts = resolve_as_of(as_of)
    inc = resolve_include(include)
    thresholds = _check_thresholds(thresholds_m)
    basis, factor = _resolve_basis(distance, detour_factor, network, snap_limit_m)
    return _transit_access(companies, stops, ts, inc, thresholds, basis, factor)


def _transit_access(
    companies: gpd.GeoDataFrame,
    stops: gpd.GeoDataFrame,
    ts: pd.Timestamp,
    inc: tuple[str, ...],
    thresholds: tuple[float, ...],
    basis: DistanceBasis,
    factor: float,
    in_service: np.ndarray | None = None,
) -> TransitAccess:
    """:func:`transit_access` for checked options; ``in_service``: the scenario's stop mask."""
    # Firms: a coordinate array; the ids are only checked to be present.
    check_columns(companies, ["company_id"], layer="companies")
    firm_xy, firm_ok = point_coordinates(
        work_geometry(companies, layer="companies"), companies["company_id"], layer="companies"
    )
    prepared = _prepare_stops(stops, ts, inc, in_service)
    found, sizes, unreached = _measure(_firm_points(firm_xy, firm_ok), prepared, basis, factor)
    frame = _frame(companies, firm_ok, prepared, found, basis)
    params = TransitParams(
        as_of=ts,
        include=inc,
        thresholds_m=thresholds,
        distance=basis.name,
        detour_factor=factor,
        stops_in_service={g: sizes[g] for g in GROUPS},
        stops_without_location=tuple(str(s) for s in prepared.ids[~prepared.located]),
        stops_in_layer=len(stops),
    )
    return TransitAccess(
        companies=frame,
        params=params,
        as_of=ts,
        basis=basis,
        unreachable=None
        if isinstance(basis, (Straight, Detour))
        else _unreachable(companies, unreached),
    )


def _int_or_na(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Return employee counts as nullable ``Int64`` (``Float64`` if any is fractional)."""
    missing = np.isnan(values)
    filled = np.where(missing, 0.0, values)
    if np.all(filled == np.round(filled)):
        return nullable_int(values)
    return pd.arrays.FloatingArray(filled, missing)
