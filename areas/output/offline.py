"""Self-contained Folium maps: Leaflet inlined, no CDN references.

Folium's :class:`folium.Map` links Leaflet, jQuery, Bootstrap, Font Awesome and
Leaflet.awesome-markers from CDNs (``Map.default_js`` / ``default_css``, and the
same lists on plugins, see :class:`folium.elements.JSCSSMixin`). A map written
for the municipal website must render with no network, so
:func:`make_self_contained`

- empties those lists on every element of the map (as instance attributes, so
  Folium's class-level lists stay untouched for other maps),
- drops the resources the toolkit's maps never use (jQuery, Bootstrap, icon
  fonts, awesome-markers: the maps use circle markers and vector layers only),
- inlines Leaflet 1.9.4 JavaScript and CSS, read from the installed
  ``django-js-lib-leaflet`` package, with the CSS's marker and layer-control
  images turned into ``data:`` URIs,
- and refuses (:class:`~areas.errors.OutputError`) any other external script
  or stylesheet, naming the element that asked for it.

:func:`external_resources` lists the ``http(s)://`` scripts and stylesheets
left in rendered HTML; :func:`areas.output.maps.build.save_map` uses it as its final check.
"""

from __future__ import annotations

import base64
import functools
import importlib.resources
import re
from collections import OrderedDict
from collections.abc import Iterator

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink

from areas.errors import OutputError

__all__ = [
    "LEAFLET_VERSION",
    "UNUSED_RESOURCES",
    "leaflet_js",
    "leaflet_css",
    "InlineLeaflet",
    "make_self_contained",
    "external_resources",
]

#: The Leaflet version inlined into maps (from ``django-js-lib-leaflet``).
LEAFLET_VERSION = "1.9.4"
_PACKAGE = "js_lib_leaflet"
_STATIC = "static/js_lib_leaflet"

#: Folium's default resources (by Folium's name for them) replaced by the inlined Leaflet.
LEAFLET_RESOURCES = frozenset({"leaflet", "leaflet_css"})
#: Folium's default resources the toolkit's maps do not use; dropped in self-contained maps.
UNUSED_RESOURCES = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)
#: Name of the inlined Leaflet element in the figure header.
INLINE_NAME = "areas_inline_leaflet"

_EXTERNAL_URL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
_SCRIPT_SRC = re.compile(
    r"<script\b[^>]*?\bsrc\s*=\s*[\"']?\s*((?:https?:)?//[^\"'\s>]+)", re.IGNORECASE
)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"\bhref\s*=\s*[\"']?\s*((?:https?:)?//[^\"'\s>]+)", re.IGNORECASE)
_CSS_IMPORT = re.compile(
    r"@import\s+(?:url\()?\s*[\"']?\s*((?:https?:)?//[^\"')\s;]+)", re.IGNORECASE
)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*[\"']?\s*((?:https?:)?//[^\"')\s]+)", re.IGNORECASE)


def _resource(name: str) -> bytes:
    try:
        return importlib.resources.files(_PACKAGE).joinpath(f"{_STATIC}/{name}").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        msg = (
            f"Leaflet file `{name}` not found in the `django-js-lib-leaflet` package "
            f"({_PACKAGE}/{_STATIC}); self-contained maps inline it. "
            "Install it with `pip install django-js-lib-leaflet`"
        )
        raise OutputError(msg) from exc


@functools.cache
def leaflet_js() -> str:
    """Return Leaflet's minified JavaScript, safe to place in a ``<script>`` element.

    The source-map comment is removed (it would make developer tools look for
    a ``.map`` file beside the HTML).

    Examples
    --------
    >>> "Leaflet 1.9.4" in leaflet_js()
    True
    """
    text = _resource("leaflet.js").decode("utf-8")
    if f"Leaflet {LEAFLET_VERSION}" not in text[:300]:
        msg = f"the installed `django-js-lib-leaflet` does not hold Leaflet {LEAFLET_VERSION}"
        raise OutputError(msg)
    text = re.sub(r"//# sourceMappingURL=\S*\s*$", "", text)
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


@functools.cache
def leaflet_css() -> str:
    """Return Leaflet's CSS with its images embedded as ``data:`` URIs.

    Examples
    --------
    >>> css = leaflet_css()
    >>> "images/" in css, "data:image/png;base64," in css
    (False, True)
    """
    text = _resource("leaflet.css").decode("utf-8")

    def embed(match: re.Match[str]) -> str:
        name = match.group(1)
        data = base64.b64encode(_resource(f"images/{name}")).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    text = re.sub(r"url\(\s*[\"']?images/([\w.-]+\.png)[\"']?\s*\)", embed, text)
    return re.sub(r"</(style)", r"<\\/\1", text, flags=re.IGNORECASE)


class InlineLeaflet(Element):
    """Leaflet's CSS and JavaScript as inline ``<style>`` and ``<script>`` elements.

    Rendered verbatim (not through a Jinja template, so nothing in Leaflet's
    source can be taken for template syntax).
    """

    def __init__(self) -> None:
        super().__init__()
        self._name = "InlineLeaflet"

    def render(self, **kwargs) -> str:
        """Return the two elements as HTML."""
        return (
            f"<style>/* Leaflet {LEAFLET_VERSION} */\n{leaflet_css()}</style>\n"
            f"<script>{leaflet_js()}</script>\n"
        )


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _is_external(url: str) -> bool:
    return bool(_EXTERNAL_URL.match(url))


def make_self_contained(fmap: folium.Map) -> folium.Map:
    """Make ``fmap`` render with Leaflet inlined and no external resources.

    Idempotent; returns the same map.

    Raises
    ------
    OutputError
        When an element of the map needs an external script or stylesheet the
        toolkit cannot inline (a Folium plugin such as ``MarkerCluster``).

    Examples
    --------
    >>> m = make_self_contained(folium.Map(tiles=None))
    >>> external_resources(m.get_root().render())
    []
    """
    figure = fmap.get_root()
    if not isinstance(figure, Figure):
        msg = "`fmap` must be a folium.Map placed in a branca Figure"
        raise OutputError(msg)
    needed: list[str] = []
    for element in _walk(figure):
        for attr in ("default_js", "default_css"):
            resources = getattr(element, attr, None)
            if not resources:
                continue
            kept = []
            for name, url in resources:
                if name in LEAFLET_RESOURCES or name in UNUSED_RESOURCES:
                    continue
                if _is_external(url):
                    needed.append(f"{type(element).__name__} needs {name} ({url})")
                    continue
                kept.append((name, url))
            # An instance attribute: Folium's class-level lists stay as they are.
            setattr(element, attr, kept)
    if needed:
        msg = (
            "a self-contained map cannot fetch external scripts or stylesheets: "
            + "; ".join(needed)
            + ". Remove those elements, or save with `self_contained=False`"
        )
        raise OutputError(msg)
    # Links already placed in the header by an earlier render go; the inline Leaflet comes first.
    header = figure.header
    kept_children = [
        (name, child)
        for name, child in header._children.items()
        if name != INLINE_NAME
        and not (isinstance(child, JavascriptLink | CssLink) and _is_external(child.url))
    ]
    header._children = OrderedDict([(INLINE_NAME, InlineLeaflet()), *kept_children])
    header._children[INLINE_NAME]._parent = header
    return fmap


def external_resources(html: str) -> list[str]:
    """Return the ``http(s)://`` (or ``//``) scripts and stylesheets ``html`` refers to.

    Looks at ``<script src>``, ``<link href>`` and, inside ``<style>``
    elements, ``@import`` and ``url()``. Tile URL templates in JavaScript are
    not resources of the page and are not listed.

    Examples
    --------
    >>> external_resources('<script src="https://cdn.example/x.js"></script><p>https://x</p>')
    ['https://cdn.example/x.js']
    """
    found = [m.group(1) for m in _SCRIPT_SRC.finditer(html)]
    for tag in _LINK_TAG.finditer(html):
        href = _HREF.search(tag.group(0))
        if href:
            found.append(href.group(1))
    for block in _STYLE_BLOCK.finditer(html):
        css = block.group(1)
        found.extend(m.group(1) for m in _CSS_IMPORT.finditer(css))
        found.extend(m.group(1) for m in _CSS_URL.finditer(css))
    return list(dict.fromkeys(found))
