"""Loading: read layer files, check and normalise them, and build an :class:`~areas.atlas.Atlas`.

- :mod:`areas.load.pipeline` -- :func:`load`, :func:`read_layer` and the one
  collecting pipeline behind them and :func:`areas.validate.validate`;
- :mod:`areas.load.plan` -- which files and layers a source names;
- :mod:`areas.load._readers` -- reading GeoPackage, GeoJSON, Shapefile,
  FlatGeobuf and CSV files as they are;
- :mod:`areas.load.normalise` -- columns, ids and values, step by step;
- :mod:`areas.load.values` -- parsing text, numbers, dates and booleans;
- :mod:`areas.load.geometry` and :mod:`areas.load.crs` -- geometry and CRS checks;
- :mod:`areas.load.config` (``areas.toml``) and :mod:`areas.load.datasets` (bundled layers).

Nothing here imports :mod:`areas.analysis` or :mod:`areas.output`.
"""

from areas.load.pipeline import empty_layer, load, read_layer

__all__ = ["load", "read_layer", "empty_layer"]

# ``areas.load(...)`` calls the loader although ``areas.load`` is this package.
from areas._callable import make_callable  # noqa: E402

make_callable(__name__, "load")
