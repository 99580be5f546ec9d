r"""Text a library would interpret is shown as it is, in every output.

A district named ``Lokalplan 123 [udkast]`` (Rich markup), names with HTML,
terminal escape sequences and other control characters, and values that a
spreadsheet would run as formulas, written into real layer files and run
through the command line and the API:

- the terminal (Rich tables of ``summary`` and ``layers``, messages) shows
  the text verbatim, control characters as visible escapes (``\x1b``);
- HTML pages and maps escape it; the spreadsheet holds it as text;
- CSV outputs put ``'`` before a text cell starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return (OWASP), while numbers, negative ones
  too, stay numbers; the GeoPackage and JSON keep the text verbatim.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pyogrio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from areas.cli import main
from areas.output.export import FORMULA_STARTS, neutralise_formula
from areas.output.terminal import terminal_text

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-12-01"
MARKUP = "Lokalplan 123 [udkast] [bold]fed[/bold]"
ESCAPE = "Avedøre \x1b[2J\x1b]0;hijacked\x07 Holme"
HTML = "Vej <script>alert(1)</script> & Co"
FORMULA = '=HYPERLINK("http://x","klik")'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Return the bundled layers with hostile district and firm names."""
    folder = tmp_path_factory.mktemp("hostile") / "layers"
    shutil.copytree(REPO / "layers", folder)
    path = folder / "districts.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    names = [MARKUP, ESCAPE, HTML, FORMULA]
    for feature, name in zip(data["features"], names, strict=False):
        feature["properties"]["name"] = name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    firms = folder / "companies.geojson"
    data = json.loads(firms.read_text(encoding="utf-8"))
    for feature, name in zip(
        data["features"], ["@SUM(1+1)", "-2+3", "+45 12 34 56", "\tTab"], strict=False
    ):
        feature["properties"]["name"] = name
    firms.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_summary_table_shows_names_verbatim(hostile, capsys):
    code, out, err = cli(capsys, "summary", str(hostile), "--as-of", AS_OF, "--fallback", "empty")
    assert code == 0, err
    flat = " ".join(out.split())
    assert "[udkast]" in out and "[bold]fed[/bold]" in out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J" in out and "\\x07" in out
    assert "<script>" in flat and "alert(1)" in flat


def test_layers_table_escapes_a_hostile_path(tmp_path, hostile, capsys):
    folder = tmp_path / "[red]data[/red]"
    shutil.copytree(hostile, folder)
    code, out, err = cli(capsys, "layers", str(folder), "--fallback", "empty")
    assert code == 0, err
    assert "[red]data[/red]" in "".join(out.split())


def test_errors_and_warnings_escape_control_characters(tmp_path, capsys):
    code, _, err = cli(
        capsys,
        "map",
        "--out",
        str(tmp_path / "x\x1b[2J" / "m.html"),
        "--district",
        "no\x1b]0;t\x07pe",
    )
    assert code == 2
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b" in err


@pytest.fixture(scope="module")
def report(hostile, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "r"
    code = main(
        [
            "report",
            str(hostile),
            "--out",
            str(out),
            "--as-of",
            AS_OF,
            "--quiet",
            "--fallback",
            "empty",
        ]
    )
    assert code == 0
    return out


def test_csv_outputs_neutralise_formulas_but_keep_numbers(report):
    with open(report / "summary.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = [r["name"] for r in rows]
    assert "'" + FORMULA in names and MARKUP in names
    with open(report / "companies.csv", encoding="utf-8", newline="") as fh:
        firms = list(csv.DictReader(fh))
    firm_names = {f["name"] for f in firms}
    assert {"'@SUM(1+1)", "'-2+3", "'+45 12 34 56", "'\tTab"} <= firm_names
    for row in rows + firms:
        for value in row.values():
            assert not (value or "x").startswith(FORMULA_STARTS) or _number(value), value


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_geopackage_and_json_keep_text_verbatim(report, hostile, capsys):
    frame = pyogrio.read_dataframe(report / "results.gpkg", layer="districts")
    assert {MARKUP, ESCAPE, HTML, FORMULA} <= set(frame["name"])
    firms = pyogrio.read_dataframe(report / "results.gpkg", layer="companies")
    assert "@SUM(1+1)" in set(firms["name"])
    code, out, _ = cli(
        capsys, "summary", str(hostile), "--as-of", AS_OF, "--format", "json", "--fallback", "empty"
    )
    assert code == 0
    names = {d["name"] for d in json.loads(out)["districts"]}
    assert {MARKUP, ESCAPE, HTML, FORMULA} <= names


def test_html_escapes_names(report):
    pages = [p.read_text(encoding="utf-8") for p in report.rglob("*.html")]
    text = "\n".join(pages)
    assert "<script>alert(1)</script>" not in text
    assert "[udkast]" in text
    assert "\x1b" not in text


def test_spreadsheet_holds_text_as_text(report):
    import openpyxl

    book = openpyxl.load_workbook(report / "summary.xlsx")
    values = [c.value for row in book["summary"].iter_rows() for c in row]
    assert FORMULA in values and MARKUP in values
    assert any(isinstance(v, str) and "\\x1b[2J" in v for v in values)
    assert all(c.data_type != "f" for row in book["summary"].iter_rows() for c in row)


@given(st.text(max_size=30))
def test_neutralised_text_never_starts_a_formula(text):
    out = neutralise_formula(text)
    assert out == text or out == "'" + text
    if out != text:
        assert text.startswith(FORMULA_STARTS)
    elif text.startswith(FORMULA_STARTS):
        float(text.replace(",", ""))  # only plain numbers are left as they are


@given(st.text(max_size=30))
def test_terminal_text_has_no_control_characters(text):
    out = terminal_text(text)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in out)
