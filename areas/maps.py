"""Former home of the Folium maps; it lives in :mod:`areas.output.maps` now.

This module re-exports the public names for one release so that existing
scripts and notebooks keep working. Import from :mod:`areas.output.maps` instead.
"""

from areas.output.maps.build import *  # noqa: F403
from areas.output.maps.build import __all__  # noqa: F401
