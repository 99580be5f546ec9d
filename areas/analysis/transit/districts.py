"""Transit accessibility per district: threshold shares, medians and Fingerplan bands.

:meth:`TransitAccess.per_district <areas.analysis.transit.access.TransitAccess.per_district>`
aggregates the per-firm result here. A firm that reaches no stop (``NaN``)
is never within a threshold and counts as infinitely far in a median.

A group without any stop in service in the scenario (no bus stop at all, or
no rail stop before the first opens) has no data: its share columns
(``{group}_*_share``) and its median are ``NaN``, not 0
(``params.groups_without_stops``). A warning names the group and the
scenario, unless the stops layer is empty (no stops given: every transit
figure is "no data").
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from areas.analysis._geom import numeric_column, safe_share
from areas.constants import BANDS
from areas.constants import MODE_GROUP_NAMES as GROUPS
from areas.errors import AreasWarning, ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from areas.analysis.transit.access import TransitAccess

__all__: list[str] = []


def _label(t: float) -> str:
    return f"{t:g}"


def _per_district(
    access: TransitAccess,
    assignment: pd.DataFrame,
    companies: pd.DataFrame | None,
    district_ids: Iterable[str] | None,
) -> pd.DataFrame:
    own = access.companies
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
        d = own[access.distance_column(g)].to_numpy(dtype=float)[keep]
        for t in access.thresholds_m:
            within = d <= t  # NaN (no stop in service) is never within
            out[f"{g}_{_label(t)}m_companies_share"] = safe_share(
                np.bincount(c, weights=within.astype(float), minlength=n), counts
            )
            out[f"{g}_{_label(t)}m_employees_share"] = safe_share(
                np.bincount(c, weights=emp * within, minlength=n), emp_total
            )
        medians[f"median_{g}_distance_m"] = _group_median(c, d, n)
    out.update(medians)
    _no_stops_no_data(access, out)
    band = own["rail_band"].cat.codes.to_numpy()[keep]
    for b_code, b in enumerate(BANDS):
        is_b = band == b_code
        out[f"rail_{b}_companies"] = np.bincount(c, weights=is_b.astype(float), minlength=n).astype(
            np.int64
        )
        out[f"rail_{b}_employees"] = np.bincount(c, weights=emp * is_b, minlength=n)
    fp = own["fingerplan_band"].cat.codes.to_numpy()[keep]
    for b_code, b in enumerate(BANDS):
        is_b = fp == b_code
        out[f"fingerplan_{b}_companies"] = np.bincount(
            c, weights=is_b.astype(float), minlength=n
        ).astype(np.int64)
        out[f"fingerplan_{b}_employees"] = np.bincount(c, weights=emp * is_b, minlength=n)
    gap = own["circle_only_core"].to_numpy(dtype=bool)[keep]
    out["circle_only_core_companies"] = np.bincount(
        c, weights=gap.astype(float), minlength=n
    ).astype(np.int64)
    if (
        "large_office_outside_core" in own.columns
        and own["large_office_outside_core"].notna().any()
    ):
        flag = own["large_office_outside_core"].to_numpy(dtype=bool, na_value=False)[keep]
        out["large_offices_outside_core"] = np.bincount(
            c, weights=flag.astype(float), minlength=n
        ).astype(np.int64)
    out["distance_basis"] = np.full(n, access.distance, dtype=object)
    out["detour_factor"] = np.full(n, access.params["detour_factor"])
    table = pd.DataFrame(out, index=pd.Index(ids, name="district_id", dtype="str"))
    table["distance_basis"] = table["distance_basis"].astype("str")
    return table


def _no_stops_no_data(access: TransitAccess, out: dict[str, object]) -> None:
    """Make the shares and median of each group without stops in service NaN, and warn."""
    empty = access.params.groups_without_stops
    if not empty:
        return
    for g in empty:
        for key in out:
            share = key.startswith(f"{g}_") and key.endswith("_share")
            if share or key == f"median_{g}_distance_m":
                out[key] = np.full(len(np.asarray(out[key])), np.nan)
    params = access.params
    if params.stops_in_layer == 0:
        return
    included = ", ".join(params.include) if params.include else "existing only"
    warnings.warn(
        f"no {' or '.join(g for g in empty if g != 'any')} stops in service as of "
        f"{params['as_of']} (included: {included}): the {', '.join(empty)} shares and "
        "medians are 'no data', not 0 %",
        AreasWarning,
        stacklevel=4,
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
