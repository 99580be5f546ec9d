"""Former home of rewilded hectares; it lives in :mod:`areas.analysis` now.

This module re-exports the public names for one release so that existing
scripts and notebooks keep working. Import from :mod:`areas.analysis` instead.
"""

from areas.analysis.rewilding import *  # noqa: F403
from areas.analysis.rewilding import __all__  # noqa: F401
