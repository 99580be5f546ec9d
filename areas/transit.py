"""Former home of transit access; it lives in :mod:`areas.analysis.transit` now.

This module re-exports the public names for one release so that existing
scripts and notebooks keep working. Import from :mod:`areas.analysis.transit` instead.
"""

from areas.analysis.transit.access import *  # noqa: F403
from areas.analysis.transit.access import __all__  # noqa: F401
