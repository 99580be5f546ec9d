"""Colours and styles of the map layers, the ways to colour firms and the layer order."""

from __future__ import annotations

from typing import Any

from areas.constants import FINGERPLAN_BANDS_M
from areas.schema import MODE_GROUPS

#: Ways to colour firms: Fingerplan distance band to rail, or BID membership.
COLOR_BY = ("rail_band", "bid")
#: Layer keys, bottom to top (their names come from ``areas.output.i18n``: ``layer.<key>``).
LAYERS = (
    "catchment_1200",
    "catchment_600",
    "districts",
    "bids",
    "rewilding",
    "company_grid",
    "companies",
    "stops",
)
#: Catchment radii drawn around rail stops (Fingerplan: 600 m core area, 1,200 m
#: station-near area); :data:`areas.constants.FINGERPLAN_BANDS_M`.
CATCHMENTS_M = FINGERPLAN_BANDS_M

BACKGROUND = "#f3f2ee"
DISTRICT_STYLES: dict[str, dict[str, Any]] = {
    "existing": {"color": "#24466f", "weight": 2, "fillColor": "#5b82b5", "fillOpacity": 0.16},
    "planned": {
        "color": "#24466f",
        "weight": 2,
        "dashArray": "8 5",
        "fillColor": "#5b82b5",
        "fillOpacity": 0.08,
    },
    "study": {
        "color": "#24466f",
        "weight": 2,
        "dashArray": "2 4",
        "fillColor": "#5b82b5",
        "fillOpacity": 0.05,
    },
    "withdrawn": {
        "color": "#7d7d7d",
        "weight": 2,
        "dashArray": "6 6",
        "fillColor": "#b5b5b5",
        "fillOpacity": 0.12,
    },
}
FOCUS_STYLE = {"color": "#0b1f3a", "weight": 4}
BID_STYLE = {"color": "#b35806", "weight": 2, "fillColor": "#fdb863", "fillOpacity": 0.25}
REWILDING_STYLE = {"color": "#1b7837", "weight": 1, "fillColor": "#5aae61", "fillOpacity": 0.6}
CATCHMENT_STYLES = {
    600: {"color": "#6a51a3", "weight": 1, "fillColor": "#9e9ac8", "fillOpacity": 0.22},
    1200: {
        "color": "#9e9ac8",
        "weight": 1,
        "dashArray": "4 4",
        "fillColor": "#dadaeb",
        "fillOpacity": 0.3,
    },
}
MODE_COLORS = {
    "light_rail": "#7b1fa2",
    "metro": "#00838f",
    "s_train": "#1565c0",
    "regional_rail": "#5d4037",
    "bus": "#455a64",
    "brt": "#ad1457",
}
STOP_STATES = ("in_service", "planned", "study", "withdrawn")
# Colour-blind-safe (Okabe–Ito) colours, and a shape for every category as the second channel.
BAND_COLORS = {
    "core": "#0072b2",
    "station_near": "#e69f00",
    "beyond": "#cc79a7",
    "unknown": "#8c8c8c",
}
BID_COLORS = {"member": "#0072b2", "in_bid": "#e69f00", "outside": "#8c8c8c", "unknown": "#d0d0d0"}
#: The shape of each firm category (bands and BID membership share the order).
FIRM_SHAPES = {
    "core": "circle",
    "station_near": "square",
    "beyond": "triangle",
    "member": "circle",
    "in_bid": "square",
    "outside": "triangle",
    "unknown": "diamond",
}
FIRM_MARKER: dict[str, Any] = {
    "radius": 3.5,
    "weight": 0.6,
    "color": "#303030",
    "opacity": 0.9,
    "fillOpacity": 0.9,
}
GRID_COLORS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
GRID_STYLE = {"color": "#ffffff", "weight": 0.5, "fillOpacity": 0.65}


_BANDS = ("core", "station_near", "beyond", "unknown")
_BID_CATS = ("member", "in_bid", "outside", "unknown")


def _stop_style(mode: str, state: str) -> dict[str, Any]:
    color = MODE_COLORS.get(mode, "#333333")
    radius = 7 if mode in MODE_GROUPS["rail"] else 4.5
    if state == "in_service":
        return {
            "radius": radius,
            "color": "#ffffff",
            "weight": 1.5,
            "fillColor": color,
            "fillOpacity": 1,
        }
    if state == "planned":
        return {
            "radius": radius,
            "color": color,
            "weight": 2.5,
            "fillColor": "#ffffff",
            "fillOpacity": 0.9,
        }
    if state == "study":
        return {
            "radius": radius,
            "color": color,
            "weight": 2,
            "dashArray": "3 3",
            "fillColor": "#ffffff",
            "fillOpacity": 0.35,
        }
    return {
        "radius": radius - 1.5,
        "color": "#8c8c8c",
        "weight": 1.5,
        "dashArray": "1 3",
        "fillColor": "#ffffff",
        "fillOpacity": 0.3,
    }
