"""The walking-network engine: graph, snapping, walking distances and station zones.

Build a :class:`WalkingNetwork` once from a network layer with
:func:`build_network`; :func:`nearest`, :func:`within` and
:func:`station_zones` take it (or a layer, built on the spot).
"""

from areas.analysis.network.distance import REASONS, nearest, within
from areas.analysis.network.graph import (
    NODE_TOLERANCE_M,
    SNAP_LIMIT_M,
    SnappedPoints,
    WalkingNetwork,
    build_network,
)
from areas.analysis.network.graph import (
    as_network as as_network_graph,
)
from areas.analysis.network.zones import ZONE_RESOLUTION_M, station_zones

__all__ = [
    "NODE_TOLERANCE_M",
    "SNAP_LIMIT_M",
    "ZONE_RESOLUTION_M",
    "REASONS",
    "WalkingNetwork",
    "SnappedPoints",
    "build_network",
    "as_network_graph",
    "nearest",
    "within",
    "station_zones",
]
