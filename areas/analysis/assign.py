"""Assign every firm to exactly one business district, or to none.

The rule
--------
A firm belongs to the district whose polygon *covers* its point (the boundary
counts as part of the district, so a firm on the outer edge of a district is
inside it). Where several district polygons cover the point - on an edge two
districts share, or where outlines overlap (two local plans over the same
land) - the firm goes to the first of them ordered by
(:data:`areas.load.logic.OVERLAP_RULE`)

1. status: districts that are not ``withdrawn`` before withdrawn ones
   (Holmene, withdrawn in January 2025, never takes a firm from a live district);
2. ``priority``, highest first; a district without one comes after every
   district with one;
3. ``adopted``, the latest date first, so the newest local plan wins; a
   district without a date comes after every district with one;
4. ``district_id`` ascending.

``priority`` and ``adopted`` are optional columns: without them the rule is
status, then id. The order depends only on these values, so the result is
the same whatever the row order of either frame. Such firms are marked
``"boundary"``; firms covered by exactly one district are ``"inside"`` and
firms covered by none are ``"outside"``. :func:`areas.validate.validate`
notes the districts that overlap (the pairs and the overlap in hectares) and
the firms placed by this rule.

A firm whose geometry is null or empty cannot be placed: it is marked
``"excluded"`` with the reason in ``excluded_reason``. Layers read with
:func:`areas.load` never contain such firms (the loader excludes them and
records why in ``atlas.sources["companies"].excluded``); the analyses handle
hand-made frames the same way, so that every firm is counted exactly once:
firms in = inside + boundary + outside + excluded.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from areas.analysis.prepared import prepare_assignment
from areas.constants import ASSIGNMENTS

__all__ = ["ASSIGNMENTS", "assign_districts"]


def assign_districts(companies: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Assign each firm to one district, or mark it outside every district.

    Parameters
    ----------
    companies : geopandas.GeoDataFrame
        Firms as points, with a unique ``company_id``. Any CRS (reprojected to
        EPSG:25832 internally); a missing CRS is an error.
    districts : geopandas.GeoDataFrame
        District polygons with a unique ``district_id``; ``status``,
        ``priority`` and ``adopted`` decide where several districts cover a
        firm (the module's rule), when present.

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
    areas.errors.SchemaError
        If a ``priority`` is not a number or an ``adopted`` is not a date.

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

    Where two local plans overlap, the newer one takes the firms in the overlap
    (``a`` and ``b`` are both in it):

    >>> plans = gpd.GeoDataFrame(
    ...     {"district_id": ["lp-101", "lp-240"], "adopted": ["12-03-1998", "01-06-2021"]},
    ...     geometry=[box(0, 0, 100, 100), box(50, 0, 150, 100)], crs="EPSG:25832")
    >>> assign_districts(firms, plans)[["district_id", "assignment"]]
      district_id assignment
    0      lp-240   boundary
    1      lp-240   boundary
    2         NaN    outside
    """
    return prepare_assignment(companies, districts).frame(companies.index)
