"""Compact large point maps: many points in a small self-contained page.

:func:`compact_points_layer` returns a folium layer that embeds the points as
quantised, delta-encoded, deflate-compressed typed arrays and draws them on a
canvas with :data:`COMPACT_JS` (``static/compact.js``, inlined into the page).
"""

from areas.output.compact.layer import (
    COMPACT_JS,
    STEP_DEG,
    CompactPoints,
    compact_js,
    compact_points_layer,
    encode_points,
)

__all__ = [
    "COMPACT_JS",
    "STEP_DEG",
    "CompactPoints",
    "compact_js",
    "compact_points_layer",
    "encode_points",
]
