"""Words of the keyboard and screen-reader parts of a map, in English and Danish."""

from __future__ import annotations

from areas.output.i18n import check_lang

__all__ = ["UI_LABELS", "KIND_SINGULAR", "ui_labels", "kind_singular"]

#: key -> (English, Danish): the feature list, the map's name and Leaflet's controls.
UI_LABELS: dict[str, tuple[str, str]] = {
    "features": ("Map features", "Kortets elementer"),
    "hint": (
        "Choose a feature to show it on the map and hear its details.",
        "Vælg et element for at vise det på kortet og få dets oplysninger.",
    ),
    "map": ("map", "kort"),
    "keyboardHelp": (
        "Arrow keys move the map, plus and minus zoom. "
        "The list “Map features” reaches every feature of the map.",
        "Piletasterne flytter kortet, plus og minus zoomer. "
        "Listen »Kortets elementer« giver adgang til hvert element på kortet.",
    ),
    "zoomIn": ("Zoom in", "Zoom ind"),
    "zoomOut": ("Zoom out", "Zoom ud"),
    "layers": ("Layers", "Lag"),
    "leaflet": ("A JavaScript library for interactive maps", "Et JavaScript-bibliotek til kort"),
    "hidden": ("(its layer is switched off)", "(laget er slået fra)"),
}

#: The toolkit's feature kinds, one of them (for a button's accessible name).
KIND_SINGULAR: dict[str, tuple[str, str]] = {
    "districts": ("business district", "erhvervsområde"),
    "bids": ("BID", "BID"),
    "rewilding": ("rewilded plot", "areal med vild natur"),
    "stops": ("stop", "stoppested"),
    "companies": ("firm", "virksomhed"),
}


def _pick(table: dict[str, tuple[str, str]], lang: str) -> dict[str, str]:
    i = ("en", "da").index(check_lang(lang))
    return {key: pair[i] for key, pair in table.items()}


def ui_labels(lang: str = "en") -> dict[str, str]:
    """Return the feature list's and the map controls' words in ``lang``.

    Examples
    --------
    >>> ui_labels("da")["zoomIn"]
    'Zoom ind'
    """
    return _pick(UI_LABELS, lang)


def kind_singular(kind: str, lang: str = "en") -> str:
    """Return the name of one feature of the toolkit's layer ``kind`` in ``lang``.

    Examples
    --------
    >>> kind_singular("rewilding", "da")
    'areal med vild natur'
    """
    if kind not in KIND_SINGULAR:
        msg = f"`kind` must be one of {', '.join(KIND_SINGULAR)}, got {kind!r}"
        raise KeyError(msg)
    return _pick(KIND_SINGULAR, lang)[kind]
