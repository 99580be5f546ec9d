"""Former home of the areas.toml reader; it lives in :mod:`areas.load.config` now.

This module re-exports the public names for one release so that existing
scripts and notebooks keep working. Import from :mod:`areas.load.config` instead.
"""

from areas.load.config import *  # noqa: F403
from areas.load.config import __all__  # noqa: F401
