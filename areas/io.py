"""Former home of the loader; it lives in :mod:`areas.load` now.

This module re-exports the public names for one release so that existing
scripts and notebooks keep working. Import from :mod:`areas.load` instead.
"""

from areas.load.pipeline import empty_layer, load, read_layer

__all__ = ["load", "read_layer", "empty_layer"]
