"""The :class:`Atlas`: the validated layers in EPSG:25832 and where each came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from areas.schema import KIND_NAMES, KINDS, WORK_CRS

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
        Features (rows) in the file (after an ``areas.toml`` filter, which
        :attr:`filter` records).
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
    filter : dict or None
        The ``[kind.filter]`` applied: ``rule``, features ``read`` in the
        source, ``kept`` and ``removed``.
    values : dict
        Schema column -> {value in the source: features changed} of the
        ``[kind.values]`` mappings applied.
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
    filter: dict[str, Any] | None = None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

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
            "filter": None if self.filter is None else dict(self.filter),
            "values": {k: dict(v) for k, v in self.values.items()},
        }


@dataclass
class Atlas:
    """The layers of the toolkit, validated and in EPSG:25832.

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
    network : geopandas.GeoDataFrame, optional
        Where people may walk ((Multi)LineStrings; empty when the source has
        none). :meth:`walking_network` builds its graph once.
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
    network: gpd.GeoDataFrame | None = None

    def __post_init__(self) -> None:
        if self.network is None:
            self.network = gpd.GeoDataFrame(
                {c: pd.Series([], dtype="str") for c in KINDS["network"].columns},
                geometry=gpd.GeoSeries([], crs=WORK_CRS),
                crs=WORK_CRS,
            )
        for kind in KIND_NAMES:
            frame = getattr(self, kind)
            if frame.crs is None or frame.crs != WORK_CRS:
                msg = f"Atlas layer `{kind}` must be in {WORK_CRS}, got {frame.crs}"
                raise ValueError(msg)
        self._walking: dict[str, Any] = {}

    @property
    def has_network(self) -> bool:
        """True when the atlas has a network layer with at least one line."""
        return self.network is not None and len(self.network) > 0

    def walking_network(self) -> Any:
        """Return the walking graph of :attr:`network`, built on first use and then reused.

        Returns
        -------
        areas.analysis.network.WalkingNetwork or None
            ``None`` when the atlas has no network layer.
        """
        if not self.has_network:
            return None
        cached = self._walking.get("graph")
        if cached is None or cached[0] is not self.network:
            from areas.analysis.network import build_network

            cached = (self.network, build_network(self.network))
            self._walking["graph"] = cached
        return cached[1]

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the layers by kind (the network too, empty when there is none)."""
        return {kind: getattr(self, kind) for kind in KIND_NAMES}

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self.layers().items())
        return f"Atlas({counts})"
