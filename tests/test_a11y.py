"""Accessible maps (:mod:`areas.output.a11y`) and the axe-core harness, in a real browser.

A small folium map (three polygons, two point markers) is made accessible and
saved self-contained; headless Debian chromium opens it with the network
blocked. axe-core must find no WCAG 2.1 A/AA violation, the Tab key must reach
a button for every feature with the feature's name as its accessible name, and
activating a button must show the feature and announce its text.
"""

from __future__ import annotations

import re
from pathlib import Path

import folium
import pandas as pd
import pytest

from areas.errors import OutputError
from areas.output.a11y import (
    VIEWPORT,
    FeatureGroup,
    a11y_js,
    add_accessibility,
    kind_singular,
    table_html,
    ui_labels,
)
from areas.output.a11y.labels import KIND_SINGULAR, UI_LABELS
from areas.output.offline import external_resources, make_self_contained

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright for Python"
)

from a11y import Axe, Violation, describe  # noqa: E402
from conftest import CHROMIUM_ARGS, require_or_skip  # noqa: E402

LOCAL = ("file:", "data:", "about:", "blob:")
EVIL = '<img src=x onerror="window.__xss=1"> & Co'
# (folium compiles its own layers' output as a template a second time, so "{{ }}" in a
# folium layer's data would run; the element's configuration and table never are)
TEMPLATE_TEXT = "{{ 7*7 }}"

# Three districts around Albertslund (lon, lat rings) and two stops.
SQUARES = {
    "Hersted Industripark": (12.33, 55.68),
    "Værkstedskvarteret": (12.36, 55.66),
    EVIL: (12.39, 55.67),
}
STOPS = {"Albertslund St.": (12.353, 55.657), "Glostrup St.": (12.393, 55.662)}


def _square(lon: float, lat: float, d: float = 0.008) -> list[list[float]]:
    return [[lon, lat], [lon + d, lat], [lon + d, lat + d / 2], [lon, lat + d / 2], [lon, lat]]


def small_map(lang: str = "en", *, with_table: bool = True) -> tuple[folium.Map, dict[str, str]]:
    """Three polygons (GeoJSON, tooltips) and two markers (a tooltip, a popup).

    Returns the map and the expected accessible name of every feature.
    """
    fmap = folium.Map(location=[55.67, 12.37], zoom_start=13, tiles=None, prefer_canvas=True)
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "area_ha": 20.0 + i},
            "geometry": {"type": "Polygon", "coordinates": [_square(*corner)]},
        }
        for i, (name, corner) in enumerate(SQUARES.items())
    ]
    districts = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        # folium's tooltip writes its values as HTML, so it shows the area only
        tooltip=folium.GeoJsonTooltip(["area_ha"], aliases=["Area (ha)"]),
    ).add_to(fmap)
    (first, (lon, lat)), (second, (lon2, lat2)) = STOPS.items()
    tip_marker = folium.CircleMarker([lat, lon], radius=7, tooltip=first).add_to(fmap)
    popup_point = folium.GeoJson(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": second, "line": "S-tog"},
                    "geometry": {"type": "Point", "coordinates": [lon2, lat2]},
                }
            ],
        },
        marker=folium.CircleMarker(radius=7),
        popup=folium.GeoJsonPopup(["name", "line"]),
    ).add_to(fmap)
    words = {"en": ("Business districts", "Stops"), "da": ("Erhvervsområder", "Stoppesteder")}
    groups = [
        FeatureGroup("districts", words[lang][0], layers=[districts], name_key="name"),
        FeatureGroup("stops", words[lang][1], layers=[tip_marker, popup_point], name_key="name"),
    ]
    table = pd.DataFrame(
        {
            "District": list(SQUARES),
            "Note": ["", "", TEMPLATE_TEXT],
            "Area (ha)": [20.0, 21.0, 22.0],
            "Firms": [130, 174, 0],
        }
    )
    add_accessibility(
        fmap,
        lang=lang,
        title="Districts and stops" if lang == "en" else "Erhvervsområder og stoppesteder",
        groups=groups,
        caption="Three districts and two stops" if lang == "en" else "Tre områder, to stationer",
        table=table if with_table else None,
    )
    expected = {name: f"{name}, {kind_singular('districts', lang)}" for name in SQUARES}
    expected |= {name: f"{name}, {kind_singular('stops', lang)}" for name in STOPS}
    return make_self_contained(fmap), expected


def save(fmap: folium.Map, path: Path) -> Path:
    html = fmap.get_root().render()
    assert external_resources(html) == []
    path.write_text(html, encoding="utf-8")
    return path


# --- without a browser ------------------------------------------------------------------------


def test_labels_exist_in_both_languages_and_differ():
    for table in (UI_LABELS, KIND_SINGULAR):
        for key, (en, da) in table.items():
            assert en and da, key
    # every visible or spoken word is translated (BID is the same word in Danish)
    same = {k for k, (en, da) in UI_LABELS.items() if en == da}
    assert same == set()
    assert ui_labels("da")["features"] == "Kortets elementer"


def test_page_has_lang_title_and_a_zoomable_viewport():
    fmap, _ = small_map("da")
    html = fmap.get_root().render()
    assert html.count('<html lang="da">') == 1
    assert "<title>Erhvervsområder og stoppesteder</title>" in html
    viewports = re.findall(r"<meta\s+name=\"viewport\"[^>]*>", html)
    assert viewports == [VIEWPORT]
    assert "user-scalable" not in html and "maximum-scale" not in html
    # rendering again (folium re-renders on every save) keeps one lang and one viewport
    again = fmap.get_root().render()
    assert again.count("<html lang=") == 1
    assert re.findall(r"<meta\s+name=\"viewport\"[^>]*>", again) == [VIEWPORT]
    assert again.count("Keyboard access and text for Leaflet maps") == 1


def test_names_stay_text_in_the_configuration():
    fmap, _ = small_map()
    html = fmap.get_root().render()
    # the text alternative escapes the name, and "{{ 7*7 }}" is never run as a template
    assert f"<td>{TEMPLATE_TEXT}</td>" in html
    # the configuration block holds no raw "<" (it cannot end its script element)
    block = re.search(r'_config">(.*?)</script>', html, re.DOTALL).group(1)
    assert "<" not in block and "Kortets elementer" not in block
    assert '"Map features"' in block
    assert "<td>&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt; &amp; Co</td>" in html


def test_table_html_formats_for_the_language():
    frame = pd.DataFrame({"Område": ["Øerne", None], "Areal (ha)": [1234.5, None], "n": [3, 4]})
    html = table_html(frame, "da")
    assert '<td class="num">1.234,5</td>' in html
    assert "<td>–</td>" in html and '<td class="num">–</td>' not in html
    assert html.count("<tr>") == 3


def test_table_needs_a_caption():
    with pytest.raises(OutputError, match="caption"):
        add_accessibility(folium.Map(tiles=None), table=pd.DataFrame({"a": [1]}))


def test_unknown_kind_needs_its_singular():
    fmap = folium.Map(tiles=None)
    add_accessibility(fmap, groups=[FeatureGroup("parks", "Parks")])
    with pytest.raises(OutputError, match="singular"):
        fmap.get_root().render()


def test_script_is_safe_inline():
    assert "</script" not in a11y_js().lower()


# --- in the browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(chromium):
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        except sync_api.Error as exc:  # pragma: no cover - depends on the machine
            require_or_skip(f"chromium at {chromium} does not start: {exc}")
        yield b
        b.close()


class Opened:
    """A page opened from disk with the network blocked and every error recorded."""

    def __init__(self, browser, path: Path, viewport=(1200, 800)) -> None:
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        self.page.wait_for_function("() => document.readyState === 'complete'")

    def _route(self, route) -> None:
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def focused(self) -> dict:
        """Describe the element that has the keyboard focus."""
        return self.page.evaluate(
            """() => { const e = document.activeElement; return {
                tag: e.tagName.toLowerCase(), label: e.getAttribute("aria-label"),
                text: e.textContent.trim().slice(0, 80), cls: e.className}; }"""
        )

    def assert_clean(self) -> None:
        """Check nothing failed, reached for the network or ran injected code."""
        assert self.errors == []
        assert self.blocked == []
        assert self.page.evaluate("() => window.__xss") is None


@pytest.fixture
def opened(browser, tmp_path):
    pages: list[Opened] = []

    def open_page(fmap, name="map.html", **kw) -> Opened:
        page = Opened(browser, save(fmap, tmp_path / name), **kw)
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        page.context.close()


AXE_BROKEN_PAGE = """<!DOCTYPE html><html><head><meta name="viewport"
content="width=device-width, maximum-scale=1, user-scalable=no"></head>
<body><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><button></button></body></html>"""


@pytest.mark.browser
def test_harness_reports_what_is_wrong(axe: Axe, browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text(AXE_BROKEN_PAGE, encoding="utf-8")
    page = Opened(browser, bad)
    try:
        violations = axe.run(page.page)
        ids = {v.id for v in violations}
        assert {"html-has-lang", "document-title", "meta-viewport", "image-alt"} <= ids
        assert "button-name" in ids
        assert all(isinstance(v, Violation) and v.targets for v in violations)
        message = describe(violations, "bad.html")
        assert "image-alt" in message and "at img" in message
        with pytest.raises(AssertionError, match="meta-viewport"):
            axe.assert_clean(page.page)
        # best-practice rules are not WCAG rules and are not run
        assert "region" not in ids and "landmark-one-main" not in ids
    finally:
        page.context.close()


@pytest.mark.browser
def test_harness_checks_frames(axe: Axe, browser, tmp_path):
    (tmp_path / "inner.html").write_text(AXE_BROKEN_PAGE, encoding="utf-8")
    outer = tmp_path / "outer.html"
    outer.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Outer</title></head><body><main>'
        '<iframe src="inner.html" title="Inner" loading="lazy" style="margin-top:3000px">'
        "</iframe></main></body></html>",
        encoding="utf-8",
    )
    page = Opened(browser, outer)
    try:
        violations = axe.run(page.page)
        inner = [v for v in violations if any("inner.html >> " in t for t in v.targets)]
        assert {"html-has-lang", "image-alt"} <= {v.id for v in inner}
        assert axe.run(page.page, iframes=False) == []
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "da"])
def test_accessible_map_has_no_axe_violations(axe: Axe, opened, lang, artifacts_dir):
    fmap, _ = small_map(lang)
    page = opened(fmap, f"a11y_{lang}.html")
    axe.assert_clean(page.page, f"the small accessible map ({lang})")
    # with the feature list open, too, and on a phone
    page.page.locator("details.areas-a11y > summary").click()
    axe.assert_clean(page.page, f"the small accessible map, list open ({lang})")
    page.page.screenshot(path=str(artifacts_dir / f"a11y_map_{lang}.png"))
    phone = opened(fmap, f"a11y_{lang}_phone.html", viewport=(390, 844))
    axe.assert_clean(phone.page, f"the small accessible map on a phone ({lang})")
    page.assert_clean()


@pytest.mark.browser
def test_plain_folium_map_fails_where_the_accessible_one_passes(axe: Axe, opened):
    fmap = make_self_contained(folium.Map(tiles=None, location=[55.67, 12.37], zoom_start=12))
    ids = {v.id for v in axe.run(opened(fmap, "plain.html").page)}
    assert {"html-has-lang", "meta-viewport"} <= ids


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "da"])
def test_tab_reaches_and_announces_every_feature(opened, lang):
    fmap, expected = small_map(lang)
    page = opened(fmap, f"keys_{lang}.html")
    kb = page.page.keyboard
    # the map container is the first stop, named and described
    kb.press("Tab")
    first = page.focused()
    assert "leaflet-container" in first["cls"]
    assert first["label"] == (
        "Districts and stops" if lang == "en" else "Erhvervsområder og stoppesteder"
    )
    reached: list[str] = []
    opened_list = False
    for _ in range(40):
        kb.press("Tab")
        now = page.focused()
        if now["tag"] == "summary" and not opened_list:
            assert now["text"] == f"{ui_labels(lang)['features']} (5)"
            kb.press("Enter")
            opened_list = True
        elif now["tag"] == "button" and "areas-a11y-feature" in now["cls"]:
            reached.append(now["label"])
        elif now["tag"] == "body" or ("leaflet-container" in now["cls"] and reached):
            break
    assert opened_list
    assert sorted(reached) == sorted(expected.values())
    # the Danish page has its Leaflet controls in Danish
    titles = page.page.evaluate(
        "() => Array.from(document.querySelectorAll('[title]')).map((e) => e.title)"
    )
    words = ui_labels(lang)
    assert {words["zoomIn"], words["zoomOut"]} <= set(titles)
    if lang == "da":
        assert not {"Zoom in", "Zoom out", "Layers"} & set(titles)
    page.assert_clean()


@pytest.mark.browser
def test_enter_shows_the_feature_and_its_details(opened):
    fmap, expected = small_map("en")
    page = opened(fmap)
    p = page.page
    p.locator("details.areas-a11y > summary").click()
    status = p.locator(".leaflet-container [role=status]")

    def press(name: str) -> None:
        button = p.get_by_role("button", name=expected[name], exact=True)
        button.focus()
        p.keyboard.press("Enter")
        p.wait_for_timeout(300)  # a closed tooltip or popup fades out over 200 ms
        assert button.get_attribute("aria-current") == "true"

    # a polygon with a group-bound tooltip: the map fits it and the tooltip opens
    press("Værkstedskvarteret")
    tips = p.locator(".leaflet-tooltip").all_inner_texts()
    assert len(tips) == 1 and "21" in tips[0]
    said = status.inner_text()
    assert said.startswith("Værkstedskvarteret, business district.") and "21" in said
    centre = p.evaluate(
        "() => { const m = document.querySelector('.leaflet-container');"
        " return Object.values(window).find((v) => v && v._container === m)"
        ".getCenter(); }"
    )
    lon, lat = SQUARES["Værkstedskvarteret"]
    assert abs(centre["lng"] - (lon + 0.004)) < 1e-3 and abs(centre["lat"] - (lat + 0.002)) < 1e-3
    # a marker with its own tooltip
    press("Albertslund St.")
    tips = p.locator(".leaflet-tooltip").all_inner_texts()
    assert [t.strip() for t in tips] == ["Albertslund St."]
    assert status.inner_text() == "Albertslund St., stop."
    # a marker with a popup: it opens, the previous tooltip closes
    press("Glostrup St.")
    assert p.locator(".leaflet-tooltip").count() == 0
    assert "S-tog" in p.locator(".leaflet-popup-content").inner_text()
    assert "S-tog" in status.inner_text()
    # Escape closes it and the list; focus goes back to the list's summary
    p.keyboard.press("Escape")
    p.wait_for_timeout(300)
    assert p.locator(".leaflet-popup").count() == 0
    assert p.locator("details.areas-a11y").get_attribute("open") is None
    assert page.focused()["tag"] == "summary"
    p.keyboard.press("Enter")
    # the name with markup is shown as text and ran nothing
    press(EVIL)
    assert p.get_by_role("button", name=expected[EVIL]).inner_text() == EVIL
    assert status.inner_text().startswith(EVIL + ", business district.")
    page.assert_clean()


@pytest.mark.browser
def test_text_alternative_below_the_map(opened):
    fmap, _ = small_map("da")
    page = opened(fmap)
    figure = page.page.locator("figure.areas-a11y-text")
    assert figure.locator("figcaption").inner_text() == "Tre områder, to stationer"
    rows = figure.locator("tbody tr").all_inner_texts()
    assert len(rows) == 3 and "174" in rows[1] and "21" in rows[1]
    described = page.page.locator(".leaflet-container").get_attribute("aria-describedby")
    assert figure.locator("figcaption").get_attribute("id") in described.split()
    # the map still fills the window; the table follows it
    box = page.page.locator(".leaflet-container").bounding_box()
    assert box["height"] >= 790
    assert figure.bounding_box()["y"] >= box["y"] + box["height"] - 1
    page.assert_clean()


@pytest.mark.browser
def test_viewport_lets_the_reader_zoom(opened):
    fmap, _ = small_map("en")
    page = opened(fmap)
    content = page.page.evaluate(
        "() => Array.from(document.querySelectorAll('meta[name=viewport]')).map((m) => m.content)"
    )
    assert content == ["width=device-width, initial-scale=1"]
    assert page.page.evaluate("() => document.documentElement.lang") == "en"
    assert page.page.title() == "Districts and stops"


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_toolkit_overview_map_made_accessible(axe: Axe, opened, lang):
    """The toolkit's own overview map, its layers found by kind: every district listed."""
    import areas
    from areas.output.i18n import t
    from areas.output.maps.build import overview_map

    atlas = areas.load()
    fmap = overview_map(atlas, as_of="2026-01-01", lang=lang)
    kinds = ("districts", "bids", "rewilding", "stops")
    groups = [FeatureGroup(k, t(f"layer.{k}", lang), name_key="t") for k in kinds]
    add_accessibility(fmap, lang=lang, title=t("title.overview", lang), groups=groups)
    page = opened(fmap, f"overview_{lang}.html")
    axe.assert_clean(page.page, f"the overview map made accessible ({lang})")
    page.page.locator("details.areas-a11y > summary").click()
    labels = page.page.locator(".areas-a11y-feature").evaluate_all(
        "els => els.map((e) => e.getAttribute('aria-label'))"
    )
    singular = kind_singular("districts", lang)
    districts = sorted(
        label.removesuffix(f", {singular}") for label in labels if label.endswith(f", {singular}")
    )
    assert districts == sorted(atlas.districts["name"])
    for kind in kinds[1:]:
        assert any(label.endswith(", " + kind_singular(kind, lang)) for label in labels), kind
    page.page.locator(".areas-a11y-feature").first.press("Enter")
    said = page.page.locator(".leaflet-container [role=status]").inner_text()
    assert said.startswith(labels[0] + ".") and ": " in said
    axe.assert_clean(page.page, f"the overview map with a feature shown ({lang})")
    page.assert_clean()
