"""Former home of the bundled-layer registry; it lives in :mod:`areas.load.datasets` now.

This module re-exports the public names for one release so that existing
scripts and notebooks keep working. Import from :mod:`areas.load.datasets` instead.
"""

from areas.load.datasets import *  # noqa: F403
from areas.load.datasets import __all__  # noqa: F401
