"""Atomic output: the target is either the old file or the complete new one."""

from __future__ import annotations

import pytest

from areas._atomic import TMP_PREFIX, atomic_path, write_text
from areas.errors import OutputError


def test_write_text_replaces_the_target(tmp_path):
    target = tmp_path / "out" / "kort.html"
    write_text(target, "første")
    write_text(target, "anden")
    assert target.read_text(encoding="utf-8") == "anden"
    assert [p.name for p in target.parent.iterdir()] == ["kort.html"]


def test_failure_inside_the_block_keeps_the_old_file(tmp_path):
    target = tmp_path / "summary.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half a fi")
        raise RuntimeError("writer crashed")
    assert target.read_text() == "old"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TMP_PREFIX)]


def test_failed_check_keeps_the_old_file(tmp_path):
    target = tmp_path / "summary.csv"
    target.write_text("old")

    def check(path):
        if path.read_text() == "":
            raise OutputError("empty output", path=path)

    with pytest.raises(OutputError, match="empty output"), atomic_path(target, check=check) as tmp:
        tmp.write_text("")
    assert target.read_text() == "old"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TMP_PREFIX)]


def test_a_writer_that_writes_nothing_is_an_error(tmp_path):
    target = tmp_path / "x.gpkg"
    with pytest.raises(OutputError, match="no file"), atomic_path(target):
        pass
    assert not target.exists()
