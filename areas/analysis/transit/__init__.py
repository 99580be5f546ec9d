"""Transit accessibility: nearest stops per mode group, distances and bands.

- :mod:`~areas.analysis.transit.access`: :func:`transit_access` and its result;
- :mod:`~areas.analysis.transit.districts`: the result per district (shares, medians, bands);
- :mod:`~areas.analysis.transit.nearest`: the straight-line nearest stop and its tie rule;
- :mod:`~areas.analysis.transit.distance`: how distance is measured
  (:class:`Straight`, :class:`Detour`, the :class:`DistanceBasis` protocol).
"""

from areas.analysis.transit.access import *  # noqa: F403
from areas.analysis.transit.access import __all__ as _access_all
from areas.analysis.transit.distance import Detour, DistanceBasis, Measured, StopSet, Straight

__all__ = [*_access_all, "DistanceBasis", "Measured", "StopSet", "Straight", "Detour"]
