"""The wheel carries the bundled layers and templates, so `pip install .` works anywhere."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from conftest import REPO

from areas.schema import KIND_NAMES, OPTIONAL_KINDS


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    import hatchling  # noqa: F401  (in the test extras: it builds the wheel)

    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (path,) = out.glob("areas-*.whl")
    return path


def test_wheel_carries_layers_templates_and_entry_point(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for kind in KIND_NAMES:
            files = [p for p in (REPO / "layers").iterdir() if p.stem == kind]
            if kind not in OPTIONAL_KINDS:
                assert files, kind
            for file in files:
                bundled = f"areas/_bundled_layers/{file.name}"
                assert bundled in names
                assert zf.read(bundled) == file.read_bytes()
        assert "areas/_bundled_layers/README.md" in names
        assert any(
            n.startswith("areas/output/report/templates/") and n.endswith(".html") for n in names
        )
        # the maps' code, styles and legend template, inlined on save
        for static in ("static/areas.js", "static/areas.css", "templates/legend.html"):
            path = f"areas/output/maps/{static}"
            assert path in names
            assert zf.read(path) == (REPO / path).read_bytes()
        assert "areas/py.typed" in names
        # the scripts and stylesheets inlined into accessible and compact maps
        for static in (
            "areas/output/a11y/static/a11y.js",
            "areas/output/a11y/static/a11y.css",
            "areas/output/a11y/static/page.html",
            "areas/output/compact/static/compact.js",
        ):
            assert zf.read(static) == (REPO / static).read_bytes(), static
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "areas = areas.cli:main" in zf.read(entry_points).decode()
