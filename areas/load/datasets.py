"""The bundled layers: Albertslund and Hvidovre business districts.

Examples
--------
>>> from areas import datasets
>>> "companies" in datasets.available()
True
>>> datasets.get_path("stops").name
'stops.geojson'
"""

from __future__ import annotations

from pathlib import Path

from areas.errors import MissingLayerError
from areas.schema import KIND_NAMES

__all__ = [
    "bundled_dir",
    "available",
    "get_path",
    "service_table_path",
    "GTFS_FILE",
    "SERVICE_FILE",
]

#: Name of a GTFS feed in a folder source.
GTFS_FILE = "gtfs.zip"
#: Name of a service table in a folder source (and of the bundled one).
SERVICE_FILE = "service.csv"


def bundled_dir() -> Path:
    """Return the folder holding the bundled layers.

    In an installed wheel the layers travel inside the package
    (``areas/_bundled_layers``); in a source checkout they are the top-level
    ``layers/`` folder.
    """
    here = Path(__file__).resolve().parent.parent  # the `areas` package folder
    for candidate in (here / "_bundled_layers", here.parent / "layers"):
        if (candidate / "districts.geojson").exists():
            return candidate
    msg = (
        f"the bundled layers are missing (looked in {here / '_bundled_layers'} and "
        f"{here.parent / 'layers'}); reinstall the package with `pip install areas`"
    )
    raise MissingLayerError(msg)


def available() -> tuple[str, ...]:
    """Return the names of the bundled layers (the layer kinds with a bundled file)."""
    folder = bundled_dir()
    return tuple(k for k in KIND_NAMES if _find(folder, k) is not None)


def _find(folder: Path, name: str) -> Path | None:
    for suffix in (".geojson", ".gpkg"):
        if (folder / f"{name}{suffix}").exists():
            return folder / f"{name}{suffix}"
    return None


def get_path(name: str) -> Path:
    """Return the path of a bundled layer file.

    Parameters
    ----------
    name : str
        One of :func:`available`.
    """
    path = _find(bundled_dir(), name) if name in KIND_NAMES else None
    if path is None:
        msg = f"no bundled layer `{name}`; available: {', '.join(available())}"
        raise MissingLayerError(msg)
    return path


def service_table_path() -> Path | None:
    """Return the bundled service table (Hovedstadens Letbane headways), or None if absent.

    The file is :data:`SERVICE_FILE` in :func:`bundled_dir`.
    """
    path = bundled_dir() / SERVICE_FILE
    return path if path.is_file() else None
