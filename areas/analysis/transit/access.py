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
  2009, see the constant), and business districts with large fenced plots sit
  at the upper end.
- **Which distance counts.** Threshold shares, medians and the Fingerplan band
  use the straight-line distance unless ``distance="walk"``. Every result says
  which one it used: ``params["distance"]``, the ``distance`` attribute and the
  ``distance_basis`` column of :meth:`TransitAccess.per_district`.
- **No stop in service.** When a group has no stop in service on ``as_of``
  the firm's nearest stop is missing and its distance is ``NaN``, meaning
  *not reachable*: it counts as beyond every threshold (never within), its
  Fingerplan band is ``"beyond"``, and medians treat it as infinitely far
  (so a district's median is ``NaN`` once half its firms reach no stop).
- **Ties.** Stops whose distances differ by at most :data:`TIE_TOLERANCE_M`
  are equally near; the one with the lowest ``stop_id`` wins, so results do not
  depend on the row order of the stops.
- **Fingerplan band** (``rail_band``): ``"core"`` within 600 m of a rail stop
  (the station-proximity reference walking distance of the Fingerplan),
  ``"station_near"`` within 1,200 m, else ``"beyond"``. Fingerplan distances
  are walking distances; ``distance="walk"`` is the closer reading of it.

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
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from areas.analysis._geom import (
    check_columns,
    check_ids,
    nullable_int,
    numeric_column,
    point_coordinates,
    safe_share,
    work_geometry,
)
from areas.errors import ConfigError, SchemaError, format_ids
from areas.scenario import resolve_as_of, resolve_include, stops_in_service
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
    "transit_access",
]

#: Walking distance / straight-line distance assumed for ``{group}_walk_m``.
#: Network distance is on average about 1.2-1.3 times the straight-line
#: distance in urban areas: Levinson, D. & El-Geneidy, A. (2009), "The minimum
#: circuity frontier and the journey to work", *Regional Science and Urban
#: Economics* 39(6) (random and actual origin-destination pairs in twenty US
#: metropolitan regions); O'Sullivan, S. & Morrall, J. (1996), "Walking
#: distances to and from light-rail transit stations", *Transportation Research
#: Record* 1538, report circuity of about 1.21-1.23 in light-rail station
#: catchments. 1.3 is the upper end, fitting
#: industrial estates with large plots and few through paths.
DEFAULT_DETOUR_FACTOR = 1.3
#: Distance thresholds (m) of the share columns.
DEFAULT_THRESHOLDS_M = (400, 600, 800, 1200)
#: Fingerplan 2019 station-near core area: within 600 m of a station.
CORE_AREA_M = 600
#: Fingerplan 2019 station-near area: within 1,200 m of a station.
STATION_NEAR_M = 1200
#: Mode groups reported, in column order.
GROUPS = ("rail", "bus", "any")
#: Values of ``distance``.
DISTANCES = ("straight", "walk")
#: Values of ``rail_band``, nearest first.
BANDS = ("core", "station_near", "beyond")
#: Distances closer than this (m) count as equal; the lowest ``stop_id`` wins.
TIE_TOLERANCE_M = 1e-6
#: Threads for the nearest-stop queries (``-1``: all cores; results do not depend on it).
WORKERS = -1


# --------------------------------------------------------------------------- options


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


def _check_distance(distance: str) -> str:
    if distance not in DISTANCES:
        msg = f"`distance` must be {' or '.join(map(repr, DISTANCES))}, got {distance!r}"
        raise ConfigError(msg)
    return distance


def _check_detour(detour_factor: float | None) -> float:
    if detour_factor is None:
        return DEFAULT_DETOUR_FACTOR
    try:
        value = float(detour_factor)
    except (TypeError, ValueError) as exc:
        msg = _detour_message(detour_factor)
        raise ConfigError(msg) from exc
    if not math.isfinite(value) or value < 1:
        msg = _detour_message(detour_factor)
        raise ConfigError(msg)
    return value


def _detour_message(detour_factor: object) -> str:
    return (
        f"`detour_factor` must be a number of at least 1 (default {DEFAULT_DETOUR_FACTOR}), "
        f"got {detour_factor!r}"
    )


def _label(t: float) -> str:
    return f"{t:g}"


# --------------------------------------------------------------------------- nearest stop


@dataclass(frozen=True)
class _StopGroup:
    """The stops of one mode group in service, deduplicated by location."""

    tree: cKDTree | None
    stop_index: np.ndarray  # tree point -> row of the stops frame (lowest id at that spot)
    rank: np.ndarray  # tree point -> rank of its stop id
    size: int  # stops in service in the group (before deduplication)


def _build_group(xy: np.ndarray, rows: np.ndarray, rank: np.ndarray) -> _StopGroup:
    if len(rows) == 0:
        e = np.empty(0, dtype=np.intp)
        return _StopGroup(tree=None, stop_index=e, rank=e, size=0)
    rows = rows[np.argsort(rank[rows])]
    # Several stops at one spot (a bus and a rail stop sharing a point): keep the lowest id,
    # the first of each spot in a stable sort by coordinates of the rows in id order.
    pts = xy[rows]
    by_xy = np.lexsort((pts[:, 1], pts[:, 0]))
    s = pts[by_xy]
    first_at_spot = np.r_[True, (s[1:] != s[:-1]).any(axis=1)]
    kept = rows[by_xy[first_at_spot]]
    kept = kept[np.argsort(rank[kept])]
    return _StopGroup(tree=cKDTree(xy[kept]), stop_index=kept, rank=rank[kept], size=len(rows))


def _locality_order(points: np.ndarray) -> np.ndarray | None:
    """Order points cell by cell on a 256 x 256 grid (serpentine rows).

    Neighbouring firms are then queried one after the other, which keeps the
    tree's nodes in cache and makes the queries markedly faster for large
    inputs. The order does not change any result.
    """
    if len(points) < 20_000:
        return None
    lo = points.min(axis=0)
    span = points.max(axis=0) - lo
    span[span <= 0] = 1.0
    cell = np.minimum((points - lo) * (256.0 / span), 255.0).astype(np.uint16)
    gx, gy = cell[:, 0], cell[:, 1]
    gx = np.where(gy & 1, 255 - gx, gx)
    return np.argsort((gy << 8) | gx, kind="stable")


def _nearest(group: _StopGroup, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(stop_row, distance_m)`` for each point (``-1``/``NaN`` when the group is empty)."""
    n = len(points)
    if group.tree is None or n == 0:
        return np.full(n, -1, dtype=np.intp), np.full(n, np.nan)
    k = 2 if group.tree.n >= 2 else 1
    dist, idx = group.tree.query(points, k=k, workers=WORKERS)
    if k == 1:
        return group.stop_index[idx], dist
    d0 = dist[:, 0]
    best = idx[:, 0]
    tie = np.flatnonzero(dist[:, 1] - d0 <= TIE_TOLERANCE_M)
    if len(tie):
        # Equidistant stops (rare outside drawn test grids): the lowest stop id wins.
        found = group.tree.query_ball_point(
            points[tie], r=d0[tie] + TIE_TOLERANCE_M, workers=WORKERS
        )
        lengths = np.fromiter(map(len, found), dtype=np.intp, count=len(tie))
        flat = np.concatenate(found).astype(np.intp)
        owner = np.repeat(np.arange(len(tie)), lengths)
        order = np.lexsort((group.rank[flat], owner))
        first = np.r_[0, np.cumsum(lengths)[:-1]]
        best = best.copy()
        best[tie] = flat[order][first]
        d0 = d0.copy()
        d0[tie] = np.hypot(*(points[tie] - group.tree.data[best[tie]]).T)
    return group.stop_index[best], d0


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
        line) and ``{g}_walk_m`` (straight line times the detour factor);
        ``rail_band`` (ordered categorical ``core`` < ``station_near`` <
        ``beyond``, by the chosen distance; missing for firms without a
        location); ``employees``.
    params : dict
        ``as_of`` (ISO date), ``include``, ``thresholds_m``, ``distance``,
        ``detour_factor``, ``stops_in_service`` (per group) and
        ``stops_without_location`` (ids).
    as_of : pandas.Timestamp
        The date the stops were taken as of.
    """

    companies: pd.DataFrame
    params: dict = field(default_factory=dict)
    as_of: pd.Timestamp | None = None

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
        return f"{group}_walk_m" if self.distance == "walk" else f"{group}_distance_m"

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
            as 0; a share whose denominator is 0 is ``NaN``.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely.geometry import Point, box
        >>> from areas.analysis.assign import assign_districts
        >>> stops = gpd.GeoDataFrame(
        ...     {"stop_id": ["s"], "name": ["Station"], "mode": ["s_train"],
        ...      "status": ["existing"]},
        ...     geometry=[Point(0, 0)], crs="EPSG:25832")
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
        own = self.companies
        if not assignment.index.equals(own.index):
            same = (
                assignment.index.is_unique
                and own.index.is_unique
                and len(assignment) == len(own)
                and assignment.index.isin(own.index).all()
            )
            if not same:
                msg = (
                    "`assignment` must be indexed like the firms given to `transit_access` "
                    "(same labels)"
                )
                raise ConfigError(msg)
            assignment = assignment.reindex(own.index)
        if "company_id" in assignment.columns:
            a_ids = assignment["company_id"].to_numpy(dtype=object)
            if not (a_ids == own["company_id"].to_numpy(dtype=object)).all():
                msg = (
                    "`assignment` belongs to other firms: its `company_id` values differ "
                    "from the transit result's"
                )
                raise ConfigError(msg)
        if companies is not None:
            employees = numeric_column(companies.reindex(own.index), "employees")
        else:
            employees = own["employees"].to_numpy(dtype=float, na_value=np.nan)
        employees = np.where(np.isnan(employees), 0.0, employees)

        district = assignment["district_id"]
        present = district.notna().to_numpy()
        if district_ids is None:
            ids = np.array(sorted(set(district[present].astype(str))), dtype=object)
        else:
            ids = np.array([str(d) for d in district_ids], dtype=object)
        lookup = pd.Index(ids)
        codes = np.full(len(own), -1, dtype=np.intp)
        codes[present] = lookup.get_indexer(district[present].astype(str).to_numpy())
        keep = codes >= 0
        c = codes[keep]
        emp = employees[keep]
        n = len(ids)
        counts = np.bincount(c, minlength=n).astype(np.int64)
        emp_total = np.bincount(c, weights=emp, minlength=n)
        out: dict[str, object] = {"companies": counts, "employees": emp_total}
        medians = {}
        for g in GROUPS:
            d = own[self.distance_column(g)].to_numpy(dtype=float)[keep]
            for t in self.thresholds_m:
                within = d <= t  # NaN (no stop in service) is never within
                out[f"{g}_{_label(t)}m_companies_share"] = safe_share(
                    np.bincount(c, weights=within.astype(float), minlength=n), counts
                )
                out[f"{g}_{_label(t)}m_employees_share"] = safe_share(
                    np.bincount(c, weights=emp * within, minlength=n), emp_total
                )
            medians[f"median_{g}_distance_m"] = _group_median(c, d, n)
        out.update(medians)
        band = own["rail_band"].cat.codes.to_numpy()[keep]
        for b_code, b in enumerate(BANDS):
            is_b = band == b_code
            out[f"rail_{b}_companies"] = np.bincount(
                c, weights=is_b.astype(float), minlength=n
            ).astype(np.int64)
            out[f"rail_{b}_employees"] = np.bincount(c, weights=emp * is_b, minlength=n)
        out["distance_basis"] = np.full(n, self.distance, dtype=object)
        out["detour_factor"] = np.full(n, self.params["detour_factor"])
        table = pd.DataFrame(out, index=pd.Index(ids, name="district_id", dtype="str"))
        table["distance_basis"] = table["distance_basis"].astype("str")
        return table

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


def _group_median(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Median of ``values`` per group, NaN treated as infinitely far; NaN when infinite or empty."""
    v = np.where(np.isnan(values), np.inf, values)
    # Sort by value, then (stably) by group: a radix sort for small group codes.
    by_value = np.argsort(v)
    small = codes.astype(np.uint16) if n <= np.iinfo(np.uint16).max else codes
    order = by_value[np.argsort(small[by_value], kind="stable")]
    v_sorted = v[order]
    counts = np.bincount(codes, minlength=n)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    out = np.full(n, np.nan)
    has = counts > 0
    lo = v_sorted[starts[has] + (counts[has] - 1) // 2]
    hi = v_sorted[starts[has] + counts[has] // 2]
    with np.errstate(invalid="ignore"):
        med = (lo + hi) / 2
    out[has] = np.where(np.isfinite(med), med, np.nan)
    return out


def _categorical(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=categories, validate=False)


def transit_access(
    companies: gpd.GeoDataFrame,
    stops: gpd.GeoDataFrame,
    *,
    as_of: object = None,
    include: Iterable[str] | str = (),
    thresholds_m: Iterable[float] = DEFAULT_THRESHOLDS_M,
    distance: str = "straight",
    detour_factor: float | None = None,
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
    distance : {"straight", "walk"}, default "straight"
        Which distance shares, medians and ``rail_band`` use.
    detour_factor : float, optional
        Walking / straight-line distance, at least 1; default
        :data:`DEFAULT_DETOUR_FACTOR` (1.3).

    Returns
    -------
    TransitAccess
        Per-firm nearest stops and distances (``.companies``) and the
        parameters (``.params``). The module docstring states the rules for
        ties, groups without stops and the detour factor.

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
    >>> walk = transit_access(firms, stops, as_of="2026-01-01", distance="walk")
    >>> print(walk.distance, walk.companies["rail_band"].iloc[0])
    walk core
    """
    ts = resolve_as_of(as_of)
    inc = resolve_include(include)
    thresholds = _check_thresholds(thresholds_m)
    dist_kind = _check_distance(distance)
    factor = _check_detour(detour_factor)

    # Firms: a coordinate array; the ids are only checked to be present.
    check_columns(companies, ["company_id"], layer="companies")
    firm_ids = companies["company_id"]
    firm_xy, firm_ok = point_coordinates(
        work_geometry(companies, layer="companies"), firm_ids, layer="companies"
    )
    n = len(firm_xy)

    # Stops.
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
    in_service = stops_in_service(stops, ts, inc) & stop_ok
    by_id = np.argsort(stop_ids.astype(str), kind="stable")
    rank = np.empty(len(stop_ids), dtype=np.intp)
    rank[by_id] = np.arange(len(stop_ids))

    # Nearest stop per group, all firms at once, queried in a cache-friendly order.
    located = np.flatnonzero(firm_ok) if not firm_ok.all() else None
    pts = firm_xy if located is None else firm_xy[located]
    order = _locality_order(pts)
    if order is not None:
        pts = pts[order]
    nearest: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    sizes: dict[str, int] = {}
    for g in ("rail", "bus"):
        rows = np.flatnonzero(in_service & np.isin(modes, MODE_GROUPS[g]))
        group = _build_group(stop_xy, rows, rank)
        sizes[g] = group.size
        nearest[g] = _nearest(group, pts)
    # Back to the firms' order (and to all firms: unlocated ones get no stop).
    if order is None and located is None:
        target = None
    elif located is None:
        target = order
    else:
        target = located if order is None else located[order]

    def _spread(values: np.ndarray, fill) -> np.ndarray:
        if target is None:
            return values
        # A full permutation needs no fill; unlocated firms get `fill`.
        out = (
            np.empty(n, dtype=values.dtype)
            if located is None
            else np.full(n, fill, dtype=values.dtype)
        )
        out[target] = values
        return out

    r_row, r_d = (_spread(nearest["rail"][0], -1), _spread(nearest["rail"][1], np.nan))
    b_row, b_d = (_spread(nearest["bus"][0], -1), _spread(nearest["bus"][1], np.nan))
    # Any stop: the nearer of the two (NaN, no stop of a group, compares False); ties: lowest id.
    use_rail = (r_d < b_d) | np.isnan(b_d)
    with np.errstate(invalid="ignore"):
        tie = np.flatnonzero(np.abs(r_d - b_d) <= TIE_TOLERANCE_M)
    use_rail[tie] = rank[r_row[tie]] < rank[b_row[tie]]
    found = {
        "rail": (r_row, r_d),
        "bus": (b_row, b_d),
        "any": (np.where(use_rail, r_row, b_row), np.where(use_rail, r_d, b_d)),
    }
    sizes["any"] = sizes["rail"] + sizes["bus"]

    # Output frame, built from arrays: categoricals for the stop attributes.
    # Categories in a fixed order (ids sorted), so the output does not depend on row order.
    id_cats = pd.Index(stop_ids[by_id], dtype="str")
    id_ext = np.append(rank, -1).astype(np.int32)
    names = stops["name"] if "name" in stops.columns else pd.Series(None, index=stops.index)
    name_codes, name_cats = pd.factorize(names.astype("str"), sort=True)
    name_cats = pd.Index(name_cats, dtype="str")
    mode_cats = pd.Index(MODES, dtype="str")
    # One extra slot so that row -1 (no stop) maps to code -1 (missing).
    name_ext = np.append(name_codes, -1).astype(np.int32)
    mode_ext = np.append(mode_cats.get_indexer(modes), -1).astype(np.int8)
    data: dict[str, object] = {}
    # Copies: the result must never share memory with the caller's frame.
    data["company_id"] = (
        firm_ids.array.copy()
        if firm_ids.dtype == "str"
        else pd.array(firm_ids.astype(str), dtype="str")
    )
    chosen: dict[str, np.ndarray] = {}
    for g in GROUPS:
        row, d = found[g]
        data[f"nearest_{g}_stop_id"] = _categorical(id_ext[row], id_cats)
        data[f"nearest_{g}_name"] = _categorical(name_ext[row], name_cats)
        data[f"nearest_{g}_mode"] = _categorical(mode_ext[row], mode_cats)
        walk = d * factor
        data[f"{g}_distance_m"] = d
        data[f"{g}_walk_m"] = walk
        chosen[g] = walk if dist_kind == "walk" else d
    rail = chosen["rail"]
    # NaN (no rail stop in service) compares False, so it lands in "beyond".
    band = 2 - (rail <= STATION_NEAR_M).astype(np.int8) - (rail <= CORE_AREA_M).astype(np.int8)
    if located is not None:
        band[~firm_ok] = -1
    data["rail_band"] = pd.Categorical.from_codes(
        band, categories=list(BANDS), ordered=True, validate=False
    )
    if "employees" in companies.columns and companies["employees"].dtype == "Int64":
        data["employees"] = companies["employees"].array.copy()
    else:
        data["employees"] = _int_or_na(numeric_column(companies, "employees"))
    frame = pd.DataFrame(data, index=companies.index.copy(), copy=False)

    unlocated = stop_ids[~stop_ok]
    params = {
        "as_of": ts.date().isoformat(),
        "include": inc,
        "thresholds_m": thresholds,
        "distance": dist_kind,
        "detour_factor": factor,
        "stops_in_service": dict(sizes),
        "stops_without_location": [str(s) for s in unlocated],
    }
    return TransitAccess(companies=frame, params=params, as_of=ts)


def _int_or_na(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Return employee counts as nullable ``Int64`` (``Float64`` if any is fractional)."""
    missing = np.isnan(values)
    filled = np.where(missing, 0.0, values)
    if np.all(filled == np.round(filled)):
        return nullable_int(values)
    return pd.arrays.FloatingArray(filled, missing)
