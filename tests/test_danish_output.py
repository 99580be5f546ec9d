"""No English left in Danish output.

Every English word of the toolkit's own labels (layer names, legend, column
labels, statuses, modes, bands, sectors, habitats, report headings, messages)
that is not also a Danish word of its labels is looked for in the Danish
outputs: the report pages (visible text, charts included), the maps (page
title, legend, layer names, popups, zoom buttons), the terminal summary table
and the map command's message. CSV, GeoPackage and JSON keep their English
column names on purpose (they are read by programs); the spreadsheet has a
Danish sheet that names every column.
"""

from __future__ import annotations

import html
import json
import re

import pytest

import areas
import areas.columns as _columns
from areas.cli import main
from areas.output import i18n

AS_OF = "2026-12-01"
WORD = re.compile(r"[A-Za-zÆØÅæøå]+(?:[-'][A-Za-zÆØÅæøå]+)*")
# Words both languages write the same way, or that are names and codes.
SHARED = {"BID", "BIDs", "BRT", "CSV", "Excel", "GeoPackage", "JSON", "UTF", "SHA", "QGIS"}
SHARED |= {"GDAL", "EPSG", "areas", "Leaflet", "OpenStreetMap", "metro", "bus", "Status"}


def _words(text: str) -> set[str]:
    return set(WORD.findall(text))


def english_words() -> set[str]:
    """Return the English words of the labels that no Danish label uses."""
    english: set[str] = set()
    danish: set[str] = set()
    for key in i18n._all_labels():
        english |= _words(i18n.t(key, "en").format_map(_Blank()))
        danish |= _words(i18n.t(key, "da").format_map(_Blank()))
    for column in _columns.COLUMNS.values():
        english |= _words(column.en)
        danish |= _words(column.da)
    words = {w for w in english - danish if len(w) >= 4} - SHARED
    return words | {"Zoom in", "Zoom out", "written"}


class _Blank(dict):
    def __missing__(self, key):
        return ""


def _data_texts() -> list[str]:
    """Return the free text of the bundled layers (names, sources, owners): the user's words."""
    atlas = areas.load()
    texts: set[str] = set()
    for frame, columns in (
        (atlas.districts, ("name", "source")),
        (atlas.companies, ("name", "address")),
        (atlas.rewilding, ("owner",)),
        (atlas.bids, ("name",)),
        (atlas.stops, ("name", "line")),
    ):
        for column in columns:
            if column in frame.columns:
                texts |= {str(v) for v in frame[column].dropna()}
    return sorted(texts, key=len, reverse=True)


DATA_TEXTS = _data_texts()


def assert_danish(text: str, where: str) -> None:
    text = " ".join(text.split())
    for data in DATA_TEXTS:  # the layers' own free text is the user's, in any language
        text = text.replace(" ".join(data.split()), " ")
    found = sorted(
        w for w in english_words() if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)
    )
    assert not found, f"English in the Danish {where}: {found}"


def visible_text(page: str) -> str:
    """Return what a reader sees of an HTML page: no scripts, styles, tags or file names."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"[\w<>/.-]+\.(?:csv|xlsx|gpkg|json|html|geojson)\b", " ", text)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for k, v in value.items() if k not in _CODE_KEYS for t in _strings(v)]
    if isinstance(value, list):
        return [t for v in value for t in _strings(v)]
    return []


# Keys of the map data that hold codes, colours and data rows rather than text shown.
_CODE_KEYS = {"rows", "cells", "colors", "colorBy", "colorColumn", "marker", "style", "sep"}
# ... and of the feature list of accessible maps (layer kinds and property names are codes)
_CODE_KEYS |= {"kind", "nameKey", "layers", "shapes"}


def map_text(page: str) -> str:
    """Return the map's own text: title, legend, layer names, popups, zoom titles."""
    parts = re.findall(r"<title>(.*?)</title>", page, flags=re.S)
    parts += re.findall(r'class="areas-legend"[^>]*>(.*?)</div>\s*<', page, flags=re.S)
    for data in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S):
        value = json.loads(data)
        if "features" in value:
            for feature in value["features"]:
                props = feature["properties"]
                parts += _strings([props.get("t"), props.get("r")])
        else:
            parts += _strings({k: v for k, v in value.items() if k not in _CODE_KEYS})
    parts += re.findall(r"areasZoomTitles\([^,]+,(.*?)\);", page)
    return visible_text(" ".join(parts))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("da") / "rapport"
    areas.write_report(
        areas.load(), out, as_of=AS_OF, compare_as_of="2025-01-01", lang="da", progress=False
    )
    return out


def test_the_word_list_is_real():
    words = english_words()
    assert {"Firms", "Share", "distance", "planned", "wholesale"} <= words


def test_report_pages_are_danish(report):
    pages = sorted(report.glob("*.html")) + sorted((report / "districts").glob("*.html"))
    pages = [p for p in pages if not p.name.endswith(".map.html") and p.name != "map.html"]
    assert len(pages) > 2
    for page in pages:
        assert_danish(visible_text(page.read_text(encoding="utf-8")), page.name)


def test_maps_are_danish(report):
    maps = [report / "map.html", *sorted((report / "districts").glob("*.map.html"))]
    for path in maps:
        page = path.read_text(encoding="utf-8")
        text = map_text(page)
        assert "Zoom ind" in text and "Zoom ud" in text
        assert_danish(text, path.name)
        # the layer control's names
        names = " ".join(re.findall(r'"([^"]+)"\s*:\s*feature_group_', page))
        assert_danish(names, f"{path.name} layer control")


def test_summary_table_and_messages_are_danish(tmp_path, capsys):
    assert main(["summary", "--lang", "da", "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert_danish(out.replace("areas-oversigt", ""), "summary table")
    assert main(["map", "--lang", "da", "--as-of", AS_OF, "--out", str(tmp_path / "k.html")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Kortet er gemt i ")
    assert_danish(out.replace(str(tmp_path), ""), "map message")


def test_every_column_and_value_has_a_danish_label():
    table = areas.summarize(areas.load(), as_of=AS_OF).table
    for column in table.columns:
        assert i18n.column_label(column, "da") != column, column
    atlas = areas.load()
    for value in set(atlas.companies["sector"].dropna()):
        assert i18n.value_label("sector", value, "da") != value, value
    for value in set(atlas.rewilding["habitat"].dropna()):
        assert i18n.value_label("habitat", value, "da") != value, value
