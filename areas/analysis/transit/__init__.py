"""Transit accessibility: nearest stops per mode group, distances and bands."""

from areas.analysis.transit.access import *  # noqa: F403
from areas.analysis.transit.access import __all__  # noqa: F401
