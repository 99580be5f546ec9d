"""The bad-input corpus through the command line.

Every case of the bad-input contract (``tests/test_bad_input.py`` checks the
Python API) is built here as real files and run through ``areas validate`` and
``areas summary --layers``, in-process via :func:`areas.cli.main` and, for a
representative handful, as real ``python -m areas`` processes. For each case:

- an **error** exits non-zero with one message naming the file, the layer, the
  feature ids and the fix, and no traceback (``validate``: exit 1 and the
  problem in the report; ``summary``: exit 2 and ``areas: error: ...``);
- a **repair** or **exclusion** leaves the data usable (``validate`` exits 0)
  and is announced with the ids (``summary`` prints ``areas: warning: ...``);
- a case the toolkit reads as it is (different CRSs, encodings it detects,
  CSV dialects) exits 0 and gives the right figures.

The builders of ``tests/test_bad_input.py`` are reused where the cases there
have one; the others are written here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from builders import CASES, FALLBACK, Case, built

from areas.cli import main

REPO = Path(__file__).resolve().parent.parent

CASE_IDS = [c.id for c in CASES]
ERRORS = [c for c in CASES if c.outcome == "error"]
USABLE = [c for c in CASES if c.outcome != "error"]
WARNED = [c for c in CASES if c.outcome == "warning"]


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``areas ARGS`` in this process; return (exit code, stdout, stderr)."""
    code = main([*args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _problems(report: dict, case: Case) -> list[dict]:
    return [p for p in report["problems"] if p["code"] == case.code]


# =========================================================================== validate


def test_the_corpus_covers_the_contract():
    """Every kind of bad input the contract names has a case here."""
    wanted = {
        "missing_crs", "utm_labelled_4326", "swapped_lon_lat", "zero_and_blank_points_csv",
        "zone33_labelled_zone32", "two_inputs_two_crs", "bow_tie", "unclosed_ring",
        "collapsed_polygon_in_districts", "empty_polygon_in_districts", "mixed_geometry_types",
        "duplicate_ids", "identical_geometries", "overlapping_plots", "firm_on_shared_boundary",
        "shapefile_utf8_without_cpg", "shapefile_cp1252_with_cpg", "shapefile_cp1252_without_cpg",
        "cpg_lies_utf8_over_cp1252", "shapefile_cp865_without_cpg", "truncated_shp",
        "dbf_fewer_records_than_shx", "missing_dbf", "truncated_geopackage", "garbled_geopackage",
        "geopackage_layers_none_named", "csv_semicolons_and_decimal_commas",
        "csv_commas_with_unquoted_decimal_commas", "csv_leading_zero_codes",
        "csv_duplicate_column_names", "html_page_as_geojson",
    }  # fmt: skip
    assert wanted <= set(CASE_IDS)
    assert len(CASE_IDS) == len(set(CASE_IDS))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_validate_text(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, out, err = cli(capsys, "validate", str(source), *FALLBACK)
    assert code == (1 if case.outcome == "error" else 0), out
    assert err == ""
    last = out.strip().splitlines()[-1]
    if case.outcome == "error":
        assert last.endswith("the data is NOT usable")
        head = f"ERROR {case.code}"
    else:
        assert last.endswith("the data is usable")
        head = f"WARNING {case.code}"
    if case.outcome == "ok":
        assert last.startswith("0 errors, 0 warnings"), out
        return
    lines = [line for line in out.splitlines() if line.startswith(head)]
    assert lines, out
    text = "\n".join(lines)
    assert case.file in text
    assert f"[{case.kind}]" in text or f"layer `{case.kind}`" in text  # the layer
    for part in (*case.ids, *case.says):
        assert part in text, (part, text)
    fixes = [line for line in out.splitlines() if line.strip().startswith("Fix:")]
    assert any(case.fix in line for line in fixes), out


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_validate_json(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, out, _ = cli(capsys, "validate", str(source), "--format", "json", *FALLBACK)
    report = json.loads(out)
    assert report["ok"] is (case.outcome != "error") and code == (0 if report["ok"] else 1)
    if case.outcome == "ok":
        assert report["problems"] == []
    else:
        found = _problems(report, case)
        assert found, report["problems"]
        assert all(Path(p["path"]).name == case.file for p in found)
        # the layer kind (a problem with the source as a whole names the layer it looked for)
        assert all(case.kind in (p["kind"], p["layer"]) for p in found), found
        named = [i for p in found for i in p["ids"]]
        if case.ids and case.code != "DamagedFileError":
            assert sorted(named) == sorted(case.ids)
        assert all(p["fix"] for p in found)
        severity = "error" if case.outcome == "error" else "warning"
        assert {p["severity"] for p in found} == {severity}
    for kind, expected in (case.layers or {}).items():
        layer = report["layers"][kind]
        assert {k: layer[k] for k in expected} == expected, kind
        assert layer["features_read"] == layer["features_used"] + len(layer["excluded"])


# =========================================================================== summary


@pytest.mark.parametrize("case", ERRORS, ids=[c.id for c in ERRORS])
def test_summary_refuses_bad_input_with_one_message(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, out, err = cli(capsys, "summary", "--layers", str(source), *FALLBACK)
    assert code == 2 and out == ""
    assert err.startswith("areas: error: ") and err.count("areas: error:") == 1
    assert case.file in err
    for part in (*case.ids, *case.says):
        assert part in err, (part, err)
    assert "Fix: " in err and case.fix in err.split("Fix: ", 1)[1]


@pytest.mark.parametrize("case", ERRORS, ids=[c.id for c in ERRORS])
def test_summary_error_names_the_layer(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, _, err = cli(capsys, "summary", "--layers", str(source), *FALLBACK)
    assert code == 2
    assert f"layer `{case.kind}`" in err, err


@pytest.mark.parametrize("case", USABLE, ids=[c.id for c in USABLE])
def test_summary_of_usable_input(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, out, err = cli(capsys, "summary", "--layers", str(source), "--format", "json", *FALLBACK)
    assert code == 0
    warned = [line for line in err.splitlines() if line]
    if case.outcome == "ok":
        assert warned == []
    else:
        assert warned and all(line.startswith("areas: warning: ") for line in warned), err
        text = "\n".join(warned)
        assert case.file in text and f"layer `{case.kind}`" in text
        for part in (*case.ids, *case.says):
            assert part in text, (part, text)
        assert case.fix in text
    payload = json.loads(out)
    rec = payload["reconciliation"]
    assert rec["companies_in"] == rec["assigned"] + rec["outside"] + rec["excluded"]
    rows = {row["district_id"]: row for row in payload["districts"]}
    for district, figures in (case.figures or {}).items():
        for column, value in figures.items():
            assert rows[district][column] == pytest.approx(value), (district, column)


# =========================================================================== following the fix


def _toml(folder: Path, text: str) -> Path:
    path = folder / "areas.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_crs_fixed_with_the_crs_option(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("missing_crs")], tmp_path)
    code, out, _ = cli(capsys, "validate", str(source), "--crs", "EPSG:25832", *FALLBACK)
    assert code == 0 and "0 errors, 0 warnings" in out
    code, out, _ = cli(
        capsys,
        "summary",
        "--layers",
        str(source),
        "--crs",
        "EPSG:25832",
        "--format",
        "json",
        *FALLBACK,
    )
    assert code == 0
    assert [r["area_ha"] for r in json.loads(out)["districts"]] == [100.0, 100.0]


@pytest.mark.parametrize(
    ("case_id", "table", "message"),
    [
        ("utm_labelled_4326", 'crs = "EPSG:25832"\ncrs_override = true', "read as EPSG:25832"),
        ("zone33_labelled_zone32", 'crs = "EPSG:25833"\ncrs_override = true', "EPSG:25833"),
        ("districts_geopackage_with_two_layers", 'layer = "lokalplaner"', None),
    ],
)
def test_districts_fixed_as_the_message_says(case_id, table, message, tmp_path, capsys):
    case = CASES[CASE_IDS.index(case_id)]
    folder = built(case, tmp_path)
    config = _toml(
        folder, f'[layers]\nfallback = "empty"\n\n[districts]\npath = "{case.file}"\n{table}\n'
    )
    code, out, err = cli(capsys, "validate", str(config))
    assert code == 0, out
    if message:
        assert message in out
    code, out, err = cli(capsys, "summary", "--layers", str(config), "--format", "json")
    assert code == 0
    assert [r["area_ha"] for r in json.loads(out)["districts"]] == pytest.approx([100.0, 100.0])


def test_lying_cpg_fixed_with_the_encoding_named(tmp_path, capsys):
    case = CASES[CASE_IDS.index("cpg_lies_utf8_over_cp1252")]
    folder = built(case, tmp_path)
    config = _toml(
        folder,
        '[layers]\nfallback = "empty"\n\n[districts]\npath = "districts.gpkg"\n\n'
        '[companies]\npath = "companies.shp"\nencoding = "cp1252"\n',
    )
    code, out, _ = cli(capsys, "validate", str(config), "--format", "json")
    assert code == 0
    assert json.loads(out)["layers"]["companies"]["encoding"] == "cp1252"


# =========================================================================== the gaps


# Overlapping plots and firms on a shared boundary are resolved by rule (an overlap is
# counted once; a boundary firm goes to one district), so they are not problems: both
# cases are "ok" above (no warning, exit 0, no problem in the JSON), and the bundled
# plots overlap on purpose. ``validate`` names them as notes (``INFO`` lines).


def test_validate_names_overlapping_plots(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("overlapping_plots")], tmp_path)
    code, out, _ = cli(capsys, "validate", str(source), *FALLBACK)
    assert code == 0
    assert re.search(r"INFO .*overlap.*p1.*p2", out), out


def test_validate_names_firms_on_a_shared_boundary(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("firm_on_shared_boundary")], tmp_path)
    code, out, _ = cli(capsys, "validate", str(source), *FALLBACK)
    assert code == 0
    assert re.search(r"INFO .*boundary.*0002", out), out


def test_notes_are_in_the_json_and_not_problems(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("overlapping_plots")], tmp_path)
    code, out, _ = cli(capsys, "validate", str(source), "--format", "json", *FALLBACK)
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["problems"] == [] and report["warnings"] == 0
    [note] = report["notes"]
    assert note["severity"] == "info" and note["code"] == "OverlappingPlots"
    assert note["kind"] == "rewilding" and Path(note["path"]).name == "rewilding.gpkg"
    assert note["ids"] == ["p1", "p2"] and "p1 and p2 (0.50 ha)" in note["message"]
    assert report["layers"]["rewilding"]["notes"] == [note["message"]]


def test_boundary_firms_are_named_by_validate_summary_and_notes(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("firm_on_shared_boundary")], tmp_path)
    code, out, _ = cli(capsys, "validate", str(source), "--format", "json", *FALLBACK)
    [note] = json.loads(out)["notes"]
    assert note["code"] == "SharedBoundaryFirms" and note["ids"] == ["0002"]
    assert "0002 → d1 (on d1 / d2)" in note["message"]
    assert json.loads(out)["layers"]["companies"]["notes"] == [note["message"]]
    code, out, err = cli(capsys, "summary", "--layers", str(source), "--format", "json", *FALLBACK)
    assert code == 0 and err == ""
    rec = json.loads(out)["reconciliation"]
    assert rec["boundary_firms"] == [{"id": "0002", "district_id": "d1"}]
    from areas import load
    from areas.analysis.notes import layer_notes

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a note, not a warning
        atlas = load(source, fallback="empty")
    # the loader does not look at the layers together; the analyses' notes do
    assert atlas.sources["companies"].notes == []
    assert layer_notes(atlas)["companies"] == [note["message"]]
    assert atlas.sources["companies"].notes == []  # the atlas is not changed


def test_bundled_layers_validate_with_notes_only(capsys):
    """The bundled plots overlap on purpose: a note, no warning."""
    code, out, _ = cli(capsys, "validate")
    assert code == 0
    assert out.strip().splitlines()[-1] == "0 errors, 0 warnings, 1 note: the data is usable"
    assert re.search(
        r"^INFO OverlappingPlots \[rewilding\] .*: 2 pairs of rewilding plots", out, re.M
    )


def test_encoding_fixes_say_how_on_the_command_line(tmp_path, capsys):
    """A .cpg saying 1252 over cp865 text: the message names cp865 and the areas.toml line."""
    case = CASES[CASE_IDS.index("cpg_lies_1252_over_cp865")]
    folder = built(case, tmp_path)
    code, _, err = cli(capsys, "summary", "--layers", str(folder), *FALLBACK)
    assert code == 2
    assert "it looks like cp865" in err
    assert 'encoding = "cp865" in the [companies] table of an areas.toml' in err
    config = _toml(
        folder,
        '[layers]\nfallback = "empty"\n\n[districts]\npath = "districts.gpkg"\n\n'
        '[companies]\npath = "companies.shp"\nencoding = "cp865"\n',
    )
    code, out, _ = cli(capsys, "validate", str(config), "--format", "json")
    assert code == 0
    assert json.loads(out)["layers"]["companies"]["encoding"] == "cp865"


def test_crs_fixes_say_how_on_the_command_line(tmp_path, capsys):
    case = CASES[CASE_IDS.index("utm_labelled_4326")]
    code, _, err = cli(capsys, "summary", "--layers", str(built(case, tmp_path)), *FALLBACK)
    assert code == 2
    assert (
        'command line: crs = "EPSG:25832" and crs_override = true in the [districts] table '
        "of an areas.toml"
    ) in err
    case = CASES[CASE_IDS.index("missing_crs")]
    code, _, err = cli(capsys, "summary", "--layers", str(built(case, tmp_path)), *FALLBACK)
    assert code == 2 and "command line: --crs EPSG:25832" in err


def test_exclusion_warning_reads_as_a_sentence(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("zero_point_geopackage")], tmp_path)
    code, _, err = cli(capsys, "summary", "--layers", str(source), *FALLBACK)
    assert code == 0
    assert (
        "left out 1 feature(s) with a point at (0, 0) (the mark of a failed geocoding): 0002" in err
    )


# =========================================================================== real processes

#: A representative handful, run as ``python -m areas`` in a process of their own.
SUBPROCESS_CASES = [
    ("missing_crs", "validate"),
    ("html_page_as_geojson", "summary"),
    ("truncated_shp", "validate"),
    ("cpg_lies_utf8_over_cp1252", "summary"),
    ("csv_duplicate_column_names", "validate"),
    ("garbled_geopackage", "summary"),
    ("zero_and_blank_points_csv", "summary"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("case_id", "command"), SUBPROCESS_CASES)
def test_real_process(case_id, command, tmp_path):
    case = CASES[CASE_IDS.index(case_id)]
    source = built(case, tmp_path)
    args = [str(source)] if command == "validate" else ["--layers", str(source), "--format", "csv"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        result = subprocess.run(
            [sys.executable, "-m", "areas", command, *args, *FALLBACK],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert case.file in output
    if case.outcome == "error":
        assert result.returncode == (1 if command == "validate" else 2), output
        if command == "summary":
            assert result.stderr.startswith("areas: error: ") and result.stdout == ""
        else:
            assert f"ERROR {case.code}" in result.stdout
    else:
        assert result.returncode == 0, output
        warned = result.stderr.splitlines()
        assert warned and all(line.startswith("areas: warning: ") for line in warned)
        for i in case.ids:
            assert i in result.stderr
        assert result.stdout.startswith("district_id,")
