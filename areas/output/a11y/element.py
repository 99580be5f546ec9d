"""The element that makes a folium map keyboard-accessible and gives it a text alternative.

:func:`add_accessibility` adds one :class:`AccessibleMap` to a :class:`folium.Map`.
When the map is rendered it

- gives the page a ``lang`` attribute and (when asked) a title,
- replaces folium's viewport meta element, which locks zooming
  (``maximum-scale=1.0, user-scalable=no``, WCAG 1.4.4), with one that does not,
- inlines ``a11y.css`` and ``a11y.js`` (no network) and calls
  ``areasA11y.init`` with a JSON configuration: the feature groups, the words
  in the page's language, the map's title,
- and writes the text alternative (a caption and a table with the map's numbers)
  as static HTML below the map, readable without JavaScript and in print.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import pandas as pd
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from areas.errors import OutputError
from areas.output.a11y.labels import kind_singular, ui_labels
from areas.output.i18n import check_lang, format_value, is_missing

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
]

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: The keyboard-access script and its stylesheet, inlined into every accessible map.
A11Y_JS = STATIC_DIR / "a11y.js"
A11Y_CSS = STATIC_DIR / "a11y.css"
#: branca's page template with a ``lang`` attribute on ``<html>``.
PAGE_TEMPLATE = STATIC_DIR / "page.html"
#: The viewport of an accessible page: fits the device, zooming allowed.
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'

_VIEWPORT_META = re.compile(r"<meta\s+name=[\"']viewport[\"'][^>]*>", re.IGNORECASE | re.DOTALL)


def _safe_for(tag: str, text: str) -> str:
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


@functools.cache
def a11y_js() -> str:
    """Return ``a11y.js``, safe to place in a ``<script>`` element.

    Examples
    --------
    >>> "window.areasA11y" in a11y_js()
    True
    """
    return _safe_for("script", A11Y_JS.read_text(encoding="utf-8"))


@functools.cache
def a11y_css() -> str:
    """Return ``a11y.css``, safe to place in a ``<style>`` element."""
    return _safe_for("style", A11Y_CSS.read_text(encoding="utf-8"))


@functools.cache
def _page_template() -> Template:
    return Template(PAGE_TEMPLATE.read_text(encoding="utf-8"))


def _json_block(obj: Any) -> str:
    """JSON for a ``<script type="application/json">`` element (no ``<``, ``>``, ``&``)."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass(frozen=True)
class FeatureGroup:
    """One kind of map feature, listed under its own heading in the feature list.

    Parameters
    ----------
    kind
        The kind of feature; with no ``layers``, the list holds every layer on
        the map whose ``options.areasKind`` equals ``kind`` (the toolkit's layers
        are tagged so: ``districts``, ``bids``, ``rewilding``, ``stops``).
    label
        Heading of the group in the list, e.g. "Business districts".
    singular
        Name of one feature, spoken after its name ("Hersted Industripark,
        business district"); default: the toolkit's word for ``kind``.
    layers
        folium elements (``folium.GeoJson``, ``folium.Polygon``,
        ``folium.CircleMarker``, ``folium.FeatureGroup``, ...) whose features
        form the group.
    name_key
        GeoJSON property holding a feature's name; without it the name is the
        title of the feature's tooltip or popup.
    """

    kind: str
    label: str
    singular: str | None = None
    layers: Sequence[MacroElement] = field(default=())
    name_key: str | None = None

    def config(self, lang: str) -> dict[str, Any]:
        """Return the group as ``areasA11y.init`` reads it."""
        singular = self.singular
        if singular is None:
            try:
                singular = kind_singular(self.kind, lang)
            except KeyError as exc:
                msg = (
                    f"feature group `{self.kind}` needs `singular`, the name of one of its "
                    "features (the toolkit only knows its own kinds)"
                )
                raise OutputError(msg) from exc
        return {
            "kind": self.kind,
            "label": self.label,
            "singular": singular,
            "layers": [layer.get_name() for layer in self.layers],
            "nameKey": self.name_key,
        }


def table_html(table: pd.DataFrame, lang: str) -> str:
    """Return ``table`` as an HTML ``<table>``, every value written for ``lang``.

    Column names are the headers (give them as readers should see them);
    numbers are right-aligned; missing values are "–". The index is not shown.

    Examples
    --------
    >>> frame = pd.DataFrame({"Område": ["Øerne"], "Areal (ha)": [12.5]})
    >>> print(table_html(frame, "da"))  # doctest: +NORMALIZE_WHITESPACE
    <table><thead><tr><th scope="col">Område</th><th scope="col">Areal (ha)</th></tr></thead>
    <tbody><tr><td>Øerne</td><td class="num">12,5</td></tr></tbody></table>
    """
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(str(c))}</th>' for c in table.columns)
    numeric = [pd.api.types.is_numeric_dtype(table[c]) for c in table.columns]
    rows = []
    for values in table.itertuples(index=False, name=None):
        cells = []
        for value, is_number in zip(values, numeric, strict=True):
            text = esc(format_value(value, lang))
            number = is_number and not is_missing(value) and not isinstance(value, bool)
            cells.append(f'<td class="num">{text}</td>' if number else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead>\n<tbody>{''.join(rows)}</tbody></table>"


class _Raw(Element):
    """An element rendered verbatim (never compiled as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "AreasRaw"
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class AccessibleMap(MacroElement):
    """Keyboard access, names and a text alternative for the folium map it is added to.

    Add it with :func:`add_accessibility` (after the map's layers).
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <script type="application/json" id="{{ this.get_name() }}_config">{{ this.config }}</script>
        {{ this.text_html }}
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            function start() {
                areasA11y.fromBlock({{ this._parent.get_name() }},
                    "{{ this.get_name() }}_config");
            }
            if (document.readyState === "loading") {
                document.addEventListener("DOMContentLoaded", start);
            } else { start(); }
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        lang: str,
        title: str | None,
        groups: Iterable[FeatureGroup],
        caption: str | None,
        table: pd.DataFrame | None,
        position: str,
    ) -> None:
        super().__init__()
        self._name = "AreasAccessibleMap"
        self.lang = check_lang(lang)
        self.title = title
        self.groups = tuple(groups)
        self.caption = caption
        self.table = table
        self.position = position
        self.text_html = ""
        self.config = ""

    def _text_alternative(self) -> tuple[str, str | None]:
        if self.caption is None:
            return "", None
        cid = f"{self.get_name()}_caption"
        caption = html.escape(self.caption)
        if self.table is None:
            return f'<p class="areas-a11y-text" id="{cid}">{caption}</p>', cid
        body = table_html(self.table, self.lang)
        text = (
            f'<figure class="areas-a11y-text"><figcaption id="{cid}">{caption}</figcaption>'
            f'<div class="areas-a11y-table-wrap" role="region" tabindex="0" '
            f'aria-labelledby="{cid}">{body}</div></figure>'
        )
        return text, cid

    def render(self, **kwargs):
        """Fix the page (lang, title, viewport), inline the script and add the parts."""
        figure = self.get_root()
        fmap = self._parent
        if not isinstance(figure, Figure) or not isinstance(fmap, folium.Map):
            msg = "AccessibleMap must be added to a folium.Map that sits in a branca Figure"
            raise OutputError(msg)
        figure.areas_lang = self.lang  # type: ignore[attr-defined]  # read by page.html
        figure._template = _page_template()
        if self.title and not figure.title:
            figure.title = self.title
        # The map's own header (rendered just before its children) locks zooming.
        own = figure.header._children.get(fmap.get_name())
        if own is not None:
            fixed = _VIEWPORT_META.sub(VIEWPORT, own.render())
            figure.header._children[fmap.get_name()] = _Raw(fixed)
        else:
            figure.header.add_child(_Raw(VIEWPORT), name="areas_a11y_viewport")
        figure.header.add_child(
            _Raw(f"<style>{a11y_css()}</style>\n<script>{a11y_js()}</script>\n"),
            name="areas_a11y_static",
        )
        self.text_html, described_by = self._text_alternative()
        self.config = _json_block(
            {
                "lang": self.lang,
                "title": self.title or figure.title or None,
                "labels": ui_labels(self.lang),
                "groups": [g.config(self.lang) for g in self.groups],
                "describedBy": described_by,
                "position": self.position,
            }
        )
        # Each macro is rendered once and placed as it is: branca's own render would
        # compile the output (which holds feature names) as a template again.
        macros = self._template.module.__dict__
        figure.html.add_child(_Raw(macros["html"](self, kwargs)), name=self.get_name())
        figure.script.add_child(_Raw(macros["script"](self, kwargs)), name=self.get_name())


def add_accessibility(
    fmap: folium.Map,
    *,
    lang: str = "en",
    title: str | None = None,
    groups: Iterable[FeatureGroup] = (),
    caption: str | None = None,
    table: pd.DataFrame | None = None,
    position: str = "topleft",
) -> AccessibleMap:
    """Make ``fmap`` keyboard-accessible and give it a text alternative.

    Call it after the map's layers are added. The page gets ``lang``, a title,
    a viewport that allows zooming and, in a Leaflet control, a list of the
    map's features (one button per feature, grouped as ``groups``; a button
    shows its feature and opens its popup or tooltip). With ``caption`` (and
    ``table``), a caption and a table with the map's numbers follow the map.

    Parameters
    ----------
    fmap
        The map.
    lang : {"en", "da"}
        Language of the page and of every word the element adds.
    title
        The page's title (used when the page has none) and the map's name.
    groups
        The kinds of features to list (see :class:`FeatureGroup`).
    caption
        What the map shows, in one sentence; the caption of ``table``.
    table
        The map's numbers, one row per feature, columns labelled for readers.
    position
        Leaflet control corner of the feature list.

    Returns
    -------
    AccessibleMap
        The element added to ``fmap``.

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> _ = add_accessibility(m, lang="da", title="Kort")
    >>> page = m.get_root().render()
    >>> '<html lang="da">' in page, "user-scalable=no" in page
    (True, False)
    """
    if table is not None and caption is None:
        msg = "a `table` needs a `caption` saying what the map and the table show"
        raise OutputError(msg)
    element = AccessibleMap(
        lang=lang, title=title, groups=groups, caption=caption, table=table, position=position
    )
    fmap.add_child(element, name="areas_accessible_map")
    return element
