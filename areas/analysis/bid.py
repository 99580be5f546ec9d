"""BID coverage: how much of each district, and which firms, active BIDs cover.

Rules
-----
- A BID counts on ``as_of`` when ``start <= as_of <= end`` (no ``end``: still
  active), by :func:`areas.scenario.active_bids`.
- **Area.** A district's BID area is the area of the *union* of the active BIDs
  clipped to the district, so overlapping BIDs are never counted twice.
- **Firms.** A firm is in a BID when an active BID polygon covers its point
  (the boundary counts). Firms are counted in the district they are assigned
  to by :func:`areas.assign_districts`; a firm covered by two active BIDs
  counts once in the district figures and in each BID's own row.
- **Members.** A BID member is a firm with ``bid_member`` true that lies inside
  an active BID; the participation share is members / firms in active BIDs.
  ``bid_member`` missing counts as not a member.
- **Employees.** Unknown employee counts count as 0 in sums and shares.
- A share with a zero denominator is ``NaN``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from areas.analysis._geom import (
    area_ha,
    area_share,
    as_counts,
    clip_pairs,
    first_by_rank,
    nullable_int,
    numeric_column,
    polygon_layer,
    safe_share,
    text_column,
    union_by_group,
)
from areas.analysis.prepared import Assignment, prepare_assignment
from areas.errors import ConfigError, SchemaError, format_ids
from areas.scenario import DateLike, active_bids, resolve_as_of

__all__ = ["BidCoverage", "bid_coverage"]

#: Firm columns shown in the call list of :meth:`BidCoverage.outside_bid`, when present.
CALL_LIST_COLUMNS = ("company_id", "name", "address", "sector", "employees", "bid_member")


@dataclass(frozen=True, eq=False)
class BidCoverage:
    """BID coverage per district, per BID and per firm on one date.

    Attributes
    ----------
    districts : pandas.DataFrame
        Indexed by ``district_id`` (sorted): ``area_ha``, ``bid_area_ha``,
        ``bid_area_share``, ``companies``, ``employees``, ``companies_in_bid``,
        ``companies_in_bid_share``, ``employees_in_bid``,
        ``employees_in_bid_share``, ``bid_members``,
        ``bid_participation_share``, ``active_bids`` (active BIDs overlapping
        the district).
    bids : pandas.DataFrame
        One row per BID (sorted by ``bid_id``): ``bid_id``, ``name``,
        ``active``, ``start``, ``end``, ``district_id``, ``area_ha`` (whole
        BID), ``companies`` and ``employees`` (firms located in the BID
        outline, active or not), ``members`` and ``participation_share``
        (active BIDs only, else missing), ``invited`` and
        ``members_reported`` (as stated in the BID layer).
    companies : pandas.DataFrame
        Indexed like the input firms: ``company_id``, ``district_id``,
        ``in_bid`` (inside an active BID), ``bid_id`` (the first active BID
        covering the firm, by id), ``bid_member`` (as given),
        ``counted_member`` (member and inside an active BID).
    as_of : pandas.Timestamp
        The date.
    """

    districts: pd.DataFrame
    bids: pd.DataFrame
    companies: pd.DataFrame
    as_of: pd.Timestamp
    _firms: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def outside_bid(self, district_id: str) -> pd.DataFrame:
        """Return the firms of a district that no active BID covers (the call list).

        Parameters
        ----------
        district_id : str
            A district of :attr:`districts`.

        Returns
        -------
        pandas.DataFrame
            The firms' ``company_id``, ``name``, ``address``, ``sector``,
            ``employees`` and ``bid_member`` (those present), largest employer
            first, then by ``company_id``; indexed like the input firms.

        Raises
        ------
        areas.errors.ConfigError
            If ``district_id`` is not a district of the result.
        """
        if district_id not in self.districts.index:
            valid = format_ids(self.districts.index)
            msg = f"`district_id` {district_id!r} is not a district; valid: {valid}"
            raise ConfigError(msg)
        mask = (self.companies["district_id"] == district_id).fillna(False) & ~self.companies[
            "in_bid"
        ]
        cols = [c for c in CALL_LIST_COLUMNS if c in self._firms.columns]
        out = self._firms.loc[mask.to_numpy(), cols].copy()
        emp = numeric_column(out, "employees")
        order = np.lexsort(
            (out["company_id"].astype(str).to_numpy(), np.where(np.isnan(emp), np.inf, -emp))
        )
        return out.iloc[order]

    def _repr_html_(self) -> str:
        head = f"<p><b>BID coverage</b> as of {self.as_of.date().isoformat()}</p>"
        return head + self.districts._repr_html_()

    def __repr__(self) -> str:
        active = int(self.bids["active"].sum()) if len(self.bids) else 0
        return (
            f"BidCoverage(as_of={self.as_of.date().isoformat()}, districts={len(self.districts)}, "
            f"bids={len(self.bids)} ({active} active), firms={len(self.companies)})"
        )


def _bid_coverage(
    a: Assignment,
    bids: gpd.GeoDataFrame,
    companies: gpd.GeoDataFrame,
    ts: pd.Timestamp,
    active_mask: np.ndarray | None = None,
) -> BidCoverage:
    """Measure BID coverage; ``active_mask`` is :func:`areas.scenario.active_bids` when known."""
    bid_ids, bid_geoms, bid_ok = polygon_layer(bids, "bid_id", ["start"], layer="bids")
    if active_mask is None:
        active_mask = active_bids(bids, ts)
    active = active_mask & bid_ok
    n_b = len(bid_ids)
    n_f = len(a.firms.ids)
    d = a.districts
    n_d = len(d.ids)

    bid_rank = np.empty(n_b, dtype=np.intp)
    bid_rank[np.argsort(bid_ids.astype(str), kind="stable")] = np.arange(n_b)

    # Area: union of the active BIDs clipped to each district.
    act_idx = np.flatnonzero(active)
    d_idx, p_idx, clipped = clip_pairs(bid_geoms[act_idx], d.geoms)
    bid_union = union_by_group(clipped, d_idx, n_d)
    district_area = area_ha(d.geoms)
    bid_area = area_ha(bid_union)
    active_per_district = np.bincount(d_idx, minlength=n_d)

    # Firms located in each BID outline (active or not).
    poly, firm = a.firms.index.covering(bid_geoms)
    act_pair = active[poly]
    best, count = first_by_rank(firm[act_pair], poly[act_pair], bid_rank, n_f)
    in_bid = count > 0

    employees = numeric_column(companies, "employees")
    emp0 = np.where(np.isnan(employees), 0.0, employees)
    if "bid_member" in companies.columns:
        try:
            member_out = pd.array(companies["bid_member"].to_numpy(dtype=object), dtype="boolean")
        except (TypeError, ValueError) as exc:
            msg = (
                "`bid_member` must be true, false or missing (a boolean column); "
                "read the layer with `areas.load`, which parses yes/no values"
            )
            raise SchemaError(msg, layer="companies") from exc
        member = member_out.fillna(False).to_numpy(dtype=bool)
    else:
        member = np.zeros(n_f, dtype=bool)
        member_out = pd.array([None] * n_f, dtype="boolean")
    counted_member = in_bid & member

    # Per district.
    di = a.district_index
    placed = di >= 0
    c = di[placed]

    def per_district(weights: np.ndarray | None) -> np.ndarray:
        w = None if weights is None else np.asarray(weights, dtype=float)[placed]
        return np.bincount(c, weights=w, minlength=n_d)

    firms_n = per_district(None)
    emp_n = per_district(emp0)
    in_bid_n = per_district(in_bid)
    emp_in_bid = per_district(emp0 * in_bid)
    members_n = per_district(counted_member)
    table = pd.DataFrame(
        {
            "area_ha": district_area,
            "bid_area_ha": bid_area,
            "bid_area_share": area_share(bid_area, district_area),
            "companies": as_counts(firms_n),
            "employees": as_counts(emp_n),
            "companies_in_bid": as_counts(in_bid_n),
            "companies_in_bid_share": safe_share(in_bid_n, firms_n),
            "employees_in_bid": as_counts(emp_in_bid),
            "employees_in_bid_share": safe_share(emp_in_bid, emp_n),
            "bid_members": as_counts(members_n),
            "bid_participation_share": safe_share(members_n, in_bid_n),
            "active_bids": active_per_district.astype(np.int64),
        },
        index=pd.Index(d.ids, name="district_id", dtype="str"),
    ).sort_index()

    # Per BID.
    b_firms = np.bincount(poly, minlength=n_b)
    b_emp = np.bincount(poly, weights=emp0[firm], minlength=n_b)
    b_members = np.bincount(poly, weights=member[firm].astype(float), minlength=n_b)
    b_area = np.where(bid_ok, area_ha(bid_geoms), np.nan)
    members_col = pd.array(np.where(active, b_members, 0).astype(np.int64), dtype="Int64")
    members_col[~active] = pd.NA
    participation = np.where(active, safe_share(b_members, b_firms), np.nan)
    bid_table = pd.DataFrame(
        {
            "bid_id": pd.array(bid_ids, dtype="str"),
            "name": pd.array(text_column(bids, "name"), dtype="str"),
            "active": active,
            "start": pd.to_datetime(bids["start"]).to_numpy(),
            "end": pd.to_datetime(bids["end"]).to_numpy() if "end" in bids.columns else pd.NaT,
            "district_id": pd.array(text_column(bids, "district_id"), dtype="str"),
            "area_ha": b_area,
            "companies": b_firms.astype(np.int64),
            "employees": as_counts(b_emp),
            "members": members_col,
            "participation_share": participation,
            "invited": nullable_int(numeric_column(bids, "invited")),
            "members_reported": nullable_int(numeric_column(bids, "members")),
        }
    )
    bid_table = bid_table.iloc[np.argsort(bid_rank)].reset_index(drop=True)

    # Per firm.
    district_id = np.full(n_f, None, dtype=object)
    district_id[placed] = d.ids[di[placed]]
    bid_of_firm = np.full(n_f, None, dtype=object)
    bid_of_firm[in_bid] = bid_ids[best[in_bid]]
    firms = pd.DataFrame(
        {
            "company_id": pd.array(a.firms.ids, dtype="str"),
            "district_id": pd.array(district_id, dtype="str"),
            "in_bid": in_bid,
            "bid_id": pd.array(bid_of_firm, dtype="str"),
            "bid_member": member_out,
            "counted_member": counted_member,
        },
        index=companies.index.copy(),
    )
    attrs = pd.DataFrame(companies.drop(columns=companies.geometry.name))
    return BidCoverage(districts=table, bids=bid_table, companies=firms, as_of=ts, _firms=attrs)


def bid_coverage(
    districts: gpd.GeoDataFrame,
    bids: gpd.GeoDataFrame,
    companies: gpd.GeoDataFrame,
    *,
    as_of: DateLike = None,
) -> BidCoverage:
    """Measure the area, firms, jobs and members inside active BIDs per district.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        District polygons with ``district_id``.
    bids : geopandas.GeoDataFrame
        BID polygons with ``bid_id``, ``start`` and optionally ``end``,
        ``name``, ``invited``, ``members``, ``district_id``.
    companies : geopandas.GeoDataFrame
        Firms as points with ``company_id``; ``employees`` and ``bid_member``
        used when present.
    as_of : date-like, optional
        The date (default: today).

    Returns
    -------
    BidCoverage
        ``.districts``, ``.bids``, ``.companies``, ``.as_of`` and the call
        list :meth:`BidCoverage.outside_bid`. The module docstring gives the
        counting rules.

    Raises
    ------
    areas.errors.MissingCrsError
        If a frame has no CRS.
    areas.errors.MissingColumnError
        If ``bids`` lacks ``bid_id`` or ``start``.

    Examples
    --------
    A 2 ha district, half of it covered by a BID; two of its three firms are
    in the BID and one of them is a member:

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import Point, box
    >>> districts = gpd.GeoDataFrame(
    ...     {"district_id": ["d"]}, geometry=[box(0, 0, 200, 100)], crs="EPSG:25832")
    >>> bids = gpd.GeoDataFrame(
    ...     {"bid_id": ["b"], "start": pd.to_datetime(["2020-01-01"])},
    ...     geometry=[box(0, 0, 100, 100)], crs="EPSG:25832")
    >>> firms = gpd.GeoDataFrame(
    ...     {"company_id": ["x", "y", "z"], "employees": [10, 30, 5],
    ...      "bid_member": [True, False, False]},
    ...     geometry=[Point(50, 50), Point(60, 50), Point(150, 50)], crs="EPSG:25832")
    >>> cov = bid_coverage(districts, bids, firms, as_of="2024-01-01")
    >>> cov.districts[["bid_area_ha", "bid_area_share", "companies_in_bid", "bid_members"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                 bid_area_ha  bid_area_share  companies_in_bid  bid_members
    district_id
    d                    1.0             0.5                 2            1
    >>> cols = ["employees_in_bid", "employees_in_bid_share", "bid_participation_share"]
    >>> cov.districts[cols].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
                 employees_in_bid  employees_in_bid_share  bid_participation_share
    district_id
    d                          40                   0.889                      0.5
    >>> cov.outside_bid("d")["company_id"].tolist()
    ['z']
    """
    ts = resolve_as_of(as_of)
    return _bid_coverage(prepare_assignment(companies, districts), bids, companies, ts)
