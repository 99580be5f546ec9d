"""Turn the point inputs of the network analyses into EPSG:25832 coordinates."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from areas.errors import CrsError, GeometryTypeError, LayerError, format_ids
from areas.schema import WORK_CRS

__all__ = ["points_xy"]


def points_xy(points, *, layer: str) -> np.ndarray:
    """Return ``(n, 2)`` EPSG:25832 coordinates; NaN rows for missing points.

    Geo-objects (GeoSeries, GeoDataFrame) need a CRS and are reprojected;
    arrays of shapely points and ``(n, 2)`` coordinate arrays are taken to be
    in EPSG:25832.
    """
    if isinstance(points, gpd.GeoDataFrame):
        points = points.geometry
    if isinstance(points, gpd.GeoSeries):
        if points.crs is None:
            msg = f"`{layer}` has no CRS; set it with `.set_crs(...)`, for example {WORK_CRS}"
            raise CrsError(msg, layer=layer)
        if points.crs != WORK_CRS:
            points = points.to_crs(WORK_CRS)
        geoms = np.asarray(points.array, dtype=object)
    else:
        arr = np.asarray(points)
        if arr.dtype != object:
            if arr.ndim != 2 or arr.shape[1] != 2:
                msg = f"`{layer}` must be points or an (n, 2) array of coordinates"
                raise LayerError(msg, layer=layer)
            return arr.astype(np.float64)
        geoms = arr
    types = shapely.get_type_id(geoms)
    wrong = (types != 0) & (types >= 0)
    if wrong.any():
        bad = np.flatnonzero(wrong)
        msg = f"`{layer}` must hold points; rows {format_ids(bad)} do not"
        raise GeometryTypeError(msg, layer=layer, ids=list(bad))
    xy = np.full((len(geoms), 2), np.nan)
    ok = (types == 0) & ~shapely.is_empty(geoms)
    if ok.any():
        xy[ok] = shapely.get_coordinates(geoms[ok])
    xy[~np.isfinite(xy).all(axis=1)] = np.nan
    return xy
