"""The Fingerplan verdict: station zones by walking, and the land in each band.

The Fingerplan's station proximity principle judges land by its **walking
distance** to a station: the station-near core area lies within 600 m, the
station-near area within 1,200 m. Fingerplan stations are the rail stops in
service (S-train, regional rail, metro, the Ring 3 light rail); a BRT stop
counts only where the stops layer marks it ``fingerplan_station``; a bus stop
never counts.

:func:`station_zones` draws, per Fingerplan station in service, the land
within each band: with a network, the land whose walk (straight to the
nearest point of the network, within the snapping limit, then along the
network) is at most the band (:func:`areas.analysis.network.station_zones`
states how the polygon is formed); without a network, the circle of the band
(or of the band divided by the detour factor, for ``distance="detour"``).
:func:`circles` gives the straight-line circles, for contrast, and
:func:`district_hectares` the hectares per district in each band and the
*circle-vs-walk gap*: land inside a 600 m circle but beyond 600 m of walking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from areas.analysis.network import ZONE_RESOLUTION_M
from areas.analysis.network import station_zones as _walking_zones
from areas.analysis.transit.access import _fingerplan_stations, _resolve_basis
from areas.analysis.transit.distance import Detour, DistanceBasis, Network, StopSet, Straight
from areas.atlas import Atlas
from areas.constants import BANDS, CORE_AREA_M, FINGERPLAN_BANDS_M, STATION_NEAR_M
from areas.errors import ConfigError
from areas.scenario import DateLike, resolve_as_of, resolve_include, stops_in_service
from areas.schema import SQM_PER_HA, WORK_CRS

__all__ = [
    "station_zones",
    "circles",
    "district_hectares",
    "fingerplan_station_mask",
    "fingerplan_stopset",
    "HECTARE_CELL_M",
]

#: Columns of :func:`station_zones` and :func:`circles`.
ZONE_COLUMNS = ("station_id", "name", "mode", "band_m", "basis", "area_ha", "geometry")


def fingerplan_station_mask(
    stops: gpd.GeoDataFrame, as_of: DateLike = None, include: Iterable[str] | str = ()
) -> np.ndarray:
    """Return per stop whether it is a Fingerplan station in service on ``as_of``."""
    if not len(stops):
        return np.zeros(0, dtype=bool)
    modes = stops["mode"].astype(str).to_numpy(dtype=object)
    ids = stops["stop_id"].astype(str).to_numpy(dtype=object)
    located = ~(stops.geometry.isna() | stops.geometry.is_empty).to_numpy()
    service = stops_in_service(stops, resolve_as_of(as_of), resolve_include(include))
    return _fingerplan_stations(stops, modes, ids) & service & located


def _bands(bands_m: Sequence[float]) -> list[float]:
    try:
        bands = sorted({float(b) for b in bands_m})
    except (TypeError, ValueError) as exc:
        msg = f"`bands_m` must be walking distances in metres, got {bands_m!r}"
        raise ConfigError(msg) from exc
    if not bands or any(not np.isfinite(b) or b <= 0 for b in bands):
        msg = f"`bands_m` must be positive distances in metres, got {bands_m!r}"
        raise ConfigError(msg)
    return bands


def _frame(stations: gpd.GeoDataFrame, rows: dict, basis: str) -> gpd.GeoDataFrame:
    by_id = stations.drop_duplicates("stop_id").set_index("stop_id")
    sid = pd.Index(rows["station_id"])
    out = gpd.GeoDataFrame(
        {
            "station_id": pd.array(list(sid), dtype="str"),
            "name": pd.array(by_id["name"].reindex(sid).to_numpy(dtype=object), dtype="str")
            if "name" in by_id.columns
            else pd.array([None] * len(sid), dtype="str"),
            "mode": pd.array(by_id["mode"].reindex(sid).to_numpy(dtype=object), dtype="str"),
            "band_m": np.asarray(rows["band_m"], dtype=float),
            "basis": pd.array([basis] * len(sid), dtype="str"),
        },
        geometry=gpd.GeoSeries(list(rows["geometry"]), crs=WORK_CRS),
        crs=WORK_CRS,
    )
    out["area_ha"] = shapely.area(np.asarray(out.geometry.array)) / SQM_PER_HA
    return out[list(ZONE_COLUMNS)]


def _circles(stations: gpd.GeoDataFrame, bands: list[float], divide: float, basis: str):
    rows: dict[str, list] = {"station_id": [], "band_m": [], "geometry": []}
    ids = stations["stop_id"].astype(str).to_numpy(dtype=object)
    geoms = np.asarray(stations.geometry.array, dtype=object)
    for sid in sorted(set(ids)):
        pts = geoms[ids == sid]
        for b in bands:
            rows["station_id"].append(sid)
            rows["band_m"].append(b)
            rows["geometry"].append(
                shapely.union_all(shapely.buffer(pts, b / divide, quad_segs=64))
            )
    return _frame(stations, rows, basis)


def circles(
    atlas: Atlas,
    bands_m: Sequence[float] = FINGERPLAN_BANDS_M,
    *,
    as_of: DateLike = None,
    include: Iterable[str] | str = (),
) -> gpd.GeoDataFrame:
    """Return the straight-line circles of each band around each Fingerplan station in service.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`station_zones`, with ``basis`` ``"straight"``.
    """
    bands = _bands(bands_m)
    stops = atlas.stops[fingerplan_station_mask(atlas.stops, as_of, include)]
    return _circles(stops, bands, 1.0, "straight")


def station_zones(
    atlas: Atlas,
    bands_m: Sequence[float] = FINGERPLAN_BANDS_M,
    *,
    as_of: DateLike = None,
    include: Iterable[str] | str = (),
    distance: str | None = None,
    detour_factor: float | None = None,
    snap_limit_m: float | None = None,
    resolution_m: float = ZONE_RESOLUTION_M,
) -> gpd.GeoDataFrame:
    """Return the land within each walking band of each Fingerplan station in service.

    Parameters
    ----------
    atlas : areas.atlas.Atlas
        The layers; ``atlas.network`` (when present) is where people walk.
    bands_m : sequence of float, default (600, 1200)
        Walking distances; each band's zone holds all land within it.
    as_of, include
        The scenario, as in :func:`areas.summarize`: which stations are in service.
    distance : {"network", "straight", "detour"}, optional
        Default ``"network"`` when the atlas has a network, else ``"straight"``
        (circles; ``"detour"``: circles of the band divided by the factor).
    detour_factor : float, optional
        For ``distance="detour"``.
    snap_limit_m : float, optional
        Longest straight walk to the network (default 300 m).
    resolution_m : float, default 10
        Spacing of the network samples that shape a zone.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per station and band (stations sharing a ``stop_id`` are one),
        in EPSG:25832: ``station_id``, ``name``, ``mode``, ``band_m``,
        ``basis`` (``"network"``, ``"straight"`` or ``"detour"``), ``area_ha``
        and ``geometry``. ``attrs`` holds ``snap_limit_m``, ``resolution_m``
        and ``stations_unreachable`` (stations off the network; their zones
        are empty).

    Examples
    --------
    >>> import areas
    >>> zones = areas.station_zones(areas.load(), as_of="2026-01-01", distance="straight")
    >>> sorted(set(zones["band_m"])), set(zones["basis"])
    ([600.0, 1200.0], {'straight'})
    """
    if not isinstance(atlas, Atlas):
        msg = f"`atlas` must be an areas.Atlas (from `areas.load`), got {type(atlas).__name__}"
        raise ConfigError(msg)
    bands = _bands(bands_m)
    network = atlas.walking_network if atlas.has_network else None
    basis, factor = _resolve_basis(distance, detour_factor, network, snap_limit_m)  # type: ignore[arg-type]
    mask = fingerplan_station_mask(atlas.stops, as_of, include)
    key = (
        tuple(bands),
        tuple(np.flatnonzero(mask)),
        basis.name,
        factor,
        getattr(basis, "snap_limit_m", None),
        float(resolution_m),
    )
    cache = atlas._walking.setdefault("zones", {})
    if key in cache and cache[key][0] is atlas.network and cache[key][1] is atlas.stops:
        return cache[key][2].copy()
    out = _station_zones(atlas.stops[mask], bands, basis, factor, resolution_m)
    cache[key] = (atlas.network, atlas.stops, out)
    return out.copy()


def _station_zones(stations, bands, basis, factor, resolution_m) -> gpd.GeoDataFrame:
    if isinstance(basis, Straight):
        out = _circles(stations, bands, 1.0, "straight")
    elif isinstance(basis, Detour):
        out = _circles(stations, bands, factor, "detour")
    elif isinstance(basis, Network):
        limit = basis.snap_limit_m
        if len(stations):
            walked = _walking_zones(
                basis.graph,
                stations.geometry,
                stations["stop_id"].astype(str).tolist(),
                bands,
                resolution_m=resolution_m,
                snap_limit_m=limit,
            )
            rows = {c: walked[c].tolist() for c in ("station_id", "band_m", "geometry")}
            unreachable = list(walked.attrs.get("stations_unreachable", []))
        else:
            rows, unreachable = {"station_id": [], "band_m": [], "geometry": []}, []
        out = _frame(stations, rows, "network")
        out.attrs["stations_unreachable"] = unreachable
        out.attrs["snap_limit_m"] = limit
        out.attrs["resolution_m"] = float(resolution_m)
    else:
        msg = (
            f"`distance` for station zones must be network, straight or detour, got {basis.name!r}"
        )
        raise ConfigError(msg)
    out.attrs.setdefault("stations_unreachable", [])
    return out


def fingerplan_stopset(
    stops: gpd.GeoDataFrame, as_of: DateLike = None, include: Iterable[str] | str = ()
) -> StopSet:
    """Return the Fingerplan stations in service as a :class:`StopSet` (for a basis)."""
    rows = np.flatnonzero(fingerplan_station_mask(stops, as_of, include))
    ids = stops["stop_id"].astype(str).to_numpy(dtype=object)
    rank_all = np.empty(len(ids), dtype=np.intp)
    rank_all[np.argsort(ids.astype(str), kind="stable")] = np.arange(len(ids))
    rows = rows[np.argsort(rank_all[rows], kind="stable")]
    geoms = np.asarray(stops.geometry.array, dtype=object)[rows]
    xy = shapely.get_coordinates(geoms) if len(rows) else np.zeros((0, 2))
    return StopSet(xy=xy, ids=ids[rows], rank=rank_all[rows], rows=rows, group="fingerplan")


#: Side of the grid cells by which :func:`district_hectares` measures land, in metres.
HECTARE_CELL_M = 10.0


def district_hectares(
    districts: gpd.GeoDataFrame,
    basis: DistanceBasis,
    stations: StopSet,
    *,
    cell_m: float = HECTARE_CELL_M,
) -> pd.DataFrame:
    """Return per district the hectares in each Fingerplan band and the circle-vs-walk gap.

    Land is judged as a firm would be: each district is covered by a grid of
    ``cell_m`` cells whose centres are measured by ``basis`` (the walk along
    the network, or the straight line) to the nearest Fingerplan station;
    a band's hectares are the district's area times the share of its cell
    centres in that band (so the bands add up to the district's area; a
    cell centre off the network is beyond).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``district_id``: ``fingerplan_core_ha``,
        ``fingerplan_station_near_ha``, ``fingerplan_beyond_ha`` and
        ``circle_only_core_ha`` (within 600 m in a straight line, beyond
        600 m by ``basis``).
    """
    geoms = np.asarray(districts.geometry.array, dtype=object)
    ids = districts["district_id"].astype(str).to_numpy(dtype=object)
    cols = {f"fingerplan_{b}_ha": np.zeros(len(ids)) for b in BANDS}
    cols["circle_only_core_ha"] = np.zeros(len(ids))
    pts, owner = [], []
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        x0, y0, x1, y1 = g.bounds
        xs = np.arange(x0 + cell_m / 2, x1, cell_m)
        ys = np.arange(y0 + cell_m / 2, y1, cell_m)
        gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
        inside = shapely.contains_xy(g, gx, gy)
        if not inside.any():
            c = g.representative_point()
            gx, gy, inside = np.array([c.x]), np.array([c.y]), np.array([True])
        pts.append(np.c_[gx[inside], gy[inside]])
        owner.append(np.full(int(inside.sum()), i))
    if pts:
        xy, who = np.concatenate(pts), np.concatenate(owner)
        d = basis.measure(xy, stations).distance_m
        straight = Straight().measure(xy, stations).distance_m
        n = np.bincount(who, minlength=len(ids)).astype(float)
        area = shapely.area(geoms) / SQM_PER_HA
        per = np.divide(area, n, out=np.zeros(len(ids)), where=n > 0)
        core = d <= CORE_AREA_M
        near = (d <= STATION_NEAR_M) & ~core
        for name, mask in (
            (f"fingerplan_{BANDS[0]}_ha", core),
            (f"fingerplan_{BANDS[1]}_ha", near),
            (f"fingerplan_{BANDS[2]}_ha", ~core & ~near),
            ("circle_only_core_ha", (straight <= CORE_AREA_M) & ~core),
        ):
            cols[name] = np.bincount(who, weights=mask.astype(float), minlength=len(ids)) * per
    return pd.DataFrame(cols, index=pd.Index(ids, name="district_id", dtype="str"))
