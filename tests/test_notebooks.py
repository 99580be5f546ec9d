"""The planner notebooks run from top to bottom on the bundled layers, offline.

Each notebook is executed with nbclient in a ``python3`` kernel, with the
notebook's own folder as the working directory, as a planner would run it.
The notebooks are kept without outputs in the repository.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_notebooks_are_numbered_and_present():
    names = [p.stem for p in NOTEBOOKS]
    assert names == [
        "01_quickstart",
        "02_bid_coverage",
        "03_rewilding",
        "04_transit_access",
        "05_your_own_data",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: clear the outputs"
            )
    assert book.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    book = nbformat.read(path, as_version=4)
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the notebooks' temporary folders
    client = NotebookClient(
        book,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError with the failing cell and traceback
    errors = [
        out
        for cell in book.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.get("output_type") == "error"
    ]
    assert errors == []
    last = book.cells[-1]
    assert last.cell_type == "code"
    # a notebook that ran produced output somewhere (tables, maps or prints)
    assert any(cell.outputs for cell in book.cells if cell.cell_type == "code")
