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
from typing import TYPE_CHECKING

from areas.constants import VERSION as __version__

#: Public name -> module that defines it.
_EXPORTS = {
    "Atlas": "atlas",
    "LayerSource": "atlas",
    "load": None,
    "read_layer": "load",
    "validate": None,
    "assign_districts": "analysis.assign",
    "bid_coverage": "analysis.bid",
    "rewilded_hectares": "analysis.rewilding",
    "transit_access": "analysis.transit",
    "summarize": "analysis.summary",
    "compare": "analysis.summary",
    "service_frequency": "analysis.service",
    "read_gtfs": "load.gtfs",
    "PtalParameters": "analysis.service",
    "DgRegioParameters": "analysis.service",
    "station_zones": "analysis.fingerplan",
    "MapOptions": "output.maps",
    "overview_map": "output.maps",
    "district_map": "output.maps",
    "save_map": "output.maps",
    "write_report": "output.report",
    "datasets": "load.datasets",
    "errors": None,
    "schema": None,
    "scenario": None,
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    import areas.load.datasets as datasets
    from areas import errors, scenario, schema
    from areas.analysis.assign import assign_districts
    from areas.analysis.bid import bid_coverage
    from areas.analysis.fingerplan import station_zones
    from areas.analysis.rewilding import rewilded_hectares
    from areas.analysis.service import DgRegioParameters, PtalParameters, service_frequency
    from areas.analysis.summary import compare, summarize
    from areas.analysis.transit.access import transit_access
    from areas.atlas import Atlas, LayerSource
    from areas.load.gtfs import read_gtfs
    from areas.load.pipeline import load, read_layer
    from areas.output.maps.build import MapOptions, district_map, overview_map, save_map
    from areas.output.report.write import write_report
    from areas.validate import validate


def __getattr__(name: str):
    if name not in _EXPORTS:
        msg = f"module `areas` has no attribute `{name}`"
        raise AttributeError(msg)
    module_name = _EXPORTS[name] or name
    module = importlib.import_module(f".{module_name}", __name__)
    value = module if _EXPORTS[name] is None or name == "datasets" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """Return the public names (not the helpers this module imports for itself)."""
    dunders = {n for n in globals() if n.startswith("__") and n.endswith("__")}
    return sorted(dunders | set(__all__))
