"""The branca elements a map is made of: shared support code, data layers, legend, view.

Each element renders to a strict-JSON data block and a one-line call of a
function in ``static/areas.js``; the JavaScript and CSS are real files under
``areas/output/maps/static/`` (package data), inlined once into every page so
that a saved map needs no network.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from areas.errors import OutputError
from areas.output.maps.geo import _json_for_html
from areas.output.maps.styles import BACKGROUND


@cache
def static_text(name: str) -> str:
    """Return the text of a file in ``areas/output/maps/static/``."""
    return files("areas.output.maps").joinpath("static", name).read_text(encoding="utf-8")


def _figure(element: MacroElement) -> Figure:
    figure = element.get_root()
    if not isinstance(figure, Figure):
        msg = "the map must be placed in a branca Figure to render"
        raise OutputError(msg)
    return figure


class RawElement(Element):
    """An element rendered verbatim (no template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawElement"
        self._text = text

    def render(self, **kwargs) -> str:
        """Return the text as it is."""
        return self._text


class Macro(MacroElement):
    """A macro element whose rendered text is placed on the page as it is.

    branca's ``MacroElement.render`` wraps the output of each macro in
    ``Element(text)``, which compiles that text as a Jinja template a second
    time. The output holds attribute text (names, owners, addresses), so text
    such as ``{{ ... }}`` would run as template code and ``{#`` would stop the
    page with a syntax error. Here each macro is rendered once, with the
    element's attributes, and its output added as a :class:`RawElement`.
    """

    def render(self, **kwargs) -> None:  # type: ignore[override]  # renders into the figure
        """Add the header, html and script macros to the page, then render the children."""
        figure = _figure(self)
        macros = self._template.module.__dict__
        for part, target in (
            ("header", figure.header),
            ("html", figure.html),
            ("script", figure.script),
        ):
            macro = macros.get(part)
            if macro is not None:
                target.add_child(RawElement(macro(self, kwargs)), name=self.get_name())
        for element in list(self._children.values()):
            element.render(**kwargs)


class _AddTo(Macro):
    """``element.addTo(parent)``: folium's ``ElementAddToElement``, its output placed as it is."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this.element_name }}.addTo({{ this.element_parent_name }});
        {% endmacro %}
    """
    )

    def __init__(self, element_name: str, element_parent_name: str) -> None:
        super().__init__()
        self._name = "ElementAddToElement"
        self.element_name = element_name
        self.element_parent_name = element_parent_name


class LayerGroup(folium.FeatureGroup):
    """folium's ``FeatureGroup``, rendered as :class:`Macro` renders (its output not recompiled).

    The same page text as ``folium.FeatureGroup``; a map has a dozen of them,
    and a report hundreds of maps.
    """

    def render(self, **kwargs) -> None:  # type: ignore[override]  # renders into the figure
        """Add the group's script and its ``addTo`` (when shown) to the page."""
        if self.includes:  # folium's include statements: not used by the toolkit's groups
            super().render(**kwargs)
            return
        if self.show:
            parent = self._parent.get_name() if self._parent is not None else ""
            self.add_child(_AddTo(self.get_name(), parent), name=self.get_name() + "_add")
        Macro.render(self, **kwargs)  # type: ignore[arg-type]


class Support(Macro):
    """Shared CSS and tooltip code (``static/areas.css``, ``areas.js``), and the background."""

    _template = Template(
        "{% macro header(this, kwargs) %}<style>#{{ this._parent.get_name() }} "
        "{ background: {{ this.background }}; }</style>{% endmacro %}"
    )

    def __init__(self, background: str = BACKGROUND) -> None:
        super().__init__()
        self._name = "AreasSupport"
        self.background = background

    def render(self, **kwargs):
        """Add the shared CSS and code to the page header (once per page)."""
        css, js = static_text("areas.css"), static_text("shapes.js") + static_text("areas.js")
        _figure(self).header.add_child(
            RawElement(f"<style>{css}</style>\n<script>{js}</script>\n"), name="areas_support"
        )
        super().render(**kwargs)


_DATA_BLOCK = (
    '{% macro html(this, kwargs) %}<script type="application/json" '
    'id="{{ this.get_name() }}_data" data-areas-layer="{{ this.kind }}">{{ this.json }}'
    "</script>{% endmacro %}"
)


class JsonData(Macro):
    """Base of the layers: a strict-JSON data block in the page body."""

    def __init__(self, kind: str, data: Any, text: str | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.json = _json_for_html(data) if text is None else text


class GeoJsonLayer(JsonData):
    """Polygons or points from a GeoJSON FeatureCollection, styled by a lookup table.

    Each feature's properties hold ``id``, ``s`` (style key), ``t`` (tooltip
    title) and ``r`` (tooltip rows, label/value text pairs).
    """

    _template = Template(
        _DATA_BLOCK + "{% macro script(this, kwargs) %}var {{ this.get_name() }} = areasGeoJson("
        '"{{ this.get_name() }}_data", {{ this._parent.get_name() }}, {{ this.styles }}, '
        "{{ this.kind|tojson }}, {{ this.options|tojson }});{% endmacro %}"
    )

    def __init__(
        self,
        kind: str,
        features: list[dict],
        styles: dict[str, dict],
        *,
        tooltip: bool = True,
        sticky: bool = True,
        text: str | None = None,
    ) -> None:
        """``text``: the collection's JSON when already made (see ``geo._collection_json``)."""
        super().__init__(kind, {"type": "FeatureCollection", "features": features}, text)
        self._name = "AreasGeoJson"
        self.styles = _json_for_html(styles)
        self.options = {"tooltip": tooltip, "sticky": sticky}


class BackgroundLayer(JsonData):
    """The background (water, boundaries, roads, railways): light, in an SVG pane below the data.

    ``attribution`` is HTML (escaped in Python) added to the map's attribution control.
    """

    _template = Template(
        _DATA_BLOCK + "{% macro script(this, kwargs) %}var {{ this.get_name() }} = areasBackground("
        '"{{ this.get_name() }}_data", {{ this.map_name }}, {{ this._parent.get_name() }}, '
        "{{ this.styles }}, {{ this.attribution|tojson }});{% endmacro %}"
    )

    def __init__(
        self, features: list[dict], styles: dict[str, dict], attribution: str, map_name: str
    ) -> None:
        super().__init__("background", {"type": "FeatureCollection", "features": features})
        self._name = "AreasBackground"
        self.styles = _json_for_html(styles)
        self.attribution = attribution
        self.map_name = map_name


class Attribution(Macro):
    """Add an HTML attribution (escaped in Python) to the map's attribution control."""

    _template = Template(
        "{% macro script(this, kwargs) %}areasAttribution({{ this._parent.get_name() }}, "
        "{{ this.text|tojson }});{% endmacro %}"
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "AreasAttribution"
        self.text = text


class FirmPoints(JsonData):
    """Firms as canvas circle markers, built from a compact array.

    Rows are ``[lat, lon, band, bid_category, name, employees, stop, distance_m, bid]``
    (``stop`` and ``bid`` index the ``stops`` and ``bids`` name lists). With
    ``aggregate`` the markers are drawn only from zoom ``min_zoom`` (and built
    the first time they are needed).
    """

    _template = Template(
        _DATA_BLOCK + "{% macro script(this, kwargs) %}var {{ this.get_name() }} = "
        'areasFirmPoints("{{ this.get_name() }}_data", {{ this.map_name }}, '
        "{{ this._parent.get_name() }});{% endmacro %}"
    )

    def __init__(self, data: dict, map_name: str) -> None:
        super().__init__("companies", data)
        self._name = "AreasFirms"
        self.map_name = map_name


class FirmGrid(JsonData):
    """Firm counts per square cell; drawn below zoom ``min_zoom`` when ``aggregate``.

    Cells are ``[[lat, lon] × 4, total, colour class, [count per category]]``.
    """

    _template = Template(
        _DATA_BLOCK + "{% macro script(this, kwargs) %}var {{ this.get_name() }} = "
        'areasFirmGrid("{{ this.get_name() }}_data", {{ this.map_name }}, '
        "{{ this._parent.get_name() }});{% endmacro %}"
    )

    def __init__(self, data: dict, map_name: str) -> None:
        super().__init__("company_grid", data)
        self._name = "AreasFirmGrid"
        self.map_name = map_name


class Stacking(Macro):
    """Keep the layers in order on the shared canvas when toggled or built lazily."""

    _template = Template(
        "{% macro script(this, kwargs) %}areasStacking({{ this._parent.get_name() }}, "
        '[{{ this.below|join(", ") }}], [{{ this.above|join(", ") }}]);{% endmacro %}'
    )

    def __init__(self, below: list[str], above: list[str]) -> None:
        super().__init__()
        self._name = "AreasStacking"
        self.below = below
        self.above = above


class FitView(Macro):
    """Fit the map to bounds on opening, without animation, clear of the legend and layer list.

    (An animated opening zoom would swallow a zoom asked for while it runs.)
    """

    _template = Template(
        "{% macro script(this, kwargs) %}areasFitView({{ this._parent.get_name() }}, "
        "{{ this.bounds|tojson }});{% endmacro %}"
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "AreasFitView"
        self.bounds = bounds


class ZoomTitles(Macro):
    """Titles of the zoom buttons in the map's language."""

    _template = Template(
        "{% macro script(this, kwargs) %}areasZoomTitles({{ this._parent.get_name() }}, "
        "{{ this.zoom_in|tojson }}, {{ this.zoom_out|tojson }});{% endmacro %}"
    )

    def __init__(self, zoom_in: str, zoom_out: str) -> None:
        super().__init__()
        self._name = "AreasZoomTitles"
        self.zoom_in = zoom_in
        self.zoom_out = zoom_out


class Legend(Macro):
    """An HTML legend placed in a Leaflet control (all text escaped in Python)."""

    _template = Template(
        '{% macro html(this, kwargs) %}<div id="{{ this.get_name() }}" class="areas-legend" '
        'data-areas-lang="{{ this.lang }}" hidden>{{ this.body }}</div>{% endmacro %}'
        "{% macro script(this, kwargs) %}areasLegend({{ this._parent.get_name() }}, "
        '"{{ this.get_name() }}", {{ this.position|tojson }});{% endmacro %}'
    )

    def __init__(self, body: str, lang: str, position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "AreasLegend"
        self.body = body
        self.lang = lang
        self.position = position
