"""Published output is safe whatever text the input layers hold.

Attribute text (district, BID, stop and firm names, plot owners, addresses,
sectors) is written into web pages, tooltips and tables, and district ids
become file names. An atlas whose every text field carries a script-injection
payload and whose district ids try to leave the folder (``../../etc``,
``/abs/path``, ``CON``, ``nul.txt``, ``a/b``, ``..``, blank) is published as a
full report (Python API and ``areas report``) and as maps (``areas map``), and:

1. every file written lies inside the output folder, named safely;
2. no payload appears unescaped in the raw HTML (no ``<script>alert``, no
   ``onerror=`` in a tag, no ``javascript:`` link);
3. in headless Chromium, with the network blocked, no page or map opens a
   dialog or sets ``window.__pwned``, and the payloads show as plain text in
   pages and tooltips.
"""

from __future__ import annotations

import html
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import markupsafe
import pyogrio
import pytest
import shapely
from builders import _frame
from conftest import CHROMIUM_ARGS

from areas.atlas import Atlas
from areas.cli import main
from areas.output.report.write import RESERVED_NAMES, write_report

X0, Y0 = 700_000.0, 6_170_000.0  # near Albertslund, EPSG:25832
SIZE = 500.0

#: Script-injection payloads; those that set ``window.__pwned`` prove nothing ran.
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    '<img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=2</script>",
    "<svg/onload=window.__pwned=3>",
    '\'><iframe srcdoc="<script>parent.__pwned=4</script>"></iframe>',
    "<style>body{display:none}</style>{{7*7}} ${7*7} <b>Ærø</b>",
)
#: District ids that try to leave the output folder or use reserved names.
HOSTILE_IDS = (
    "../../etc",
    "/abs/path",
    "CON",
    "nul.txt",
    "a/b",
    "..",
    " ",
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
)
#: The ids read from a file: the loader strips ids and refuses empty ones.
CLI_IDS = tuple(i for i in HOSTILE_IDS if i.strip())
#: A district name that spreadsheet programs would run as a formula.
FORMULA = '=HYPERLINK("http://example.invalid/","Ærø")'
N_FIRMS = 18


def hostile_atlas(ids=HOSTILE_IDS) -> Atlas:
    """Districts side by side (x = i × 500 m) with hostile ids; payloads in every text field."""
    n = len(ids)
    names = [PAYLOADS[i % len(PAYLOADS)] for i in range(n)]
    names[-1] = FORMULA
    districts = _frame(
        {
            "district_id": list(ids),
            "name": names,
            "municipality": ["Albertslund", PAYLOADS[0]] + ["Hvidovre"] * (n - 2),
            "status": ["existing"] * n,
            "source": ["javascript:alert(1)"] * n,
        },
        [shapely.box(X0 + SIZE * i, Y0, X0 + SIZE * (i + 1), Y0 + SIZE) for i in range(n)],
        "districts",
    )
    bids = _frame(
        {
            "bid_id": ["b1", "<b2>"],
            "name": [PAYLOADS[1], PAYLOADS[5]],
            "start": ["2021-01-01", "2022-01-01"],
            "invited": [10, 5],
            "members": [3, 1],
        },
        [
            shapely.box(X0, Y0, X0 + 2 * SIZE, Y0 + SIZE),
            shapely.box(X0 + 3 * SIZE, Y0, X0 + 4 * SIZE, Y0 + SIZE),
        ],
        "bids",
    )
    rewilding = _frame(
        {
            "plot_id": ["p1", "<p2>"],
            "established": ["2022-06-01", "2023-06-01"],
            "owner": [PAYLOADS[4], PAYLOADS[6]],
            "habitat": [PAYLOADS[2], "eng"],
        },
        [
            shapely.box(X0 + 50, Y0 + 50, X0 + 150, Y0 + 150),
            shapely.box(X0 + SIZE + 50, Y0 + 50, X0 + SIZE + 150, Y0 + 150),
        ],
        "rewilding",
    )
    stops = _frame(
        {
            "stop_id": ["s1", "s2", "s3"],
            "name": [PAYLOADS[0], PAYLOADS[4], PAYLOADS[7]],
            "mode": ["s_train", "light_rail", "bus"],
            "status": ["existing", "existing", "existing"],
            "line": [PAYLOADS[3], "L", PAYLOADS[2]],
        },
        shapely.points(
            [X0 + 300, X0 + 2_300, X0 + 3_300], [Y0 + SIZE + 200, Y0 + SIZE + 200, Y0 - 200]
        ),
        "stops",
    )
    k = N_FIRMS
    xs = [X0 + 60 + (SIZE * n - 120) * i / (k - 1) for i in range(k)]
    companies = _frame(
        {
            "company_id": [f"{i:04d}" if i % 3 else f"<c{i}>" for i in range(k)],
            "name": [PAYLOADS[i % len(PAYLOADS)] for i in range(k)],
            "employees": [i * 3 for i in range(k)],
            "sector": [PAYLOADS[(i + 3) % len(PAYLOADS)] for i in range(k)],
            "address": [PAYLOADS[(i + 5) % len(PAYLOADS)] for i in range(k)],
            "bid_member": [bool(i % 2) for i in range(k)],
        },
        shapely.points(xs, [Y0 + 100 + (i % 4) * 100 for i in range(k)]),
        "companies",
    )
    return Atlas(
        districts=districts, bids=bids, rewilding=rewilding, stops=stops, companies=companies
    )


def write_layers(atlas: Atlas, path: Path) -> Path:
    """Write the atlas as one GeoPackage whose layers are named after the kinds."""
    for kind, frame in atlas.layers().items():
        pyogrio.write_dataframe(frame, path, layer=kind, append=path.exists())
    return path


def _tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Publish the hostile atlas every way the toolkit can, from an empty working folder.

    ``work/inputs`` holds the GeoPackage; everything else must land in ``work/out``.
    """
    base = tmp_path_factory.mktemp("security")
    work = base / "work"
    (work / "inputs").mkdir(parents=True)
    layers = write_layers(hostile_atlas(CLI_IDS), work / "inputs" / "layers.gpkg")
    before = {
        "root": sorted(os.listdir("/")),
        "parent": sorted(os.listdir(base.parent)),
        "base": _tree(base),
    }
    old_cwd = os.getcwd()
    os.chdir(work)
    try:
        result = write_report(
            hostile_atlas(),
            "out/report",
            as_of="2026-01-01",
            compare_as_of="2021-06-01",
            progress=False,
        )
        codes = [
            main(["map", "--layers", "inputs/layers.gpkg", "--as-of", "2026-01-01",
                  "--out", "out/maps/overview.html"]),
            main(["map", "--layers", "inputs/layers.gpkg", "--as-of", "2026-01-01",
                  "--district", "../../etc", "--lang", "da", "--out", "out/maps/etc.html"]),
            main(["map", "--layers", "inputs/layers.gpkg", "--as-of", "2026-01-01",
                  "--district", "CON", "--color-by", "bid", "--out", "out/maps/con.html"]),
            main(["report", "--layers", "inputs/layers.gpkg", "--as-of", "2026-01-01",
                  "--lang", "da", "--quiet", "--out", "out/cli-report"]),
        ]  # fmt: skip
    finally:
        os.chdir(old_cwd)
    after = {
        "root": sorted(os.listdir("/")),
        "parent": sorted(os.listdir(base.parent)),
        "base": _tree(base),
    }
    return {
        "work": work,
        "out": work / "out",
        "layers": layers,
        "result": result,
        "codes": codes,
        "before": before,
        "after": after,
    }


def html_files(published) -> list[Path]:
    return sorted(published["out"].rglob("*.html"))


# --------------------------------------------------------------------------- 1. the file system


@pytest.mark.slow
def test_everything_was_written(published):
    assert published["codes"] == [0, 0, 0, 0]
    out = published["out"]
    assert (out / "report" / "index.html").is_file()
    assert (out / "cli-report" / "index.html").is_file()
    assert sorted(p.name for p in (out / "maps").iterdir()) == [
        "con.html",
        "etc.html",
        "overview.html",
    ]


@pytest.mark.slow
def test_every_file_lies_inside_the_output_folder(published):
    before, after = published["before"], published["after"]
    assert after["root"] == before["root"]  # nothing new at the file-system root
    assert after["parent"] == before["parent"]  # nor beside the test folder
    created = after["base"] - before["base"]
    assert created and all(p == "work/out" or p.startswith("work/out/") for p in created)
    assert before["base"] - after["base"] == set()
    out = published["out"].resolve()
    for path in out.rglob("*"):
        assert not path.is_symlink()
        assert out in path.resolve().parents
    assert not Path("/abs/path").exists() and not Path("/abs").exists()


@pytest.mark.slow
@pytest.mark.parametrize("report", ["report", "cli-report"])
def test_district_pages_have_safe_unique_names(published, report):
    folder = published["out"] / report
    prov = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    listed = [f["path"] for f in prov["files"]]
    assert sorted(listed) == sorted(_tree(folder) - {"districts", "provenance.json"})
    pages = [p for p in listed if p.startswith("districts/")]
    expected = len(HOSTILE_IDS) if report == "report" else len(HOSTILE_IDS) - 1
    assert len(pages) == 2 * expected  # a page and a map per district
    for rel in listed:
        assert not rel.startswith("/") and ".." not in rel.split("/")
        name = rel.split("/")[-1]
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:\.map)?\.[a-z]+", name), name
        stem = name.split(".")[0]
        assert stem not in RESERVED_NAMES
    stems = [p.split("/")[-1].split(".")[0] for p in pages]
    assert len({s.lower() for s in stems}) == expected  # one per district, also ignoring case


@pytest.mark.slow
def test_api_result_pages_are_inside_the_report(published):
    result = published["result"]
    districts = (published["out"] / "report" / "districts").resolve()
    assert set(result.pages) == set(HOSTILE_IDS)
    for path in result.pages.values():
        assert path.resolve().parent == districts


# --------------------------------------------------------------------------- 2. the raw HTML


class Elements(HTMLParser):
    """Every element of a page with its attributes, and the text of its scripts and styles."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.code: list[tuple[str, str]] = []
        self._open: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):  # noqa: D102
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._open = tag if tag in ("script", "style") else None

    def handle_data(self, data):  # noqa: D102
        if self._open:
            self.code.append((self._open, data.strip()))

    def handle_endtag(self, tag):  # noqa: D102
        self._open = None


#: What an injected payload would have become had it not been escaped.
INJECTED_CODE = {"alert(1)", "window.__pwned=2", "parent.__pwned=4", "body{display:none}"}


@pytest.mark.slow
def test_no_payload_is_live_in_the_raw_html(published):
    files = html_files(published)
    assert len(files) > 2 * len(HOSTILE_IDS)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]*>\s*alert", text, re.IGNORECASE), path.name
        for payload in PAYLOADS:
            if "<" in payload:
                assert payload not in text, (path.name, payload)
        page = Elements(text)
        for tag, attrs in page.tags:
            handlers = [a for a in attrs if a.startswith("on")]
            assert handlers == [], (path.name, tag, handlers)
            for a in ("href", "src", "action", "formaction"):
                assert not attrs.get(a, "").strip().lower().startswith("javascript:"), path.name
            assert "srcdoc" not in attrs, path.name
            assert not (tag == "img" and attrs.get("src") == "x"), path.name
        assert not INJECTED_CODE & {code for _, code in page.code}, path.name


@pytest.mark.slow
def test_pages_carry_the_payloads_as_escaped_text(published):
    index = (published["out"] / "report" / "index.html").read_text(encoding="utf-8")
    for name in hostile_atlas().districts["name"]:
        assert str(markupsafe.escape(name)) in index, name
    page = published["result"].pages["../../etc"].read_text(encoding="utf-8")
    assert f"<h1>{markupsafe.escape(PAYLOADS[0])}</h1>" in page
    # firm names listed on the district pages: no template ran on the data
    pages = [p.read_text(encoding="utf-8") for p in published["result"].pages.values()]
    assert any(str(markupsafe.escape(PAYLOADS[8])) in text for text in pages)


@pytest.mark.slow
def test_other_outputs_keep_the_text_verbatim(published):
    """CSV and GeoPackage carry the names as data, unchanged (escaping is for HTML only)."""
    import csv

    folder = published["out"] / "report"
    with open(folder / "companies.csv", encoding="utf-8", newline="") as fh:
        names = [row["name"] for row in csv.DictReader(fh)]
    assert sorted(names) == sorted(hostile_atlas().companies["name"])
    firms = pyogrio.read_dataframe(folder / "results.gpkg", layer="companies")
    assert sorted(firms["name"]) == sorted(names)
    assert html.escape(PAYLOADS[0]) not in names


@pytest.mark.slow
def test_spreadsheet_cells_are_text_not_formulas(published):
    from openpyxl import load_workbook

    book = load_workbook(published["out"] / "report" / "summary.xlsx")
    try:
        cells = [c for row in book["summary"].iter_rows() for c in row if c.value == FORMULA]
        assert cells, "the district name is missing from summary.xlsx"
        assert all(c.data_type == "s" for c in cells)
    finally:
        book.close()
    book = load_workbook(published["out"] / "report" / "companies.xlsx")
    try:
        texts = [
            c
            for row in book["companies"].iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@")
        ]
        assert texts, "no formula-like firm text in companies.xlsx"
        assert all(c.data_type == "s" for c in texts)
    finally:
        book.close()


# --------------------------------------------------------------------------- 3. in a browser

LOCAL = ("file:", "data:", "about:", "blob:")


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class Visit:
    """A page opened from disk with the network blocked and every dialog recorded."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.goto(path)

    def goto(self, path: Path) -> None:
        """Open another file in the same page (its window state starts afresh)."""
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def text(self) -> str:
        """Return the text of the page."""
        return self.page.evaluate("() => document.body.textContent")

    def assert_nothing_ran(self) -> None:
        """Check no dialog, no network request, no error and no injected global, in any frame."""
        self.page.wait_for_timeout(150)
        assert self.dialogs == []
        assert self.blocked == []
        assert self.errors == []
        for frame in self.page.frames:  # the page and the map in its frame
            assert frame.evaluate("() => window.__pwned") is None, frame.url
        assert self.page.evaluate("() => document.querySelectorAll('iframe[srcdoc]').length") == 0

    def close(self) -> None:
        """Close the page."""
        self.context.close()


@pytest.mark.browser
def test_report_pages_in_a_browser(published, browser, artifacts_dir):
    result = published["result"]
    atlas = hostile_atlas()
    visit = Visit(browser, result.index)
    try:
        visit.page.frame_locator("iframe.map-frame").locator(".leaflet-container").wait_for(
            state="visible", timeout=15_000
        )
        text = visit.text()
        for name in atlas.districts["name"]:
            assert name in text, name
        assert visit.page.get_by_text(PAYLOADS[0], exact=True).count() >= 1
        assert visit.page.locator("body").is_visible()  # the <style> payload hid nothing
        visit.page.screenshot(path=str(artifacts_dir / "security-index.png"), full_page=True)
        visit.assert_nothing_ran()
    finally:
        visit.close()
    names = dict(zip(atlas.districts["district_id"], atlas.districts["name"], strict=True))
    visit = Visit(browser, result.index)
    try:
        for district_id, path in result.pages.items():
            visit.goto(path)
            assert visit.page.locator("h1").inner_text() == names[district_id].strip()
            visit.assert_nothing_ran()
    finally:
        visit.close()
    # a page with firms: their names and addresses are listed as text
    visit = Visit(browser, result.pages["../../etc"])
    try:
        text = visit.text()
        firms = atlas.companies
        inside = firms[firms.geometry.x < X0 + SIZE]
        assert len(inside) and all(n in text for n in inside["name"])
        visit.page.screenshot(path=str(artifacts_dir / "security-district.png"), full_page=True)
    finally:
        visit.close()


@pytest.mark.browser
def test_every_map_file_in_a_browser(published, browser):
    maps = sorted(published["out"].rglob("*.map.html")) + sorted(
        p for p in published["out"].rglob("*.html") if p.name in ("map.html",)
    )
    maps += sorted((published["out"] / "maps").glob("*.html"))
    assert len(maps) >= 2 * len(HOSTILE_IDS) + 3
    visit = Visit(browser, maps[0])
    try:
        for path in maps:
            visit.goto(path)
            visit.page.locator(".leaflet-container").wait_for(state="visible", timeout=15_000)
            assert visit.page.locator(".areas-legend").count() == 1, path.name
            visit.assert_nothing_ran()
    finally:
        visit.close()


@pytest.mark.browser
def test_firm_tooltips_show_the_payload_as_text(published, browser, artifacts_dir):
    from builders import Opened  # hovering and tooltips, as in the map browser tests

    atlas = hostile_atlas(CLI_IDS)  # the atlas the command line read
    page = Opened(browser, published["out"] / "maps" / "overview.html")
    try:
        for index in range(len(PAYLOADS) - 1):  # the last one: see the template tests below
            tips = page.hover("firm", index)
            assert [t["title"] for t in tips] == [atlas.companies["name"].iloc[index]]
            assert set(tips[0]["elements"]) <= {"div", "table", "tbody", "tr", "td"}
        district = page.hover("districts", "CON", zoom=15)
        assert [t["title"] for t in district] == [atlas.districts["name"].iloc[2]]
        assert "javascript:alert(1)" in district[0]["text"]  # the source, as text
        page.page.screenshot(path=str(artifacts_dir / "security-map-tooltip.png"))
        assert page.dialogs == [] and page.blocked == [] and page.page_errors == []
        assert page.page.evaluate("() => window.__pwned") is None
    finally:
        page.close()


# --------------------------------------------------------------------------- text is never code


def _template_payload(marker: Path) -> str:
    """Jinja syntax that runs Python if the text is ever rendered as a template: it makes a file."""
    builtins = "this.__init__.__globals__['__builtins__']"
    return "{{ " + builtins + "['__import__']('pathlib').Path(" + repr(str(marker)) + ").touch() }}"


_TEMPLATE_FIELDS = (
    ("districts", "municipality"),
    ("districts", "source"),
    ("bids", "name"),
    ("stops", "name"),
    ("rewilding", "owner"),
    ("companies", "name"),
)


@pytest.mark.slow
@pytest.mark.parametrize("output", ["overview_map", "district_map", "write_report"])
def test_attribute_text_is_never_run_as_code(output, tmp_path):
    from areas.output.maps.build import district_map, overview_map, save_map

    atlas = hostile_atlas()
    markers = []
    for kind, column in _TEMPLATE_FIELDS:
        marker = tmp_path / f"{kind}-{column}.txt"
        getattr(atlas, kind).loc[0, column] = _template_payload(marker)
        markers.append(marker)
    if output == "overview_map":
        save_map(overview_map(atlas, as_of="2026-01-01"), tmp_path / "map.html")
    elif output == "district_map":
        first = atlas.districts["district_id"].iloc[0]
        save_map(district_map(atlas, first, as_of="2026-01-01"), tmp_path / "map.html")
    else:
        write_report(atlas, tmp_path / "report", as_of="2026-01-01", progress=False)
    ran = [m.name for m in markers if m.exists()]
    assert ran == []


def test_names_with_template_delimiters_are_plain_text(tmp_path, capsys):
    from builders import companies, districts, write

    names = ["Bistro {#1} ApS", "Plan {{ 7*7 }} A/S", "Værksted {% raw %}"]
    write(districts(2, name=["Erhverv {{ 2021 }}", "Øst {#"]), tmp_path / "districts.gpkg")
    write(companies(3, name=names), tmp_path / "companies.gpkg")
    out = tmp_path / "map.html"
    code = main(["map", "--layers", str(tmp_path), "--fallback", "empty", "--out", str(out)])
    assert code == 0
    text = out.read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', text, re.S)
    data = json.dumps([json.loads(b) for b in blocks], ensure_ascii=False)
    for name in (*names, "Erhverv {{ 2021 }}"):
        assert json.dumps(name, ensure_ascii=False) in data, name


@pytest.mark.slow
def test_dollar_signs_in_names_are_plain_text(tmp_path):
    from builders import tiny_atlas

    atlas = tiny_atlas()
    atlas.districts.loc[0, "name"] = "Erhverv $^$ øst"
    atlas.districts.loc[1, "name"] = "Vej_1 $\\x$"
    result = write_report(atlas, tmp_path / "report", as_of="2026-01-01", progress=False)
    page = result.pages["nord"].read_text(encoding="utf-8")
    assert "Erhverv $^$ øst" in page


def test_dollar_signs_in_chart_labels_are_plain_text():
    """Bar labels, legend entries and titles with '$' are drawn as written, not as TeX."""
    from areas.output.charts import bar_chart, line_chart, static_map

    names = ["Vej $^$ 1", "$5 og $10"]
    svg = bar_chart(names, {"$a$": [1.0, 2.0], "b $\\x$": [2.0, 1.0]}, title="Plan $_$")
    for text in (*names, "$a$", "b $\\x$", "Plan $_$"):
        assert html.escape(text, quote=False) in svg, text
    svg = line_chart({"$x$": ([2021, 2022], [1.0, 2.0]), "y": ([2021], [1.0])}, title="$^$")
    assert "$x$" in svg and "$^$" in svg
    svg = static_map(
        title="Øst $^$",
        polygons=[("$5 og $10", [shapely.box(X0, Y0, X0 + SIZE, Y0 + SIZE)], {})],
    )
    assert "Øst $^$" in svg and "$5 og $10" in svg


@pytest.mark.slow
def test_names_the_font_lacks_are_drawn_without_a_warning(tmp_path, capsys):
    """A district named in a script DejaVu Sans lacks publishes with no warning printed."""
    from builders import companies, districts, write

    names = ["工业园区", "Ærø 東区"]
    write(districts(2, name=names), tmp_path / "districts.gpkg")
    write(companies(3), tmp_path / "companies.gpkg")
    out = tmp_path / "report"
    code = main(["report", "--layers", str(tmp_path), "--fallback", "empty", "--quiet",
                 "--as-of", "2026-01-01", "--out", str(out)])  # fmt: skip
    _, err = capsys.readouterr()
    assert code == 0 and err == ""
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(name in index for name in names)
