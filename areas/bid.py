"""Former home of BID coverage; it lives in :mod:`areas.analysis` now.

This module re-exports the public names for one release so that existing
scripts and notebooks keep working. Import from :mod:`areas.analysis` instead.
"""

from areas.analysis.bid import *  # noqa: F403
from areas.analysis.bid import __all__  # noqa: F401
