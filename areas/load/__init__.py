"""Loading: read layer files, check and normalise them, and build an :class:`~areas.atlas.Atlas`.

Nothing here imports :mod:`areas.analysis` or :mod:`areas.output`.
"""

from areas.load.pipeline import empty_layer, load, read_layer

__all__ = ["load", "read_layer", "empty_layer"]

# ``areas.load(...)`` calls the loader although ``areas.load`` is this package.
from areas._callable import make_callable  # noqa: E402

make_callable(__name__, "load")
