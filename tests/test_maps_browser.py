"""The saved maps in a real browser (headless Debian chromium), with the network blocked.

Each test writes a map with :func:`areas.output.maps.build.save_map`, opens the file with
every request that is not ``file:`` or ``data:`` aborted, and asks Leaflet
what it drew. Screenshots go to the ``artifacts_dir`` folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from areas.output.maps.build import overview_map, save_map

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright for Python"
)

from builders import XSS_NAMES, hand_summary, make_atlas  # noqa: E402  (the same fixtures)
from conftest import CHROMIUM_ARGS, require_or_skip  # noqa: E402

VIEWPORT = {"width": 1200, "height": 800}

# The folium map object: the one global `map_<hex>`.
FIND_MAP = """() => {
    const names = Object.keys(window).filter((k) => /^map_[0-9a-f]+$/.test(k));
    if (names.length !== 1) { throw new Error("expected one map, found " + names.join(",")); }
    return names[0];
}"""
COUNT_KINDS = """(name) => {
    const counts = {};
    window[name].eachLayer((l) => {
        const kind = l.options && l.options.areasKind;
        if (kind) { counts[kind] = (counts[kind] || 0) + 1; }
    });
    return counts;
}"""
# Centre the map on a layer (by kind and id or index) and return its position on the page.
CENTRE_ON = """([name, kind, key, zoom]) => {
    const map = window[name];
    let found = null;
    map.eachLayer((l) => {
        const o = l.options || {};
        if (o.areasKind === kind && (o.areasId === key || o.areasIndex === key)) { found = l; }
    });
    if (found === null) { throw new Error("no layer " + kind + " " + key); }
    map.setView(found.getLatLng ? found.getLatLng() : found.getCenter(), zoom, {animate: false});
    const box = map.getContainer().getBoundingClientRect();
    const p = map.latLngToContainerPoint(found.getLatLng ? found.getLatLng() : found.getCenter());
    return [box.left + p.x, box.top + p.y];
}"""
TOOLTIPS = """() => Array.from(document.querySelectorAll(".leaflet-tooltip")).map((t) => ({
    title: (t.querySelector(".areas-tip-title") || {}).textContent,
    text: t.textContent,
    elements: Array.from(t.querySelectorAll("*")).map((e) => e.tagName.toLowerCase()),
}))"""


class Opened:
    """A page holding a saved map, with everything that went wrong recorded."""

    def __init__(self, browser, path: Path) -> None:
        self.page = browser.new_page(viewport=VIEWPORT)
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []
        self.blocked: list[str] = []
        self.page.on(
            "console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("() => document.readyState === 'complete'")
        self.map = self.page.evaluate(FIND_MAP)
        self.page.wait_for_timeout(150)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def counts(self) -> dict[str, int]:
        """Count the drawn layers by kind (``options.areasKind``)."""
        return self.page.evaluate(COUNT_KINDS, self.map)

    def hover(self, kind: str, key, zoom: int = 16) -> list[dict]:
        """Move the mouse onto a layer and return the open tooltips."""
        self.page.mouse.move(1, 1)
        x, y = self.page.evaluate(CENTRE_ON, [self.map, kind, key, zoom])
        self.page.wait_for_timeout(100)  # the canvas redraws on the next frame
        self.page.mouse.move(x, y)
        self.page.wait_for_timeout(100)
        return self.page.evaluate(TOOLTIPS)

    def assert_clean(self) -> None:
        """Check nothing failed, popped up, reached for the network or ran injected code."""
        assert self.page_errors == []
        assert self.console_errors == []
        assert self.dialogs == []
        assert self.blocked == [], "the page tried to reach the network"
        assert self.page.evaluate("() => window.__xss") is None

    def close(self) -> None:
        """Close the page."""
        self.page.close()


@pytest.fixture(scope="module")
def browser(chromium):
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        except sync_api.Error as exc:  # pragma: no cover - depends on the machine
            require_or_skip(f"chromium at {chromium} does not start: {exc}")
        yield b
        b.close()


@pytest.fixture
def opened(browser, tmp_path):
    pages: list[Opened] = []

    def open_map(fmap, name: str = "map.html") -> Opened:
        page = Opened(browser, save_map(fmap, tmp_path / name))
        pages.append(page)
        return page

    yield open_map
    for page in pages:
        page.close()


def test_overview_map_renders_offline(opened, artifacts_dir):
    atlas = make_atlas(40)
    page = opened(overview_map(atlas, summary=hand_summary(atlas)))
    assert page.counts() == {
        "catchment_1200": 1,
        "catchment_600": 1,
        "districts": 3,
        "bids": 1,
        "rewilding": 1,
        "firm": 40,
        "stops": 4,
    }
    legend = page.page.locator(".areas-legend")
    assert legend.is_visible()
    assert "Business districts" in legend.inner_text()
    legend_box, map_box = legend.bounding_box(), page.page.locator(".folium-map").bounding_box()
    assert legend_box["height"] > 100 and legend_box["x"] >= map_box["x"]
    toggles = page.page.locator(".leaflet-control-layers-overlays label")
    assert toggles.count() == 8
    assert page.page.locator(".leaflet-control-scale-line").first.is_visible()
    assert page.page.evaluate("() => L.version") == "1.9.4"
    page.page.screenshot(path=str(artifacts_dir / "map_overview_en.png"))
    page.assert_clean()


def test_firm_names_show_as_text_and_run_nothing(opened):
    atlas = make_atlas(40)
    page = opened(overview_map(atlas, summary=hand_summary(atlas)))
    for index, name in enumerate(XSS_NAMES):
        tips = page.hover("firm", index)
        assert [t["title"] for t in tips] == [name]
        assert set(tips[0]["elements"]) <= {"div", "table", "tbody", "tr", "td"}
    district = page.hover("districts", "islands", zoom=15)
    assert [t["title"] for t in district] == ["Øerne <b>illustrative</b>"]
    assert "b" not in district[0]["elements"]
    bid = page.hover("bids", "b1", zoom=15)
    assert bid[0]["title"] == "Alpha <BID>"
    page.assert_clean()


def test_firm_tooltip_carries_the_numbers(opened):
    atlas = make_atlas(40)
    summary = hand_summary(atlas)
    page = opened(overview_map(atlas, summary=summary))
    tips = page.hover("firm", 5)
    firm = summary.transit.companies.iloc[5]
    text = tips[0]["text"]
    assert text.startswith(atlas.companies["name"].iloc[5])
    assert f"Employees{atlas.companies['employees'].iloc[5]:,}" in text
    assert f"Nearest rail stop{firm['nearest_rail_name']}" in text
    assert f"Distance (straight line){round(firm['rail_distance_m']):,} m" in text
    # a firm with no employee count
    assert "Employees–" in page.hover("firm", 3)[0]["text"]
    page.assert_clean()


def test_firms_stay_above_districts_after_toggling(opened):
    atlas = make_atlas(40)
    page = opened(overview_map(atlas, summary=hand_summary(atlas)))
    alpha = atlas.districts.geometry.iloc[0]
    inside = next(i for i, p in enumerate(atlas.companies.geometry) if alpha.contains(p))
    for name in ("Business districts", "Firms"):
        box = page.page.get_by_role("checkbox", name=name, exact=True)
        box.uncheck()
        box.check()
    tips = page.hover("firm", inside)
    assert [t["title"] for t in tips] == [atlas.companies["name"].iloc[inside]]
    # and the district still answers away from the firms
    assert page.hover("districts", "islands", zoom=15)[0]["title"] == "Øerne <b>illustrative</b>"
    page.assert_clean()


# The compact firm layer of a map: wait for its data, count, find a firm by name, centre on it.
COMPACT_FIND = """async ([name, firm, zoom]) => {
    const map = window[name];
    let layer = null;
    map.eachLayer((l) => { if (l.ready && l.count) { layer = l; } });
    if (layer === null) { throw new Error("no compact layer"); }
    await layer.ready;
    let index = -1;
    for (let i = 0; i < layer.count(); i++) {
        if (layer.value("name", i) === firm) { index = i; }
    }
    map.setView(layer.latLng(index), zoom, {animate: false});
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const box = map.getContainer().getBoundingClientRect();
    const p = map.latLngToContainerPoint(layer.latLng(index));
    return [layer.count(), box.left + p.x, box.top + p.y];
}"""


def test_many_firms_are_drawn_from_the_compact_layer(opened, artifacts_dir):
    atlas = make_atlas(6_000, names=XSS_NAMES, spread=(705_000, 6_165_000, 723_000, 6_181_000))
    page = opened(overview_map(atlas, summary=hand_summary(atlas)), "many.html")
    counts = page.counts()
    assert "firm" not in counts and "cell" not in counts  # no marker objects at all
    page.page.screenshot(path=str(artifacts_dir / "map_many_firms.png"))
    page.page.mouse.move(1, 1)
    n, x, y = page.page.evaluate(COMPACT_FIND, [page.map, XSS_NAMES[1], 17])
    assert n == 6_000
    page.page.mouse.move(x, y)
    page.page.wait_for_timeout(150)
    assert [t["title"] for t in page.page.evaluate(TOOLTIPS)] == [XSS_NAMES[1]]
    page.page.screenshot(path=str(artifacts_dir / "map_many_firms_street.png"))
    page.assert_clean()


def test_danish_map_with_the_real_analysis(opened, artifacts_dir):
    atlas = make_atlas(40)
    page = opened(overview_map(atlas, as_of="2026-01-01", lang="da", color_by="bid"), "da.html")
    assert page.counts()["firm"] == 40
    legend = page.page.locator(".areas-legend").inner_text()
    assert "Erhvervsområder" in legend
    assert "Virksomheder i erhvervsområderne efter BID-medlemskab" in legend
    labels = page.page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert "Aktive BID'er" in [label.strip() for label in labels]
    tips = page.hover("districts", "beta", zoom=15)
    assert "Areal (ha)100,0" in tips[0]["text"]
    page.page.screenshot(path=str(artifacts_dir / "map_overview_da_bid.png"))
    page.assert_clean()
