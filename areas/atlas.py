"""The :class:`Atlas`: five validated layers in EPSG:25832 and where each came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from areas.schema import KIND_NAMES, WORK_CRS

__all__ = ["Atlas", "LayerSource", "Exclusion", "Repair"]


@dataclass(frozen=True)
class Exclusion:
    """A feature left out of a layer, with the reason."""

    id: str
    reason: str


@dataclass(frozen=True)
class Repair:
    """A change the loader made to a feature (e.g. an invalid polygon made valid)."""

    id: str
    what: str
    detail: str = ""


@dataclass
class LayerSource:
    """Provenance of one layer.

    Attributes
    ----------
    kind : str
        Layer kind (``districts``, ``bids``, ...).
    path : str or None
        File read, or ``None`` for a frame given in memory.
    layer : str or None
        Layer name inside the file.
    sha256 : str or None
        SHA-256 of the file (of the main file for a Shapefile).
    original_crs : str or None
        The CRS the data came in (as ``EPSG:nnnn`` where it has one, else WKT/name).
    features_read : int
        Features (rows) in the file.
    features_used : int
        Features in the layer after exclusions.
    excluded : list of Exclusion
        Features left out, each with its reason.
    repairs : list of Repair
        Changes made, each with the feature id.
    encoding : str or None
        Text encoding used to read the file, where it matters (Shapefile, CSV).
    column_map : dict
        Source column -> schema column, where renamed by an ``areas.toml``.
    notes : list of str
        Anything else a reader of the figures should know about the layer
        (constants applied to every feature, why a layer is empty).
    """

    kind: str
    path: str | None = None
    layer: str | None = None
    sha256: str | None = None
    original_crs: str | None = None
    features_read: int = 0
    features_used: int = 0
    excluded: list[Exclusion] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    encoding: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def reconciles(self) -> bool:
        """Return True when ``features_read == features_used + excluded``."""
        return self.features_read == self.features_used + len(self.excluded)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return {
            "kind": self.kind,
            "path": self.path,
            "layer": self.layer,
            "sha256": self.sha256,
            "original_crs": self.original_crs,
            "features_read": self.features_read,
            "features_used": self.features_used,
            "excluded": [{"id": e.id, "reason": e.reason} for e in self.excluded],
            "repairs": [{"id": r.id, "what": r.what, "detail": r.detail} for r in self.repairs],
            "encoding": self.encoding,
            "column_map": dict(self.column_map),
            "notes": list(self.notes),
        }


@dataclass
class Atlas:
    """The five layers of the toolkit, validated and in EPSG:25832.

    Attributes
    ----------
    districts, bids, rewilding, stops, companies : geopandas.GeoDataFrame
        The layers, with the schema columns of :mod:`areas.schema` (ids as text,
        dates as ``datetime64``), indexed 0..n-1.
    sources : dict of str to LayerSource
        Where each layer came from, what was excluded and what was repaired.
    service : areas.load.gtfs.GtfsFeed, optional
        A checked GTFS feed (``--gtfs``, ``[gtfs] path``, ``gtfs.zip`` in a
        folder source): the timetable behind the service-frequency columns.
    service_table : pandas.DataFrame, optional
        A checked service table of planned or what-if lines
        (:func:`areas.load.service_table.check_service_table`; ``[service]
        path``, ``service.csv`` in a folder source, the bundled one).
    service_sources : dict
        Provenance of the service inputs: ``"gtfs"`` and ``"service"`` ->
        ``path``, ``sha256`` and (for a feed) ``period``.
    """

    districts: gpd.GeoDataFrame
    bids: gpd.GeoDataFrame
    rewilding: gpd.GeoDataFrame
    stops: gpd.GeoDataFrame
    companies: gpd.GeoDataFrame
    sources: dict[str, LayerSource] = field(default_factory=dict)
    service: Any = None
    service_table: pd.DataFrame | None = None
    service_sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def has_service(self) -> bool:
        """True when the atlas carries a GTFS feed or a service table."""
        return self.service is not None or self.service_table is not None

    def __post_init__(self) -> None:
        for kind in KIND_NAMES:
            frame = getattr(self, kind)
            if frame.crs is None or frame.crs != WORK_CRS:
                msg = f"Atlas layer `{kind}` must be in {WORK_CRS}, got {frame.crs}"
                raise ValueError(msg)

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the five layers by kind."""
        return {kind: getattr(self, kind) for kind in KIND_NAMES}

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self.layers().items())
        return f"Atlas({counts})"
