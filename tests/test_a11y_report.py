"""axe-core on every page of ``areas report`` and on standalone ``areas map`` pages.

The report is written on the bundled layers in Danish and English; every page
is opened from disk in headless chromium (network blocked) and checked against
the WCAG 2.0/2.1 A and AA rules, on a desktop and on a phone-sized window.
The map pages are checked on their own (they are also the report's iframes),
and so is the public edition (``public=True``) in Danish.

The keyboard test tabs through a map and must reach a button for every
district; the layout tests check that the legend and the layer list start
closed on a phone and never cover the selected district on a desktop, and
that a map's legend counts the same firms as its page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from a11y import Axe, describe
from conftest import CHROMIUM_ARGS, require_or_skip
from playwright import sync_api

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AS_OF = "2026-01-01"
LANGS = ("da", "en")
DESKTOP = (1280, 900)
PHONE = (390, 844)
LOCAL = ("file:", "data:", "about:", "blob:")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    import areas
    from areas.output.report.write import write_report

    atlas = areas.load()
    out = {}
    for lang in LANGS:
        folder = tmp_path_factory.mktemp(f"a11y-report-{lang}") / "areas-report"
        write_report(atlas, folder, as_of=AS_OF, lang=lang, progress=False)
        out[lang] = folder
    folder = tmp_path_factory.mktemp("a11y-report-public") / "areas-report"
    write_report(
        atlas,
        folder,
        as_of=AS_OF,
        lang="da",
        progress=False,
        public=True,
        accessibility_statement="https://www.albertslund.dk/was",
    )
    out["public"] = folder
    return out


@pytest.fixture(scope="module")
def standalone_maps(tmp_path_factory) -> dict[str, list[Path]]:
    from areas.cli import main

    folder = tmp_path_factory.mktemp("a11y-maps")
    out: dict[str, list[Path]] = {}
    for lang in LANGS:
        overview = folder / f"overview_{lang}.html"
        district = folder / f"hersted_{lang}.html"
        bid = folder / f"overview_bid_{lang}.html"
        common = ["--as-of", AS_OF, "--lang", lang]
        assert main(["map", *common, "--out", str(overview)]) == 0
        assert (
            main(["map", *common, "--district", "hersted-industripark", "--out", str(district)])
            == 0
        )
        assert main(["map", *common, "--color-by", "bid", "--out", str(bid)]) == 0
        out[lang] = [overview, district, bid]
    return out


@pytest.fixture(scope="module")
def browser(chromium):
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        except sync_api.Error as exc:  # pragma: no cover - depends on the machine
            require_or_skip(f"chromium at {chromium} does not start: {exc}")
        yield b
        b.close()


def _pages(folder: Path) -> list[Path]:
    """index.html and every district page (not the map pages)."""
    districts = sorted(p for p in (folder / "districts").glob("*.html") if ".map." not in p.name)
    assert districts, f"no district pages in {folder}"
    return [folder / "index.html", *districts]


def _maps(folder: Path) -> list[Path]:
    maps = sorted(folder.rglob("*.map.html")) + [folder / "map.html"]
    assert len(maps) > 1
    return maps


def _check(browser, axe: Axe, paths: list[Path], size: tuple[int, int]) -> str:
    """Run axe on each page (frames not entered) and describe every violation found."""
    found = []
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
    page = context.new_page()
    try:
        for path in paths:
            page.goto(path.as_uri(), wait_until="load")
            violations = axe.run(page, iframes=False)
            if violations:
                found.append(describe(violations, f"{path.parent.name}/{path.name}"))
    finally:
        context.close()
    return "\n".join(found)


@pytest.mark.parametrize("lang", [*LANGS, "public"])
def test_report_pages_on_a_desktop(reports, browser, axe, lang):
    problems = _check(browser, axe, _pages(reports[lang]), DESKTOP)
    assert problems == "", problems


@pytest.mark.parametrize("lang", [*LANGS, "public"])
def test_report_pages_on_a_phone(reports, browser, axe, lang):
    problems = _check(browser, axe, _pages(reports[lang]), PHONE)
    assert problems == "", problems


@pytest.mark.parametrize("lang", [*LANGS, "public"])
def test_report_map_pages(reports, browser, axe, lang):
    problems = _check(browser, axe, _maps(reports[lang]), DESKTOP)
    assert problems == "", problems


@pytest.mark.parametrize("lang", LANGS)
def test_standalone_maps(standalone_maps, browser, axe, lang):
    problems = _check(browser, axe, standalone_maps[lang], DESKTOP)
    problems += _check(browser, axe, standalone_maps[lang][:1], PHONE)
    assert problems == "", problems


@pytest.mark.parametrize("lang", LANGS)
def test_tab_reaches_every_district_of_the_overview_map(reports, browser, lang):
    import areas

    names = set(areas.load().districts["name"])
    word = {"en": "business district", "da": "erhvervsområde"}[lang]
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
    page = context.new_page()
    try:
        page.goto((reports[lang] / "map.html").as_uri(), wait_until="load")
        reached: dict[str, int] = {}
        path = []
        for step in range(60):
            page.keyboard.press("Tab")
            tag, text, label = page.evaluate(
                "() => [document.activeElement.tagName, document.activeElement.textContent,"
                " document.activeElement.getAttribute('aria-label') || '']"
            )
            path.append(label or text.strip()[:30])
            if tag == "SUMMARY" and "(" in text and not reached:
                page.keyboard.press("Enter")  # open the list of the map's features
            if label.endswith(f", {word}"):
                reached[label[: -len(word) - 2]] = step
            if set(reached) >= names:
                break
        missing = sorted(names - set(reached))
        assert missing == [], f"districts the keyboard never reaches: {missing}; path: {path}"
        # Enter on the last district shows it and announces it with its numbers.
        page.keyboard.press("Enter")
        status = page.locator(".leaflet-container [role=status]").inner_text()
        last = max(reached, key=reached.get)
        assert status.startswith(f"{last}, {word}.") and len(status) > len(last) + 40
        focus = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert focus != "none"  # the focus is visible
    finally:
        context.close()


def _legend_counts(page) -> dict[str, str]:
    """Return the firm rows of the open map's legend: label -> count (as written)."""
    rows = page.locator(".areas-legend h4 + .areas-legend-row, .areas-legend-row").all_inner_texts()
    out = {}
    for row in rows:
        label, _, count = row.rpartition(": ")
        if label and count.replace(".", "").replace(",", "").isdigit():
            out[label] = count
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_legend_counts_are_the_district_pages_numbers(reports, browser, lang):
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
    page = context.new_page()
    try:
        for district in sorted((reports[lang] / "districts").glob("*.map.html")):
            page.goto(district.with_name(district.name.replace(".map", "")).as_uri())
            # the page's table of firms by distance band (band, firms, share)
            rows = {}
            for table in page.locator("#transit table").all():
                for row in table.locator("tbody tr").all():
                    cells = row.locator("td").all_inner_texts()
                    if len(cells) == 3:
                        rows[cells[0]] = cells[1]
            page.goto(district.as_uri(), wait_until="load")
            legend = _legend_counts(page)
            heading = page.locator(".areas-legend h4").all_inner_texts()
            name = page.locator(".areas-legend-title").inner_text()
            assert any(name in h for h in heading)  # "Firms in <district>, by distance"
            shared = {k: v for k, v in rows.items() if k in legend}
            assert len(shared) == 3, (district.name, rows, legend)
            assert {k: legend[k] for k in shared} == shared, district.name
    finally:
        context.close()


def test_legend_and_layers_start_closed_on_a_phone_and_clear_of_the_district(reports, browser):
    for size, small in ((PHONE, True), (DESKTOP, False)):
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        page = context.new_page()
        try:
            page.goto((reports["da"] / "districts" / "avedoere-holme.map.html").as_uri())
            page.wait_for_timeout(200)
            legend_open = page.evaluate(
                "() => document.querySelector('.areas-legend details').open"
            )
            layers_open = page.locator(".leaflet-control-layers-expanded").count() > 0
            assert legend_open is not small and layers_open is not small
            # the selected district (bold outline) lies clear of the open legend and layer list
            overlap = page.evaluate(
                """() => {
                const map = Object.keys(window).filter((k) => /^map_[0-9a-f]+$/.test(k))
                    .map((k) => window[k])[0];
                let focus = null;
                map.eachLayer((l) => {
                    if (l.options && l.options.areasKind === "districts" &&
                        l.feature && /\\|focus$/.test(l.feature.properties.s)) { focus = l; }
                });
                const b = focus.getBounds(), box = map.getContainer().getBoundingClientRect();
                const nw = map.latLngToContainerPoint(b.getNorthWest());
                const se = map.latLngToContainerPoint(b.getSouthEast());
                const hits = [];
                for (const sel of [".areas-legend", ".leaflet-control-layers-expanded"]) {
                    const el = document.querySelector(sel);
                    if (!el) { continue; }
                    const r = el.getBoundingClientRect();
                    const l = r.left - box.left, t = r.top - box.top;
                    const rr = r.right - box.left, bb = r.bottom - box.top;
                    if (!(rr <= nw.x || l >= se.x || bb <= nw.y || t >= se.y)) { hits.push(sel); }
                }
                return [hits, nw.x, se.x, box.width];
            }"""
            )
            if not small:
                assert overlap[0] == [], overlap
                assert overlap[2] - overlap[1] > 0.2 * overlap[3]  # and it is not tiny
        finally:
            context.close()


def test_public_edition_links_the_accessibility_statement(reports, browser):
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
    page = context.new_page()
    try:
        for path in (reports["public"] / "index.html", reports["public"] / "map.html"):
            page.goto(path.as_uri(), wait_until="load")
            link = page.get_by_role("link", name="Tilgængelighedserklæring")
            assert link.get_attribute("href") == "https://www.albertslund.dk/was"
            assert link.is_visible()
        # no firm point is drawn on a public map: no firm layer, counts per cell only
        assert (
            page.evaluate(
                "() => Object.keys(window).some((k) => /^areas_firms_/.test(k)"
                " || /^areas_compact_points_/.test(k))"
            )
            is False
        )
    finally:
        context.close()


def test_standalone_map_draws_its_background_offline(standalone_maps, browser, tmp_path):
    """Coast, municipal boundaries and roads are drawn with the network blocked."""
    import numpy as np
    from PIL import Image

    from areas.output.maps.background import BACKGROUND_STYLES

    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    try:
        page.goto(standalone_maps["da"][0].as_uri(), wait_until="load")
        drawn = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                '.leaflet-areasBackground-pane path')).map((p) => {
                const b = p.getBoundingClientRect();
                return [p.getAttribute('stroke'), p.getAttribute('fill'), b.width * b.height];
            })"""
        )
        for kind in ("sea", "municipality", "motorway", "main_road"):
            style = BACKGROUND_STYLES[kind]
            visible = [d for d in drawn if d[0] == style["color"] and d[2] > 100]
            assert visible, f"no {kind} drawn in the background pane"
        # and the sea shows on the screen (its fill colour covers part of the picture)
        shot = tmp_path / "background.png"
        page.screenshot(path=str(shot))
        pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=int)
        sea = [int(BACKGROUND_STYLES["sea"]["fillColor"][i : i + 2], 16) for i in (1, 3, 5)]
        share = float((np.abs(pixels - np.array(sea)).max(axis=2) <= 6).mean())
        assert share > 0.02, f"the sea covers {share:.1%} of the map"
        attribution = page.locator(".leaflet-control-attribution").inner_text()
        assert "GeoFA" in attribution and "DAGI" in attribution
        assert blocked == []
    finally:
        context.close()


def test_map_draws_its_data_when_the_tiles_fail(browser, tmp_path):
    import areas
    from areas.cli import main

    out = tmp_path / "tiles.html"
    url = "https://tiles.example.dk/{z}/{x}/{y}.png"
    assert main(["map", "--as-of", AS_OF, "--tiles", url, "--tiles-attribution",
                 "© Eksempel", "--out", str(out)]) == 0  # fmt: skip
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL) else r.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(out.as_uri(), wait_until="load")
        page.wait_for_timeout(300)
        counts = page.evaluate(
            """() => { const c = {}; const map = Object.keys(window)
                .filter((k) => /^map_[0-9a-f]+$/.test(k)).map((k) => window[k])[0];
              map.eachLayer((l) => { const k = l.options && l.options.areasKind;
                if (k) { c[k] = (c[k] || 0) + 1; } }); return c; }"""
        )
        assert counts["districts"] == len(areas.load().districts)
        tiles = page.evaluate(
            "() => Array.from(document.querySelectorAll('img.leaflet-tile'))"
            ".map((i) => i.complete && i.naturalWidth > 0)"
        )
        assert tiles and not any(tiles)  # every tile failed ...
        assert page.locator(".leaflet-areasBackground-pane path").count() > 0  # ... the rest not
        assert "© Eksempel" in page.locator(".leaflet-control-attribution").inner_text()
        assert errors == []
    finally:
        context.close()
