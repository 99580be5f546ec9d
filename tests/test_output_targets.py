"""Output targets that cannot take the output, and outputs that would replace data.

Each case runs against a real target: a read-only file system and a full
disk are real ``tmpfs`` mounts (the tests need root to mount them and are
skipped with the reason otherwise), a folder where a file is expected, a
path below a file, a mount point, and the input files of the run. For
``areas map --out``, ``areas report --out`` and the API's ``save_map`` and
``write_report``:

- one line ``areas: error: ...`` naming the path and the fix, exit code 1,
  no traceback (the API raises :class:`~areas.errors.OutputError`);
- an earlier output at the same path is left byte for byte as it was, and
  no temporary file is left behind.

Files a user added to an earlier report are kept when the report is written
again; a report file edited since stops the run with its name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import areas
from areas._atomic import TMP_PREFIX
from areas.cli import main
from areas.errors import OutputError

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-12-01"


def _mount(path: Path, *options: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    opts = ",".join(options)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {result.stderr.strip()}")


@pytest.fixture
def mounts(tmp_path):
    """Return a function that mounts a tmpfs (read-only with ``seed`` files); unmount after."""
    made = []

    def mount(name: str, *options: str, seed: dict[str, bytes] | None = None) -> Path:
        path = tmp_path / name
        if seed:
            _mount(path, "size=128m")
            made.append(path)
            for rel, data in seed.items():
                (path / rel).parent.mkdir(parents=True, exist_ok=True)
                (path / rel).write_bytes(data)
            subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)
            return path
        _mount(path, *options)
        made.append(path)
        return path

    yield mount
    for path in reversed(made):
        subprocess.run(["umount", "-l", str(path)], check=False)


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 1, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("areas: error:")]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def digest(path: Path) -> dict[str, str]:
    """Return the SHA-256 of every file under ``path`` (or of ``path``)."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def no_leftovers(folder: Path) -> None:
    if folder.is_dir():
        assert not [p.name for p in folder.iterdir() if p.name.startswith(TMP_PREFIX)]


@pytest.fixture(scope="module")
def atlas():
    return areas.load()


@pytest.fixture(scope="module")
def small_map(atlas):
    return areas.district_map(atlas, "avedoere-holme", as_of=AS_OF)


# =========================================================================== map --out


def test_map_read_only_file_system_keeps_the_old_map(mounts, capsys):
    ro = mounts("ro", seed={"map.html": b"<html>old map</html>"})
    before = digest(ro)
    code, _, err = cli(capsys, "map", "--out", str(ro / "map.html"), "--as-of", AS_OF)
    assert_one_line_error(code, err, str(ro / "map.html"), "read-only", "write to a folder")
    assert digest(ro) == before


def test_map_full_disk_keeps_the_old_map(mounts, capsys):
    full = mounts("full", "size=64k")
    (full / "map.html").write_bytes(b"<html>old map</html>")
    before = digest(full / "map.html")
    code, _, err = cli(capsys, "map", "--out", str(full / "map.html"), "--as-of", AS_OF)
    assert_one_line_error(code, err, str(full / "map.html"), "no space left", "free some space")
    assert digest(full / "map.html") == before
    no_leftovers(full)


def test_map_into_a_folder_names_a_file_instead(tmp_path, capsys):
    (tmp_path / "maps").mkdir()
    code, _, err = cli(capsys, "map", "--out", str(tmp_path / "maps"))
    assert_one_line_error(code, err, str(tmp_path / "maps"), "is a folder", "give a file name")
    assert list((tmp_path / "maps").iterdir()) == []


def test_map_below_a_file_cannot_be_created(tmp_path, capsys):
    (tmp_path / "plain.txt").write_text("not a folder")
    target = tmp_path / "plain.txt" / "sub" / "map.html"
    code, _, err = cli(capsys, "map", "--out", str(target))
    assert_one_line_error(code, err, str(target), "is a file, not a folder", "another path")
    assert (tmp_path / "plain.txt").read_text() == "not a folder"


def test_map_onto_a_mount_point(mounts, capsys):
    point = mounts("point", "size=64k")
    code, _, err = cli(capsys, "map", "--out", str(point))
    assert_one_line_error(code, err, str(point), "mount point", str(point / "map.html"))


def test_save_map_raises_output_error(mounts, small_map):
    ro = mounts("ro", seed={"m.html": b"old"})
    with pytest.raises(OutputError, match="read-only"):
        areas.save_map(small_map, ro / "m.html")
    assert (ro / "m.html").read_bytes() == b"old"
    full = mounts("full", "size=64k")
    with pytest.raises(OutputError, match="no space left"):
        areas.save_map(small_map, full / "m.html")
    no_leftovers(full)
    with pytest.raises(OutputError, match="mount point"):
        areas.save_map(small_map, full)
    (full / "sub").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        areas.save_map(small_map, full / "sub")


# =========================================================================== inputs


@pytest.fixture
def layer_folder(tmp_path):
    folder = tmp_path / "layers"
    shutil.copytree(REPO / "layers", folder)
    return folder


@pytest.mark.parametrize("name", ["districts.geojson", "companies.geojson", "stops.geojson"])
def test_map_refuses_to_write_over_an_input_layer(layer_folder, name, capsys):
    before = digest(layer_folder)
    code, _, err = cli(capsys, "map", str(layer_folder), "--out", str(layer_folder / name))
    assert_one_line_error(code, err, str(layer_folder / name), "input file", "another --out")
    assert digest(layer_folder) == before


def test_map_refuses_to_write_over_the_geopackage_it_reads(tmp_path, atlas, capsys):
    from areas.output.export import write_gpkg

    gpkg = tmp_path / "data.gpkg"
    write_gpkg(atlas.layers(), gpkg)
    before = digest(gpkg)
    code, _, err = cli(capsys, "map", "--layers", str(gpkg), "--out", str(gpkg))
    assert_one_line_error(code, err, str(gpkg), "input file")
    assert digest(gpkg) == before


def test_map_refuses_to_write_over_its_config(layer_folder, capsys):
    toml = layer_folder / "areas.toml"
    toml.write_text('[layers]\nfallback = "bundled"\n', encoding="utf-8")
    code, _, err = cli(capsys, "map", str(toml), "--out", str(toml))
    assert_one_line_error(code, err, str(toml), "input file")
    assert toml.read_text(encoding="utf-8").startswith("[layers]")


def test_save_map_refuses_an_input_of_its_atlas(layer_folder):
    atlas = areas.load(layer_folder)
    fmap = areas.district_map(atlas, "avedoere-holme", as_of=AS_OF)
    before = digest(layer_folder)
    with pytest.raises(OutputError, match="input file"):
        areas.save_map(fmap, layer_folder / "districts.geojson")
    assert digest(layer_folder) == before


def test_report_refuses_the_input_folder(layer_folder, capsys):
    before = digest(layer_folder)
    code, _, err = cli(capsys, "report", str(layer_folder), "--out", str(layer_folder), "--quiet")
    assert_one_line_error(code, err, str(layer_folder), "input folder", "another --out")
    assert digest(layer_folder) == before


def test_write_report_refuses_a_folder_holding_an_input(layer_folder):
    atlas = areas.load(layer_folder)
    with pytest.raises(OutputError, match="holding the input"):
        areas.write_report(atlas, layer_folder.parent, progress=False)


# =========================================================================== report --out


@pytest.fixture(scope="module")
def earlier_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("earlier") / "report"
    assert main(["report", "--out", str(out), "--as-of", AS_OF, "--quiet"]) == 0
    return out


def test_report_read_only_file_system_keeps_the_old_report(mounts, earlier_report, capsys):
    seed = {
        f"rep/{p.relative_to(earlier_report)}": p.read_bytes()
        for p in earlier_report.rglob("*")
        if p.is_file()
    }
    ro = mounts("ro", seed=seed)
    before = digest(ro)
    code, _, err = cli(capsys, "report", "--out", str(ro / "rep"), "--as-of", AS_OF, "--quiet")
    assert_one_line_error(code, err, str(ro / "rep"), "read-only")
    assert digest(ro) == before


@pytest.mark.parametrize("size", ["64k", "1500k", "3500k"])
def test_report_full_disk(mounts, size, capsys):
    """The disk fills at the start, among the maps, or in the GeoPackage."""
    full = mounts(f"full{size}", f"size={size}")
    code, _, err = cli(capsys, "report", "--out", str(full / "rep"), "--as-of", AS_OF, "--quiet")
    assert_one_line_error(code, err, str(full / "rep"), "no space left")
    assert sorted(p.name for p in full.iterdir()) == []


def test_report_onto_a_mount_point(mounts, capsys):
    point = mounts("point", "size=64k")
    code, _, err = cli(capsys, "report", "--out", str(point), "--quiet")
    assert_one_line_error(code, err, str(point), "mount point", str(point / "areas-report"))


def test_report_below_a_file_or_onto_a_file(tmp_path, capsys):
    (tmp_path / "plain.txt").write_text("keep")
    code, _, err = cli(capsys, "report", "--out", str(tmp_path / "plain.txt" / "r"), "--quiet")
    assert_one_line_error(code, err, "plain.txt", "is a file, not a folder")
    code, _, err = cli(capsys, "report", "--out", str(tmp_path / "plain.txt"), "--quiet")
    assert_one_line_error(code, err, "plain.txt", "is a file")
    assert (tmp_path / "plain.txt").read_text() == "keep"


def test_write_report_raises_output_error_on_a_read_only_disk(mounts, atlas):
    ro = mounts("ro", seed={"keep.txt": b"keep"})
    with pytest.raises(OutputError, match="read-only"):
        areas.write_report(atlas, ro / "rep", as_of=AS_OF, progress=False)
    assert (ro / "keep.txt").read_bytes() == b"keep"


def test_report_keeps_files_the_user_added(tmp_path, earlier_report, capsys):
    out = tmp_path / "report"
    shutil.copytree(earlier_report, out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "districts" / "photo.jpg").write_bytes(b"\xff\xd8jpeg")
    (out / "extra").mkdir()
    (out / "extra" / "a.csv").write_text("a\n1\n", encoding="utf-8")
    code, _, err = cli(capsys, "report", "--out", str(out), "--as-of", AS_OF, "--quiet")
    assert code == 0, err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "districts" / "photo.jpg").read_bytes() == b"\xff\xd8jpeg"
    assert (out / "extra" / "a.csv").read_text(encoding="utf-8") == "a\n1\n"
    assert (out / "index.html").is_file()
    # and again: they are still the user's, not the report's
    assert main(["report", "--out", str(out), "--as-of", AS_OF, "--quiet"]) == 0
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_report_stops_when_a_report_file_was_edited(tmp_path, earlier_report, capsys):
    out = tmp_path / "report"
    shutil.copytree(earlier_report, out)
    with open(out / "summary.csv", "a", encoding="utf-8") as fh:
        fh.write("my note\n")
    before = digest(out)
    code, _, err = cli(capsys, "report", "--out", str(out), "--as-of", AS_OF, "--quiet")
    assert_one_line_error(code, err, str(out), "summary.csv", "edited", "another --out")
    assert digest(out) == before


def test_one_line_error_in_a_real_process(tmp_path):
    (tmp_path / "maps").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "areas", "map", "--out", str(tmp_path / "maps")],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
