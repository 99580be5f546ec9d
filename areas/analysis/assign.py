"""Assign every firm to exactly one business district, or to none.

The rule
--------
A firm belongs to the district whose polygon *covers* its point (the boundary
counts as part of the district, so a firm on the outer edge of a district is
inside it). Where several district polygons cover the point - on an edge two
districts share, or where outlines overlap - the firm goes to the first of
them ordered by

1. status: districts that are not ``withdrawn`` before withdrawn ones
   (Holmene, withdrawn in January 2025, never takes a firm from a live district);
2. ``district_id`` ascending.

The order depends only on the districts' ids and statuses, so the result is
the same whatever the row order of either frame. Such firms are marked
``"boundary"``; firms covered by exactly one district are ``"inside"`` and
firms covered by none are ``"outside"``.

A firm whose geometry is null or empty cannot be placed: it is marked
``"excluded"`` with the reason in ``excluded_reason``. Layers read with
:func:`areas.load` never contain such firms (the loader excludes them and
records why in ``atlas.sources["companies"].excluded``); the analyses handle
hand-made frames the same way, so that every firm is counted exactly once:
firms in = inside + boundary + outside + excluded.
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

__all__ = ["ASSIGNMENTS", "assign_districts"]

#: Values of the ``assignment`` column.
ASSIGNMENTS = ("inside", "boundary", "outside", "excluded")

_REASON_NULL = "no location: null geometry"
_REASON_EMPTY = "no location: empty geometry"


@dataclass(frozen=True)
class _Firms:
    """Firm locations in EPSG:25832, checked once and shared by the analyses."""

    ids: np.ndarray  # object array of str
    xy: np.ndarray  # (n, 2) float, NaN where unusable
    usable: np.ndarray  # bool
    reasons: np.ndarray  # object array: None or the reason a firm is excluded
    index: PointIndex  # for point-in-polygon tests


@dataclass(frozen=True)
class _Districts:
    """District polygons in EPSG:25832 with their tie-break rank."""

    ids: np.ndarray  # object array of str
    geoms: np.ndarray
    rank: np.ndarray  # 0 = first choice on a shared boundary
    frame: pd.DataFrame  # the attributes (no geometry), in input order


@dataclass(frozen=True)
class _Assignment:
    firms: _Firms
    districts: _Districts
    district_index: np.ndarray  # per firm, index into districts.ids or -1
    covering: np.ndarray  # per firm, number of districts covering it


def _prepare_firms(companies: gpd.GeoDataFrame) -> _Firms:
    ids = check_ids(companies, "company_id", layer="companies")
    geoms = work_geometry(companies, layer="companies")
    xy, usable = point_coordinates(geoms, ids, layer="companies")
    reasons = np.full(len(ids), None, dtype=object)
    if not usable.all():
        missing = shapely.is_missing(geoms)
        reasons[missing] = _REASON_NULL
        reasons[~usable & ~missing] = _REASON_EMPTY
    return _Firms(ids=ids, xy=xy, usable=usable, reasons=reasons, index=PointIndex(xy, usable))


def _prepare_districts(districts: gpd.GeoDataFrame) -> _Districts:
    ids = check_ids(districts, "district_id", layer="districts")
    geoms = work_geometry(districts, layer="districts")
    geoms, _ = polygon_array(geoms, ids, layer="districts")
    status = text_column(districts, "status")
    withdrawn = np.array([s == "withdrawn" for s in status], dtype=bool)
    order = np.lexsort((ids.astype(str), withdrawn))
    rank = np.empty(len(ids), dtype=np.intp)
    rank[order] = np.arange(len(ids))
    attrs = pd.DataFrame(districts.drop(columns=districts.geometry.name))
    return _Districts(ids=ids, geoms=geoms, rank=rank, frame=attrs)


def _assign(companies: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> _Assignment:
    firms = _prepare_firms(companies)
    dist = _prepare_districts(districts)
    poly_idx, pt_idx = firms.index.covering(dist.geoms)
    best, count = first_by_rank(pt_idx, poly_idx, dist.rank, len(firms.ids))
    return _Assignment(firms=firms, districts=dist, district_index=best, covering=count)


def _assignment_frame(a: _Assignment, index: pd.Index) -> pd.DataFrame:
    idx = a.district_index
    district_id = np.full(len(idx), None, dtype=object)
    inside = idx >= 0
    district_id[inside] = a.districts.ids[idx[inside]]
    kind = np.full(len(idx), "outside", dtype=object)
    kind[a.covering == 1] = "inside"
    kind[a.covering > 1] = "boundary"
    kind[~a.firms.usable] = "excluded"
    return pd.DataFrame(
        {
            "company_id": pd.array(a.firms.ids, dtype="str"),
            "district_id": pd.array(district_id, dtype="str"),
            "assignment": pd.array(kind, dtype="str"),
            "excluded_reason": pd.array(a.firms.reasons, dtype="str"),
        },
        index=index.copy(),
    )


def assign_districts(companies: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Assign each firm to one district, or mark it outside every district.

    Parameters
    ----------
    companies : geopandas.GeoDataFrame
        Firms as points, with a unique ``company_id``. Any CRS (reprojected to
        EPSG:25832 internally); a missing CRS is an error.
    districts : geopandas.GeoDataFrame
        District polygons with a unique ``district_id``; ``status`` is used for
        the tie-break when present.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``companies``, with columns

        - ``company_id``;
        - ``district_id``: the district, missing for firms outside every
          district (and for excluded firms);
        - ``assignment``: ``"inside"`` (covered by one district),
          ``"boundary"`` (covered by several; the module's rule picked one),
          ``"outside"``, or ``"excluded"`` (no location);
        - ``excluded_reason``: why a firm was excluded, else missing.

    Raises
    ------
    areas.errors.MissingCrsError
        If either frame has no CRS.
    areas.errors.DuplicateIdError
        If ids repeat.

    See Also
    --------
    areas.analysis.assign : the boundary rule in full.

    Examples
    --------
    Two 100 m squares sharing the edge x = 100; firm ``b`` stands on it and
    goes to ``east`` (ids ascending):

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> districts = gpd.GeoDataFrame(
    ...     {"district_id": ["west", "east"]},
    ...     geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs="EPSG:25832")
    >>> firms = gpd.GeoDataFrame(
    ...     {"company_id": ["a", "b", "c"]},
    ...     geometry=[Point(50, 50), Point(100, 50), Point(300, 50)], crs="EPSG:25832")
    >>> assign_districts(firms, districts)[["district_id", "assignment"]]
      district_id assignment
    0        west     inside
    1        east   boundary
    2         NaN    outside
    """
    return _assignment_frame(_assign(companies, districts), companies.index)
