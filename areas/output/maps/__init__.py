"""Self-contained Folium maps of districts, BIDs, rewilding plots, stops and firms."""

from areas.output.maps.build import *  # noqa: F403
from areas.output.maps.build import __all__  # noqa: F401
