"""Prepared inputs: firms and districts checked once, and the firms' districts.

The analyses share these so that a layer is reprojected, checked and indexed
once per summary, not once per analysis. :func:`prepare_assignment` applies
the rule of :mod:`areas.analysis.assign`; :meth:`Assignment.frame` is the
table :func:`areas.assign_districts` returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from areas.analysis._geom import (
    PointIndex,
    check_ids,
    first_by_rank,
    point_coordinates,
    polygon_array,
    text_column,
    work_geometry,
)
from areas.dates import DATE_FIX, parse_dates
from areas.errors import SchemaError, format_ids

__all__ = [
    "PreparedFirms",
    "PreparedDistricts",
    "Assignment",
    "prepare_firms",
    "prepare_districts",
    "prepare_assignment",
    "district_rank",
]

_REASON_NULL = "no location: null geometry"
_REASON_EMPTY = "no location: empty geometry"


@dataclass(frozen=True, eq=False)
class PreparedFirms:
    """Firm locations in EPSG:25832, checked once and shared by the analyses.

    Attributes
    ----------
    ids : numpy.ndarray
        ``company_id`` as text (object array), in the frame's row order.
    xy : numpy.ndarray
        ``(n, 2)`` coordinates; ``NaN`` where a firm has no usable location.
    usable : numpy.ndarray
        Whether each firm has a location.
    reasons : numpy.ndarray
        ``None``, or why a firm cannot be placed (object array).
    index : PointIndex
        The usable points, for point-in-polygon tests.
    """

    ids: np.ndarray
    xy: np.ndarray
    usable: np.ndarray
    reasons: np.ndarray
    index: PointIndex


@dataclass(frozen=True, eq=False)
class PreparedDistricts:
    """District polygons in EPSG:25832 with their tie-break rank.

    Attributes
    ----------
    ids : numpy.ndarray
        ``district_id`` as text (object array), in the frame's row order.
    geoms : numpy.ndarray
        The polygons.
    rank : numpy.ndarray
        0 = first choice where several districts cover a firm, by the rule of
        :mod:`areas.analysis.assign` (:func:`district_rank`).
    frame : pandas.DataFrame
        The attributes without geometry, in the frame's row order.
    """

    ids: np.ndarray
    geoms: np.ndarray
    rank: np.ndarray
    frame: pd.DataFrame


@dataclass(frozen=True, eq=False)
class Assignment:
    """Every firm's district, as positions into the prepared inputs.

    Attributes
    ----------
    firms : PreparedFirms
    districts : PreparedDistricts
    district_index : numpy.ndarray
        Per firm, the position of its district in ``districts.ids``, or -1.
    covering : numpy.ndarray
        Per firm, how many district polygons cover it (2 or more: placed by
        the shared-boundary rule).
    """

    firms: PreparedFirms
    districts: PreparedDistricts
    district_index: np.ndarray
    covering: np.ndarray

    def frame(self, index: pd.Index) -> pd.DataFrame:
        """Return the table of :func:`areas.assign_districts`, indexed by ``index``."""
        idx = self.district_index
        district_id = np.full(len(idx), None, dtype=object)
        inside = idx >= 0
        district_id[inside] = self.districts.ids[idx[inside]]
        kind = np.full(len(idx), "outside", dtype=object)
        kind[self.covering == 1] = "inside"
        kind[self.covering > 1] = "boundary"
        kind[~self.firms.usable] = "excluded"
        return pd.DataFrame(
            {
                "company_id": pd.array(self.firms.ids, dtype="str"),
                "district_id": pd.array(district_id, dtype="str"),
                "assignment": pd.array(kind, dtype="str"),
                "excluded_reason": pd.array(self.firms.reasons, dtype="str"),
            },
            index=index.copy(),
        )


def prepare_firms(companies: gpd.GeoDataFrame) -> PreparedFirms:
    """Check the firms' ids and locations; see :class:`PreparedFirms`."""
    ids = check_ids(companies, "company_id", layer="companies")
    geoms = work_geometry(companies, layer="companies")
    xy, usable = point_coordinates(geoms, ids, layer="companies")
    reasons = np.full(len(ids), None, dtype=object)
    if not usable.all():
        missing = shapely.is_missing(geoms)
        reasons[missing] = _REASON_NULL
        reasons[~usable & ~missing] = _REASON_EMPTY
    return PreparedFirms(
        ids=ids, xy=xy, usable=usable, reasons=reasons, index=PointIndex(xy, usable)
    )


def prepare_districts(districts: gpd.GeoDataFrame) -> PreparedDistricts:
    """Check the districts' ids and polygons; see :class:`PreparedDistricts`."""
    ids = check_ids(districts, "district_id", layer="districts")
    geoms = work_geometry(districts, layer="districts")
    geoms, _ = polygon_array(geoms, ids, layer="districts")
    rank = district_rank(districts, ids)
    attrs = pd.DataFrame(districts.drop(columns=districts.geometry.name))
    return PreparedDistricts(ids=ids, geoms=geoms, rank=rank, frame=attrs)


def district_rank(districts: pd.DataFrame, ids: np.ndarray | None = None) -> np.ndarray:
    """Return each district's rank where districts overlap: 0 is chosen first.

    The order is that of :data:`areas.load.logic.OVERLAP_RULE`:

    1. districts that are not ``withdrawn`` before withdrawn ones;
    2. the highest ``priority`` first (a blank or absent ``priority`` after every
       given one);
    3. the latest ``adopted`` date first (the newest local plan wins; a blank or
       absent date after every given one);
    4. ``district_id`` ascending.

    The rank depends only on these values, never on the row order.

    Parameters
    ----------
    districts : pandas.DataFrame
        With ``district_id``; ``status``, ``priority`` and ``adopted`` are used
        when present. ``adopted`` may be dates or text in any form
        :func:`areas.dates.read_date` reads.
    ids : numpy.ndarray, optional
        ``district_id`` as text, when checked already.

    Raises
    ------
    areas.errors.SchemaError
        If a ``priority`` is not a number or an ``adopted`` is not a date.

    Examples
    --------
    >>> frame = pd.DataFrame({"district_id": ["lp-100", "lp-200", "old"],
    ...     "status": ["adopted", "adopted", "withdrawn"], "priority": [None, None, 9],
    ...     "adopted": ["01-03-2001", "2019-06-12", None]})
    >>> district_rank(frame).tolist()  # lp-200 is the newer plan; withdrawn last
    [1, 0, 2]
    """
    if ids is None:
        ids = check_ids(districts, "district_id", layer="districts")
    status = text_column(districts, "status")
    withdrawn = np.array([s == "withdrawn" for s in status], dtype=bool)
    priority = _rank_numbers(districts, ids)
    adopted = _rank_dates(districts, ids)
    # lexsort: the last key is the primary one; NaN sorts last, so negate for "highest first"
    order = np.lexsort((ids.astype(str), -adopted, -priority, withdrawn))
    rank = np.empty(len(ids), dtype=np.intp)
    rank[order] = np.arange(len(ids))
    return rank


def _rank_numbers(districts: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    if "priority" not in districts.columns:
        return np.full(len(ids), np.nan)
    raw = districts["priority"]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = raw.notna().to_numpy() & ~np.isfinite(values)
    if bad.any():
        shown = [f"{i} ({v!r})" for i, v in zip(ids[bad], raw[bad], strict=True)]
        raise SchemaError(
            f"`priority` of {int(bad.sum())} district(s) is not a number: {format_ids(shown)}",
            layer="districts",
            ids=list(ids[bad]),
            fix="give `priority` as a whole number (higher wins in an overlap) or leave it blank",
        )
    return values


def _rank_dates(districts: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    if "adopted" not in districts.columns:
        return np.full(len(ids), np.nan)
    days, bad = parse_dates(districts["adopted"])
    if bad.any():
        shown = [f"{i} ({v!r})" for i, v in zip(ids[bad], districts["adopted"][bad], strict=True)]
        raise SchemaError(
            f"`adopted` of {int(bad.sum())} district(s) is not a date: {format_ids(shown)}",
            layer="districts",
            ids=list(ids[bad]),
            fix=DATE_FIX,
        )
    nanos = days.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(float)
    nanos[days.isna().to_numpy()] = np.nan
    return nanos


def prepare_assignment(companies: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> Assignment:
    """Prepare both layers and place every firm by the rule of :mod:`areas.analysis.assign`."""
    firms = prepare_firms(companies)
    dist = prepare_districts(districts)
    poly_idx, pt_idx = firms.index.covering(dist.geoms)
    best, count = first_by_rank(pt_idx, poly_idx, dist.rank, len(firms.ids))
    return Assignment(firms=firms, districts=dist, district_index=best, covering=count)
