"""The report in a real browser: headless Chromium with the network blocked.

Every page of a report on the bundled layers is opened from disk (``file://``)
while any request that is not ``file:``, ``data:`` or ``about:`` is aborted and
recorded. The pages must load with no console error, no blocked request, their
tables and charts present, the interactive map drawn in its frame, and the
front page must print to A4.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from builders import XSS, tiny_atlas  # the hand-made atlas
from conftest import CHROMIUM_ARGS  # the launch flags every browser test uses

from areas.output.report.write import write_report

pytestmark = pytest.mark.browser

LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
A4_POINTS = (595.92, 842.88)  # 210 × 297 mm, as Chromium writes the MediaBox


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    import areas

    out = tmp_path_factory.mktemp("browser") / "areas-report"
    return write_report(
        areas.load(), out, as_of="2026-01-01", compare_as_of="2025-10-25", lang="da", progress=False
    )


@pytest.fixture(scope="module")
def browser(chromium):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class PageLog:
    """Console errors, page errors and blocked requests of one page."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.blocked: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


def _open(browser, path: Path, **context):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
    page = ctx.new_page()
    log = PageLog(page)
    page.goto(path.as_uri(), wait_until="load")
    return ctx, page, log


def test_index_page_offline(report, browser, artifacts_dir):
    ctx, page, log = _open(browser, report.index)
    try:
        page.wait_for_timeout(500)
        assert page.title().startswith("Erhvervsområder")
        rows = page.locator("#summary-table tbody tr")
        assert rows.count() == len(report.pages) + 1  # one per district and the total
        assert page.locator("#comparison-table tbody tr").count() == len(report.pages)
        links = page.locator("#summary-table tbody a")
        hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
        assert hrefs == {p.relative_to(report.out_dir).as_posix() for p in report.pages.values()}
        # the interactive map, in its frame, drawn by the inlined Leaflet
        frame = page.frame_locator("iframe.map-frame")
        frame.locator(".leaflet-container").wait_for(state="visible", timeout=15_000)
        frame.locator(".leaflet-overlay-pane canvas").first.wait_for(
            state="visible", timeout=15_000
        )
        assert frame.locator(".leaflet-control-layers").count() == 1
        assert "Virksomheder i alt" in page.locator("#provenance").inner_text()
        page.screenshot(path=str(artifacts_dir / "report-index.png"), full_page=True)
        assert log.blocked == []
        assert log.errors == []
    finally:
        ctx.close()


def test_every_district_page_offline(report, browser, artifacts_dir):
    for district_id, path in report.pages.items():
        ctx, page, log = _open(browser, path)
        try:
            assert page.locator("h1").inner_text().strip()
            assert page.locator("table.data").count() >= 3, district_id
            # the distance chart, and the frequency chart where stations are in reach of firms
            title = "Afgange i timen ved stationerne inden for gangafstand"
            frequency = page.locator(f'#transit svg.chart[aria-label="{title}"]').count()
            assert frequency <= 1, district_id
            if district_id == "hersted-industripark":  # Glostrup Nord is in reach
                assert frequency == 1
            assert page.locator("#transit svg.chart").count() == 1 + frequency, district_id
            assert page.locator("#provenance table.data").count() >= 1
            page.locator("a", has_text="Alle erhvervsområder").click()
            page.wait_for_load_state("load")
            assert page.url == report.index.as_uri()
            assert log.blocked == [], (district_id, log.blocked)
            assert log.errors == [], (district_id, log.errors)
        finally:
            ctx.close()
    ctx, page, log = _open(browser, report.pages["hersted-industripark"])
    try:
        page.frame_locator("iframe.map-frame").locator(".leaflet-container").wait_for(
            state="visible", timeout=15_000
        )
        page.screenshot(path=str(artifacts_dir / "report-hersted-industripark.png"), full_page=True)
        assert log.errors == [] and log.blocked == []
    finally:
        ctx.close()


def test_print_layout_hides_the_map_and_shows_the_static_one(report, browser):
    ctx, page, log = _open(browser, report.pages["avedoere-holme"])
    try:
        assert page.locator("iframe.map-frame").is_visible()
        assert not page.locator(".print-only svg.chart").first.is_visible()
        page.emulate_media(media="print")
        assert not page.locator("iframe.map-frame").is_visible()
        assert page.locator(".print-only svg.chart").first.is_visible()
        assert page.locator("nav.crumbs").is_hidden()
    finally:
        ctx.close()


def test_index_prints_to_a4(report, browser, artifacts_dir):
    ctx, page, log = _open(browser, report.index)
    try:
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        ctx.close()
    (artifacts_dir / "report-index.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert len(pages) >= 2
    boxes = {
        tuple(round(float(v), 0) for v in box.split()[2:])
        for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)
    }
    assert boxes == {tuple(round(v, 0) for v in A4_POINTS)}


def test_script_in_a_firm_name_is_shown_as_text(tmp_path, browser):
    result = write_report(tiny_atlas(), tmp_path / "r", as_of="2026-01-01", progress=False)
    ctx, page, log = _open(browser, result.pages["nord"])
    try:
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.reload(wait_until="load")
        page.wait_for_timeout(300)
        assert XSS in page.locator("#transit").inner_text()
        assert dialogs == []
        assert log.errors == [] and log.blocked == []
    finally:
        ctx.close()
