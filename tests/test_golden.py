"""Golden outputs: the report on the bundled layers is the same, table for table.

``tests/golden/`` holds ``summary.csv``, ``companies.csv`` and one CSV per
``results.gpkg`` layer (every column, every row, geometry as WKT) written by
``areas report`` on the bundled layers. A change that moves code around must
leave them byte-identical; a change that is meant to alter a number
regenerates them on purpose and says so in its commit::

    python tests/test_golden.py --regenerate
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
AS_OF = "2026-12-01"


def _write_report(out: Path) -> Path:
    from areas.cli import main

    code = main(["report", "--out", str(out), "--as-of", AS_OF, "--lang", "en", "--quiet"])
    assert code == 0
    return out


def dump_tables(report: Path, dest: Path) -> list[str]:
    """Write the report's tables as plain CSV files into ``dest``; return their names."""
    import pyogrio

    dest.mkdir(parents=True, exist_ok=True)
    names = []
    for name in ("summary.csv", "companies.csv"):
        (dest / name).write_bytes((report / name).read_bytes())
        names.append(name)
    for layer, geometry_type in pyogrio.list_layers(report / "results.gpkg"):
        if geometry_type is None:  # layer_styles: QGIS's styles, not a result table
            continue
        frame = pyogrio.read_dataframe(report / "results.gpkg", layer=layer)
        wkt = frame.geometry.to_wkt(rounding_precision=-1)
        frame = frame.drop(columns="geometry").assign(geometry=wkt.to_numpy())
        name = f"gpkg_{layer}.csv"
        frame.to_csv(dest / name, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        names.append(name)
    return sorted(names)


@pytest.mark.slow
def test_report_tables_match_golden(tmp_path):
    report = _write_report(tmp_path / "report")
    got = tmp_path / "tables"
    names = dump_tables(report, got)
    expected = sorted(p.name for p in GOLDEN.glob("*.csv"))
    assert names == expected
    for name in names:
        new = (got / name).read_text(encoding="utf-8").splitlines()
        old = (GOLDEN / name).read_text(encoding="utf-8").splitlines()
        assert len(new) == len(old), f"{name}: {len(new)} lines, golden {len(old)}"
        for i, (a, b) in enumerate(zip(new, old, strict=True)):
            assert a == b, f"{name} line {i + 1} differs:\n  now    {a[:300]}\n  golden {b[:300]}"


@pytest.mark.parametrize("name", ["summary.csv", "companies.csv"])
def test_golden_tables_are_not_empty(name):
    rows = (GOLDEN / name).read_text(encoding="utf-8").splitlines()
    assert len(rows) > 5


if __name__ == "__main__":
    import tempfile

    if sys.argv[1:] != ["--regenerate"]:
        sys.exit("usage: python tests/test_golden.py --regenerate")
    with tempfile.TemporaryDirectory() as tmp:
        for old in GOLDEN.glob("*.csv"):
            old.unlink()
        report = _write_report(Path(tmp) / "report")
        print("\n".join(dump_tables(report, GOLDEN)))
