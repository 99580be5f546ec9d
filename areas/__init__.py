"""areas: BID coverage, rewilded hectares and transit accessibility for business districts.

Load the bundled Albertslund–Hvidovre layers (or your own) and ask the three
questions planners ask of a business district::

    >>> import areas
    >>> atlas = areas.load()
    >>> summary = areas.summarize(atlas, as_of="2026-01-01")
    >>> row = summary.table.set_index("district_id").loc["avedoere-holme"]
    >>> round(float(row["rewilded_ha"]), 1), int(row["companies"])
    (15.0, 394)

The public names below are imported on first use, so that ``import areas``
and the command line start quickly.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

try:
    __version__ = version("areas")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

#: Public name -> module that defines it.
_EXPORTS = {
    "Atlas": "atlas",
    "LayerSource": "atlas",
    "load": "io",
    "read_layer": "io",
    "validate": "validate",
    "assign_districts": "assign",
    "bid_coverage": "bid",
    "rewilded_hectares": "rewilding",
    "transit_access": "transit",
    "summarize": "summary",
    "compare": "summary",
    "overview_map": "maps",
    "district_map": "maps",
    "save_map": "maps",
    "write_report": "report",
    "datasets": None,
    "errors": None,
    "schema": None,
    "scenario": None,
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from . import datasets, errors, scenario, schema
    from .assign import assign_districts
    from .atlas import Atlas, LayerSource
    from .bid import bid_coverage
    from .io import load, read_layer
    from .maps import district_map, overview_map, save_map
    from .report import write_report
    from .rewilding import rewilded_hectares
    from .summary import compare, summarize
    from .transit import transit_access
    from .validate import validate


def __getattr__(name: str):
    if name not in _EXPORTS:
        msg = f"module `areas` has no attribute `{name}`"
        raise AttributeError(msg)
    module_name = _EXPORTS[name] or name
    module = importlib.import_module(f".{module_name}", __name__)
    value = module if _EXPORTS[name] is None else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
