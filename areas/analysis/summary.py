"""One row per district: BID coverage, rewilded hectares and transit access.

:func:`summarize` runs the four analyses on an :class:`~areas.atlas.Atlas` for
one scenario (a date, and the planned or studied stops to include) and joins
their per-district figures; :func:`compare` subtracts two summaries, for
example today against the full light rail or against a metro study.

Every firm is accounted for once (:attr:`Summary.reconciliation`)::

    firms in = assigned to a district + outside every district + excluded

where *excluded* counts the firms the loader left out (with their reasons, from
``atlas.sources["companies"].excluded``) and any firm without a location in a
hand-made frame.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from areas.analysis.bid import BidCoverage, _bid_coverage
from areas.analysis.params import SummaryParams
from areas.analysis.prepared import Assignment, prepare_assignment
from areas.analysis.rewilding import Rewilding, _rewilding
from areas.analysis.service import DEFAULT_WINDOW, DgRegioParameters, PtalParameters
from areas.analysis.service_summary import ServiceSummary, service_summary
from areas.analysis.transit.access import (
    TransitAccess,
    _check_thresholds,
    _resolve_basis,
    _transit_access,
)
from areas.analysis.transit.distance import DistanceBasis
from areas.atlas import Atlas
from areas.constants import ASSIGNMENTS, DEFAULT_THRESHOLDS_M, DistanceKind
from areas.errors import ConfigError
from areas.scenario import (
    DateLike,
    ScenarioMasks,
    resolve_as_of,
    resolve_include,
    scenario_masks,
)

__all__ = ["Summary", "SummaryParams", "summarize", "compare"]

_ATTRIBUTES = ("name", "municipality", "status")
_BID_COLUMNS = (
    "bid_area_ha",
    "bid_area_share",
    "companies_in_bid",
    "companies_in_bid_share",
    "employees_in_bid",
    "employees_in_bid_share",
    "bid_members",
    "bid_participation_share",
    "active_bids",
)
_REWILDING_COLUMNS = {
    "rewilded_ha": "rewilded_ha",
    "rewilded_share": "rewilded_share",
    "plots": "rewilding_plots",
    "owners": "rewilding_owners",
    "overlap_ha": "rewilding_overlap_ha",
}


@dataclass(frozen=True, eq=False)
class Summary:
    """The per-district summary of one scenario, with the analyses behind it.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per district (sorted by ``district_id``; a ``RangeIndex``):
        ``district_id``, ``name``, ``municipality``, ``status``, ``area_ha``,
        ``companies``, ``employees``, ``companies_boundary`` (firms placed by
        the shared-boundary rule), the BID columns of
        :attr:`BidCoverage.districts`, ``rewilded_ha``, ``rewilded_share``,
        ``rewilding_plots``, ``rewilding_owners``, ``rewilding_overlap_ha``,
        the transit columns of :meth:`TransitAccess.per_district` (shares for
        every group and threshold, medians, Fingerplan band counts),
        ``distance_basis`` and ``detour_factor``; with service data
        (``atlas.service`` or ``atlas.service_table``) the columns of
        :func:`areas.analysis.service_summary.district_columns`
        (``departures_per_hour_600m_median``, ``ptal_ai_median``, the PTAL
        band shares), absent without.
    assignment : pandas.DataFrame
        :func:`areas.assign_districts` of the firms.
    bid : BidCoverage
    rewilding : Rewilding
    transit : TransitAccess
    reconciliation : dict
        ``companies_in``, ``assigned``, ``boundary`` (part of ``assigned``),
        ``outside``, ``excluded``, ``excluded_reasons`` (reason -> count),
        ``excluded_firms`` (list of ``{"id", "reason"}``), ``boundary_firms``
        (list of ``{"id", "district_id"}``: the firms placed by the
        shared-boundary rule and where they went) and ``balanced``
        (``companies_in == assigned + outside + excluded``).
    params : SummaryParams
        ``as_of``, ``include``, ``thresholds_m``, ``distance``,
        ``detour_factor``. For one release it also reads as the former dict
        (``params["as_of"]`` is the ISO date).
    as_of : pandas.Timestamp
    masks : areas.scenario.ScenarioMasks
        The stops in service, active BIDs and established plots of the
        scenario (``masks.stops_in_service``, ``masks.active_bids``,
        ``masks.plots_established``: read-only boolean arrays in the row
        order of ``atlas.stops``, ``atlas.bids`` and ``atlas.rewilding``).
    service : ServiceSummary or None
        Departures per station, the per-firm service columns
        (``departures_per_hour_600m``, ``ptal_ai``, ``ptal_band``,
        ``dg_regio_access``) and the per-district ones; None without service data.
    """

    table: pd.DataFrame
    assignment: pd.DataFrame
    bid: BidCoverage
    rewilding: Rewilding
    transit: TransitAccess
    reconciliation: dict
    params: SummaryParams
    as_of: pd.Timestamp
    masks: ScenarioMasks | None = None
    service: ServiceSummary | None = None

    @property
    def distance(self) -> str:
        """``"straight"`` or ``"walk"``: the distance the transit columns use."""
        return self.params["distance"]

    def _repr_html_(self) -> str:
        p = self.params
        rec = self.reconciliation
        include = ", ".join(p["include"]) or "existing only"
        head = (
            f"<p><b>Summary</b> as of {p['as_of']}; stops: {include}; distances: {p['distance']}"
            f" (detour factor {p['detour_factor']:g}); firms in {rec['companies_in']:,} = assigned "
            f"{rec['assigned']:,} + outside {rec['outside']:,} + excluded {rec['excluded']:,}</p>"
        )
        return head + self.table._repr_html_()

    def __repr__(self) -> str:
        p = self.params
        return (
            f"Summary(as_of={p['as_of']}, include={p['include']}, distance={p['distance']!r}, "
            f"districts={len(self.table)}, firms={self.reconciliation['companies_in']})"
        )


def _reconciliation(atlas: Atlas, assignment: pd.DataFrame) -> dict:
    source = (atlas.sources or {}).get("companies")
    loader = [(str(e.id), str(e.reason)) for e in (source.excluded if source is not None else [])]
    counts = assignment["assignment"].value_counts()
    inside, boundary, outside, n_excluded = (int(counts.get(k, 0)) for k in ASSIGNMENTS)
    analysis = []
    if n_excluded:
        here = assignment.loc[assignment["assignment"] == "excluded"]
        analysis = [
            (str(i), str(r))
            for i, r in zip(here["company_id"], here["excluded_reason"], strict=True)
        ]
    excluded = loader + analysis
    on_edge = assignment.loc[assignment["assignment"] == "boundary"]
    boundary_firms = [
        {"id": str(i), "district_id": str(d)}
        for i, d in zip(on_edge["company_id"], on_edge["district_id"], strict=True)
    ]
    companies_in = len(assignment) + len(loader)
    assigned = inside + boundary
    return {
        "companies_in": companies_in,
        "assigned": assigned,
        "boundary": boundary,
        "outside": outside,
        "excluded": len(excluded),
        "excluded_reasons": dict(sorted(Counter(r for _, r in excluded).items())),
        "excluded_firms": [{"id": i, "reason": r} for i, r in excluded],
        "boundary_firms": boundary_firms,
        "balanced": companies_in == assigned + outside + len(excluded),
    }


def summarize(
    atlas: Atlas,
    *,
    as_of: DateLike = None,
    include: Iterable[str] | str = (),
    thresholds_m: Iterable[float] = DEFAULT_THRESHOLDS_M,
    distance: DistanceKind | DistanceBasis | None = None,
    detour_factor: float | None = None,
    service_date: DateLike = None,
    service_window: tuple[str, str] | str = DEFAULT_WINDOW,
    ptal_params: PtalParameters | None = None,
    dg_params: DgRegioParameters | None = None,
    snap_limit_m: float | None = None,
) -> Summary:
    """Summarise every district for one scenario.

    Parameters
    ----------
    atlas : areas.atlas.Atlas
        The five layers (from :func:`areas.load` or built by hand).
    as_of : date-like, optional
        The date of the scenario (default: today).
    include : iterable of str, optional
        Stop statuses counted before they open: ``"planned"``, ``"study"``.
    thresholds_m : iterable of float, default (400, 600, 800, 1200)
        Distance thresholds of the transit share columns.
    distance : {"straight", "detour", "network"} or DistanceBasis, optional
        Distance used by the transit shares, medians and Fingerplan bands:
        ``"network"`` walks along ``atlas.network`` (the default when the
        atlas has a network), ``"straight"`` (the default without one), or
        ``"detour"`` (the straight line times ``detour_factor``; ``"walk"`` is
        its former name). Another basis: see
        :mod:`areas.analysis.transit.distance`.
    detour_factor : float, optional
        Walking / straight-line distance (default
        :data:`areas.constants.DEFAULT_DETOUR_FACTOR`).
    service_date : date-like, optional
        The day service frequencies are counted on when the atlas has service
        data (default: for a feed its busiest weekday, for a service table
        ``as_of``, moved on to Monday from a weekend). A date outside the
        feed's period is refused, naming the period.
    service_window : pair of "HH:MM" or "HH:MM-HH:MM", default ("07:00", "09:00")
        The clock window of the frequencies.
    ptal_params, dg_params : PtalParameters, DgRegioParameters, optional
        Overrides of the PTAL and DG REGIO parameters.
    snap_limit_m : float, optional
        For ``distance="network"``: farthest a firm or stop may be from the
        network (default 300 m).

    Returns
    -------
    Summary
        ``.table`` (one row per district), the analyses (``.assignment``,
        ``.bid``, ``.rewilding``, ``.transit``), ``.reconciliation``,
        ``.params`` (a :class:`SummaryParams`) and the scenario's ``.masks``.

    Raises
    ------
    areas.errors.ConfigError
        For invalid scenario options.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import Point, box
    >>> from areas.atlas import Atlas
    >>> crs = "EPSG:25832"
    >>> atlas = Atlas(
    ...     districts=gpd.GeoDataFrame(
    ...         {"district_id": ["d"], "name": ["D"], "municipality": ["M"],
    ...          "status": ["existing"]},
    ...         geometry=[box(0, 0, 200, 100)], crs=crs),
    ...     bids=gpd.GeoDataFrame(
    ...         {"bid_id": ["b"], "name": ["B"], "start": pd.to_datetime(["2021-05-01"]),
    ...          "end": pd.to_datetime(["2023-12-31"])},
    ...         geometry=[box(0, 0, 200, 100)], crs=crs),
    ...     rewilding=gpd.GeoDataFrame(
    ...         {"plot_id": ["p"], "established": pd.to_datetime(["2022-06-01"])},
    ...         geometry=[box(0, 0, 20, 50)], crs=crs),
    ...     stops=gpd.GeoDataFrame(
    ...         {"stop_id": ["s", "st", "bus"], "name": ["S", "Station", "Bus"],
    ...          "mode": ["light_rail", "s_train", "bus"],
    ...          "status": ["planned", "existing", "existing"],
    ...          "opens": pd.to_datetime(["2025-10-26", None, None])},
    ...         geometry=[Point(0, 0), Point(3000, 0), Point(100, 100)], crs=crs),
    ...     companies=gpd.GeoDataFrame(
    ...         {"company_id": ["a", "b"], "name": ["A", "B"], "employees": [5, 15],
    ...          "bid_member": [True, False]},
    ...         geometry=[Point(100, 0), Point(150, 50)], crs=crs),
    ... )
    >>> before = summarize(atlas, as_of="2023-06-30")
    >>> after = summarize(atlas, as_of="2026-01-01")
    >>> before.table[["district_id", "companies_in_bid", "bid_members", "rewilded_ha"]]
      district_id  companies_in_bid  bid_members  rewilded_ha
    0           d                 2            1          0.1
    >>> col = "rail_400m_companies_share"
    >>> print(before.table.loc[0, col], after.table.loc[0, col])
    0.0 1.0
    >>> compare(before, after).loc["d", ["companies_in_bid", "rail_400m_companies_share"]].tolist()
    [-2.0, 1.0]
    """
    if not isinstance(atlas, Atlas):
        msg = f"`atlas` must be an areas.Atlas (from `areas.load`), got {type(atlas).__name__}"
        raise ConfigError(msg)
    ts = resolve_as_of(as_of)
    inc = resolve_include(include)
    thresholds = _check_thresholds(thresholds_m)
    # The graph is built (once per atlas) only when the network is used.
    network = atlas.walking_network if atlas.has_network else None
    basis, factor = _resolve_basis(distance, detour_factor, network, snap_limit_m)
    masks = scenario_masks(atlas.stops, atlas.bids, atlas.rewilding, ts, inc)
    transit = _transit_access(
        atlas.companies,
        atlas.stops,
        ts,
        inc,
        thresholds,
        basis,
        factor,
        in_service=masks.stops_in_service,
    )
    a = prepare_assignment(atlas.companies, atlas.districts)
    assignment = a.frame(atlas.companies.index)
    transit = _with_firm_columns(transit, atlas.companies, assignment)
    bid = _bid_coverage(a, atlas.bids, atlas.companies, ts, masks.active_bids)
    rewilding = _rewilding(a.districts, atlas.rewilding, ts, masks.plots_established)
    ids = sorted(str(i) for i in a.districts.ids)
    service = service_summary(
        atlas,
        assignment,
        as_of=ts,
        include=inc,
        in_service=masks.stops_in_service,
        basis=basis,
        detour_factor=factor,
        district_ids=ids,
        service_date=service_date,
        service_window=service_window,
        ptal_params=ptal_params,
        dg_params=dg_params,
    )
    params = SummaryParams(
        as_of=ts,
        include=inc,
        thresholds_m=transit.params.thresholds_m,
        distance=transit.params.distance,
        detour_factor=transit.params.detour_factor,
        groups_without_stops=transit.params.groups_without_stops,
        service_date=None if service is None else service.params["service_date"],
        service_window=None if service is None else tuple(service.params["service_window"]),
        service=None if service is None else service.params,
    )
    from areas.analysis.fingerplan import district_hectares, fingerplan_stopset

    hectares = district_hectares(atlas.districts, basis, fingerplan_stopset(atlas.stops, ts, inc))
    reconciliation = _reconciliation(atlas, assignment)
    reconciliation["unreachable"] = _unreachable(transit, basis)
    table = _table(a, bid, rewilding, transit, assignment, hectares)
    if service is not None:
        for col in service.districts.columns:
            table[col] = service.districts[col].to_numpy()
    return Summary(
        table=table,
        assignment=assignment,
        bid=bid,
        rewilding=rewilding,
        transit=transit,
        reconciliation=reconciliation,
        params=params,
        as_of=ts,
        masks=masks,
        service=service,
    )


def _with_firm_columns(transit: Any, companies: Any, assignment: pd.DataFrame) -> Any:
    """Return ``transit`` with each firm's ``district_id`` and ``name`` after ``company_id``."""
    firms = pd.DataFrame(transit.companies).copy()
    district = assignment["district_id"] if "district_id" in assignment.columns else None
    at = 1 if "company_id" in firms.columns else 0
    if district is not None and "district_id" not in firms.columns:
        firms.insert(at, "district_id", district.reindex(firms.index).array)
        at += 1
    if "name" in companies.columns and "name" not in firms.columns:
        firms.insert(at, "name", companies["name"].reindex(firms.index).array)
    return dataclasses.replace(transit, companies=firms)


def _unreachable(transit: TransitAccess, basis: DistanceBasis) -> dict:
    """Return the firms the distance basis cannot reach, per group, with the reason."""
    table = transit.unreachable
    firms = (
        []
        if table is None
        else [
            {"id": str(i), "group": str(g), "reason": str(r)}
            for i, g, r in zip(table["company_id"], table["group"], table["reason"], strict=True)
        ]
    )
    reasons = Counter(f"{f['group']}: {f['reason']}" for f in firms)
    return {
        "basis": basis.name,
        "snap_limit_m": getattr(basis, "snap_limit_m", None),
        "firms": firms,
        "counts": dict(sorted(reasons.items())),
        "note": "unreachable firms count as beyond every threshold and band",
    }


def _table(
    a: Assignment,
    bid: BidCoverage,
    rewilding: Rewilding,
    transit: TransitAccess,
    assignment: pd.DataFrame,
    hectares: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Join the analyses' per-district figures into the summary table."""
    ids = sorted(str(i) for i in a.districts.ids)
    per = transit.per_district(assignment, district_ids=ids)
    attrs = a.districts.frame.copy()
    attrs["district_id"] = attrs["district_id"].astype(str)
    attrs = attrs.set_index("district_id").reindex(ids)
    on_edge = a.covering > 1
    boundary = pd.Series(
        np.bincount(a.district_index[on_edge], minlength=len(a.districts.ids)),
        index=pd.Index(a.districts.ids, dtype="str"),
    ).reindex(ids)
    b = bid.districts.reindex(ids)
    r = rewilding.districts.reindex(ids)
    columns: dict[str, object] = {"district_id": pd.array(ids, dtype="str")}
    for col in _ATTRIBUTES:
        columns[col] = pd.array(
            attrs[col].to_numpy(dtype=object) if col in attrs.columns else [None] * len(ids),
            dtype="str",
        )
    columns["area_ha"] = b["area_ha"].to_numpy()
    columns["companies"] = b["companies"].to_numpy()
    columns["employees"] = b["employees"].to_numpy()
    columns["companies_boundary"] = boundary.to_numpy(dtype=np.int64)
    for col in _BID_COLUMNS:
        columns[col] = b[col].to_numpy()
    for col, name in _REWILDING_COLUMNS.items():
        columns[name] = r[col].to_numpy()
    for col in per.columns:
        if col not in ("companies", "employees"):
            columns[col] = per[col].to_numpy() if col != "distance_basis" else per[col].array
        if col == "fingerplan_beyond_employees" and hectares is not None:
            h = hectares.reindex(ids)
            for hcol in h.columns:
                columns[hcol] = h[hcol].to_numpy()
    return pd.DataFrame(columns)


def compare(summary_a: Summary, summary_b: Summary) -> pd.DataFrame:
    """Return, per district, the numeric columns of ``summary_b`` minus ``summary_a``.

    Parameters
    ----------
    summary_a, summary_b : Summary
        Two scenarios, for example ``summarize(atlas)`` and
        ``summarize(atlas, include=["planned"])``. They must use the same
        ``distance`` (and detour factor for walking distances).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``district_id`` (the districts of either summary, sorted);
        ``name`` then every numeric column the two tables share, as b − a
        (``NaN`` where either is missing). ``attrs["a"]`` and ``attrs["b"]``
        hold the two summaries' ``params``.

    Raises
    ------
    areas.errors.ConfigError
        If the two summaries measure transit distance differently.

    Examples
    --------
    Today against the metro study on the bundled layers: the study can only
    bring rail stops nearer.

    >>> import areas
    >>> atlas = areas.load()
    >>> today = summarize(atlas, as_of="2026-01-01")
    >>> metro = summarize(atlas, as_of="2026-01-01", include=["study"])
    >>> diff = compare(today, metro)
    >>> bool((diff["median_rail_distance_m"].dropna() <= 0).all())
    True
    >>> float(diff.loc["hersted-industripark", "area_ha"])
    0.0
    """
    pa, pb = summary_a.params, summary_b.params
    if pa["distance"] != pb["distance"] or (
        pa["distance"] in ("walk", "detour") and pa["detour_factor"] != pb["detour_factor"]
    ):
        msg = (
            f"the summaries measure transit distances differently ({_basis(pa)} vs {_basis(pb)}); "
            "compute both with the same `distance` and `detour_factor`"
        )
        raise ConfigError(msg)
    ta = summary_a.table.set_index("district_id")
    tb = summary_b.table.set_index("district_id")
    ids = sorted(set(ta.index.astype(str)) | set(tb.index.astype(str)))
    numeric = [
        c
        for c in ta.columns
        if c in tb.columns
        and c != "detour_factor"
        and pd.api.types.is_numeric_dtype(ta[c])
        and not pd.api.types.is_bool_dtype(ta[c])
        and pd.api.types.is_numeric_dtype(tb[c])
    ]
    a = ta.reindex(ids)[numeric].astype(float)
    b = tb.reindex(ids)[numeric].astype(float)
    diff = b - a
    names = (
        tb["name"].reindex(ids).fillna(ta["name"].reindex(ids)) if "name" in tb.columns else None
    )
    if names is not None:
        diff.insert(0, "name", names.array)
    diff.index = pd.Index(ids, name="district_id", dtype="str")
    diff.attrs = {"a": dict(pa), "b": dict(pb)}
    return diff


def _basis(params: Mapping[str, Any]) -> str:
    if params["distance"] in ("walk", "detour"):
        return f"walk (x{params['detour_factor']:g})"
    return "straight"
