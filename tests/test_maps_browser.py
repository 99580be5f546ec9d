"""The saved maps in a real browser (headless Debian chromium), with the network blocked.

Each test writes a map with :func:`areas.output.maps.build.save_map`, opens the file with
every request that is not ``file:`` or ``data:`` aborted, and asks Leaflet
what it drew. Screenshots go to the ``artifacts_dir`` folder.
"""

from __future__ import annotations

import pytest
from builders import TOOLTIPS, XSS_NAMES, Opened, hand_summary, make_atlas  # the same fixtures
from conftest import CHROMIUM_ARGS, require_or_skip
from playwright import sync_api

from areas.output.maps.build import overview_map, save_map

pytestmark = pytest.mark.browser


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
