"""Publishing: the public edition, the offline background, tiles and the accessibility statement.

The public edition (``write_report(..., public=True)``, ``areas report
--public``) is written on the bundled layers and every file of it is searched,
as text, inside the GeoPackage (SQLite stores text as UTF-8) and inside the
Excel file (zipped XML), for every firm name and address of the companies
layer and for every firm that owns a rewilding plot. The search is checked to
find them in the case-work edition, so that it can fail.
"""

from __future__ import annotations

import html
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest

import areas
from areas.cli import main
from areas.errors import ConfigError
from areas.load.datasets import bundled_dir
from areas.output.maps import MapOptions, overview_map
from areas.output.maps.background import (
    BACKGROUND_FILES,
    bundled_attribution,
    bundled_background,
    resolve_background,
)
from areas.output.report.write import write_report

pytestmark = pytest.mark.slow

AS_OF = "2026-01-01"
BACKGROUND_PRESENT = all((bundled_dir() / f).exists() for f in BACKGROUND_FILES)
needs_background = pytest.mark.skipif(
    not BACKGROUND_PRESENT, reason="the bundled background layers are not in this checkout"
)


def _texts(path: Path):
    """Every text a reader or a program could get out of ``path``."""
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                yield html.unescape(archive.read(name).decode("utf-8", "replace"))
        return
    if path.suffix == ".gpkg":
        with sqlite3.connect(path) as db:
            for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
                for row in db.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - own file
                    yield " ".join(str(v) for v in row if isinstance(v, str))
    text = data.decode("utf-8", "replace")
    yield text
    # JSON escapes (\u0026 ...) and HTML entities (&amp; ...) undone
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    yield html.unescape(text)


def _decoded(text: str) -> str:
    """Return ``text`` with the JSON escapes of characters undone."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def _leaks(folder: Path, needles: set[str]) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            for text in _texts(path):
                for needle in needles:
                    if needle in text:
                        found.setdefault(path.relative_to(folder).as_posix(), set()).add(needle)
    return {k: sorted(v)[:5] for k, v in found.items()}


@pytest.fixture(scope="module")
def firm_texts() -> set[str]:
    firms = gpd.read_file(bundled_dir() / "companies.geojson")
    plots = gpd.read_file(bundled_dir() / "rewilding.geojson")
    names = set(firms["name"].dropna().astype(str))
    addresses = set(firms["address"].dropna().astype(str))
    owners = set(plots["owner"].dropna().astype(str)) & names
    assert len(names) > 1000 and len(addresses) > 500 and owners
    return names | addresses


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("editions")
    public, full = base / "public", base / "case-work"
    assert main(["report", "--as-of", AS_OF, "--lang", "da", "--public", "--quiet",
                 "--out", str(public)]) == 0  # fmt: skip
    write_report(areas.load(), full, as_of=AS_OF, lang="da", progress=False)
    return {"public": public, "case_work": full}


def test_public_edition_names_no_firm_in_any_file(editions, firm_texts):
    assert _leaks(editions["public"], firm_texts) == {}
    # the same search finds the firms in the case-work edition
    found = _leaks(editions["case_work"], firm_texts)
    assert {"companies.csv", "results.gpkg", "map.html"} <= set(found)
    assert any(p.startswith("districts/") and p.endswith(".map.html") for p in found)
    assert any(p.startswith("districts/") and not p.endswith(".map.html") for p in found)


def test_public_edition_holds_counts_only(editions):
    public = editions["public"]
    assert not (public / "companies.csv").exists()
    layers = gpd.list_layers(public / "results.gpkg")["name"].tolist()
    assert "companies" not in layers and "company_cells" in layers
    cells = gpd.read_file(public / "results.gpkg", layer="company_cells")
    assert cells["companies"].min() >= 5 and set(cells.columns) == {
        "cell_id",
        "companies",
        "employees",
        "geometry",
    }
    # the cells hold the firms of cells with at least 5 firms: no more than all of them
    firms = gpd.read_file(bundled_dir() / "companies.geojson")
    assert 0 < cells["companies"].sum() <= len(firms)
    prov = json.loads((public / "provenance.json").read_text(encoding="utf-8"))
    assert prov["edition"] == "public" and prov["public_min_firms"] == 5
    index = (public / "index.html").read_text(encoding="utf-8")
    assert "offentlige udgave" in index and "companies.csv" not in index
    page = (public / "districts" / "hersted-industripark.html").read_text(encoding="utf-8")
    assert "Lister over enkelte virksomheder er udeladt" in page  # instead of the BID call list
    assert "virksomheder ligger mere end 600 m fra en station" in page
    # no firm is drawn on a public map, only the counts per cell
    overview = (public / "map.html").read_text(encoding="utf-8")
    assert 'data-areas-layer="companies"' not in overview
    assert "L.AreasCompactPoints(" not in overview.split("</script>", 1)[1]
    assert 'data-areas-layer="company_grid"' in overview
    case = json.loads((editions["case_work"] / "provenance.json").read_text(encoding="utf-8"))
    assert case["edition"] == "case_work"


def test_public_min_firms_must_be_a_positive_whole_number(tmp_path):
    with pytest.raises(ConfigError, match="public_min_firms"):
        write_report(areas.load(), tmp_path / "r", public=True, public_min_firms=0, progress=False)


def test_a_tile_template_needs_its_attribution(tmp_path):
    with pytest.raises(ConfigError, match="tiles_attribution"):
        write_report(
            areas.load(), tmp_path / "r", tiles="https://t.example/{z}/{x}/{y}.png", progress=False
        )
    code = main(["map", "--tiles", "https://t.example/{z}/{x}/{y}.png", "--out",
                 str(tmp_path / "m.html")])  # fmt: skip
    assert code == 2


def test_tiles_with_attribution_on_map_and_report(tmp_path):
    url = "https://tiles.example.dk/{z}/{x}/{y}.png"
    assert main(["map", "--as-of", AS_OF, "--tiles", url, "--tiles-attribution",
                 "© Example & Co", "--out", str(tmp_path / "m.html")]) == 0  # fmt: skip
    page = _decoded((tmp_path / "m.html").read_text(encoding="utf-8"))
    assert url in page and '"attribution": "© Example &amp; Co"' in page
    args = ["--district", "gungevej", "--tiles", url, "--tiles-attribution", "© Example"]
    assert main(["report", "--as-of", AS_OF, "--quiet", *args, "--out", str(tmp_path / "r")]) == 0
    assert url in (tmp_path / "r" / "districts" / "gungevej.map.html").read_text(encoding="utf-8")


@needs_background
def test_bundled_background_and_its_attribution():
    frame = bundled_background()
    assert {"sea", "lake", "municipality", "motorway", "main_road", "s_train"} <= set(frame["kind"])
    assert frame.crs.to_epsg() == 25832
    for lang in ("da", "en"):
        assert "GeoFA" in bundled_attribution(lang) and "DAGI" in bundled_attribution(lang)
    page = overview_map(areas.load(), as_of=AS_OF, lang="da").get_root().render()
    assert 'data-areas-layer="background"' in page
    assert json.dumps(bundled_attribution("da"), ensure_ascii=False)[1:20] in page


def test_own_layers_get_the_background_they_name(tmp_path):
    atlas = areas.load()
    own = atlas.__class__(**{k: v for k, v in atlas.layers().items()})  # no sources: not bundled
    assert resolve_background("auto", own) == (None, False)
    page = overview_map(own, as_of=AS_OF).get_root().render()
    assert 'data-areas-layer="background"' not in page
    # a file of the user's own: drawn, styled by `kind`, with the attribution given
    roads = gpd.GeoDataFrame(
        {"kind": ["motorway"]},
        geometry=gpd.GeoSeries.from_wkt(["LINESTRING (710000 6170000, 716000 6172000)"]),
        crs="EPSG:25832",
    )
    path = tmp_path / "veje.gpkg"
    roads.to_file(path, layer="veje")
    opts = MapOptions(as_of=AS_OF, background=str(path), background_attribution="Egne veje")
    page = overview_map(own, options=opts).get_root().render()
    block = re.search(r'data-areas-layer="background">(.*?)</script>', page, re.S).group(1)
    assert json.loads(block)["features"][0]["properties"]["s"] == "motorway"
    assert "Egne veje" in page
    none = overview_map(atlas, as_of=AS_OF, background=None).get_root().render()
    assert 'data-areas-layer="background"' not in none
    with pytest.raises(ConfigError, match="does not exist"):
        overview_map(atlas, as_of=AS_OF, background=str(tmp_path / "missing.gpkg"))
    bad = roads.set_crs(None, allow_override=True)
    with pytest.raises(ConfigError, match="no CRS"):
        overview_map(atlas, as_of=AS_OF, background=bad)


def test_accessibility_statement_on_maps_and_pages(tmp_path):
    url = "https://www.hvidovre.dk/was"
    assert main(["map", "--as-of", AS_OF, "--lang", "da", "--accessibility-statement", url,
                 "--out", str(tmp_path / "m.html")]) == 0  # fmt: skip
    page = _decoded((tmp_path / "m.html").read_text(encoding="utf-8"))
    assert f'<a href=\\"{url}\\">Tilgængelighedserklæring</a>' in page
    out = tmp_path / "r"
    assert main(["report", "--as-of", AS_OF, "--quiet", "--district", "gungevej",
                 "--accessibility-statement", url, "--out", str(out)]) == 0  # fmt: skip
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'<a href="{url}">Accessibility statement</a>' in index
