"""Accessible maps: every feature reachable and named with the keyboard, and a text alternative.

The parts are static files inlined into each map (the pages stay offline and
self-contained):

- :data:`A11Y_JS` (``static/a11y.js``): ``areasA11y.init(map, config)``, the
  feature list, the map's name and keyboard help, Leaflet's control titles in
  the page's language;
- :data:`A11Y_CSS` (``static/a11y.css``): visible focus, the list, the table;
- :data:`PAGE_TEMPLATE` (``static/page.html``): the page with ``<html lang>``.

:func:`add_accessibility` adds them to a :class:`folium.Map`.
"""

from areas.output.a11y.element import (
    A11Y_CSS,
    A11Y_JS,
    PAGE_TEMPLATE,
    STATIC_DIR,
    VIEWPORT,
    AccessibleMap,
    FeatureGroup,
    a11y_css,
    a11y_js,
    add_accessibility,
    table_html,
)
from areas.output.a11y.labels import kind_singular, ui_labels

__all__ = [
    "STATIC_DIR",
    "A11Y_JS",
    "A11Y_CSS",
    "PAGE_TEMPLATE",
    "VIEWPORT",
    "FeatureGroup",
    "AccessibleMap",
    "a11y_js",
    "a11y_css",
    "add_accessibility",
    "table_html",
    "kind_singular",
    "ui_labels",
]
