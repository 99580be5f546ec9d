"""Constants shared by every wing: one home for each number and name.

Thresholds and Fingerplan distances are in metres along whatever distance
basis an analysis uses (straight line, detour estimate or walking network).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Literal

__all__ = [
    "VERSION",
    "LANGUAGES",
    "DEFAULT_LANGUAGE",
    "DEFAULT_THRESHOLDS_M",
    "DEFAULT_SERVICE_WINDOW",
    "CORE_AREA_M",
    "STATION_NEAR_M",
    "FINGERPLAN_BANDS_M",
    "DISTANCES",
    "DistanceKind",
    "DISTANCE_ALIASES",
    "NETWORK_SNAP_LIMIT_M",
    "FINGERPLAN_MODES",
    "LARGE_OFFICE_M2",
    "DEFAULT_DETOUR_FACTOR",
    "MODE_GROUP_NAMES",
    "BANDS",
    "ASSIGNMENTS",
]

try:
    #: The toolkit's version, from the installed package's metadata.
    VERSION = version("areas")
except PackageNotFoundError:  # running from a source tree that is not installed
    VERSION = "0+unknown"

#: Output languages: English and Danish.
LANGUAGES = ("en", "da")
#: Language of output when none is asked for.
DEFAULT_LANGUAGE = "en"

#: Distance thresholds (m) of the share columns.
DEFAULT_THRESHOLDS_M = (400, 600, 800, 1200)
#: Fingerplan 2019 station-near core area: within 600 m of a station.
CORE_AREA_M = 600
#: Fingerplan 2019 station-near area: within 1,200 m of a station.
STATION_NEAR_M = 1200
#: The two Fingerplan distances, nearest first.
FINGERPLAN_BANDS_M = (CORE_AREA_M, STATION_NEAR_M)
#: Values of ``distance``: a straight line, the straight line times a detour factor,
#: or the walk along a walking network; ``"walk"`` is the former name of ``"detour"``.
DISTANCES = ("straight", "detour", "network", "walk")
#: The type of ``distance`` options (the values of :data:`DISTANCES`).
DistanceKind = Literal["straight", "detour", "network", "walk"]
#: Former names of ``distance`` values, kept for one release (same output).
DISTANCE_ALIASES = {"walk": "detour"}
#: Default snapping limit of a walking network, in metres (see
#: :class:`areas.analysis.transit.distance.Network`).
NETWORK_SNAP_LIMIT_M = 300.0
#: Modes whose stops are Fingerplan stations by default (rail in service);
#: a BRT stop counts only where the stops layer says ``fingerplan_station``.
FINGERPLAN_MODES = ("light_rail", "metro", "s_train", "regional_rail")
#: Office floor area above which the Fingerplan's office rule asks for a
#: station-near core location, in square metres.
LARGE_OFFICE_M2 = 1500
#: Straight line to walking distance, as a factor; sources in
#: :class:`areas.analysis.transit.distance.Detour`.
DEFAULT_DETOUR_FACTOR = 1.3
#: Mode groups reported, in column order.
MODE_GROUP_NAMES = ("rail", "bus", "any")
#: Values of ``rail_band``, nearest first.
BANDS = ("core", "station_near", "beyond")
#: Values of the ``assignment`` column of :func:`areas.assign_districts`.
ASSIGNMENTS = ("inside", "boundary", "outside", "excluded")

#: Default clock window of the service frequencies: the weekday morning peak.
DEFAULT_SERVICE_WINDOW: tuple[str, str] = ("07:00", "09:00")
