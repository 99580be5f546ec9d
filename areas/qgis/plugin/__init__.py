"""The QGIS plugin's files and the zip QGIS installs (*Plugins ▸ Install from ZIP*)."""

from __future__ import annotations

import zipfile
from importlib.resources import files
from os import PathLike
from pathlib import Path

from areas._atomic import atomic_path
from areas.constants import VERSION

__all__ = ["plugin_files", "write_zip"]


def plugin_files(version: str = VERSION) -> dict[str, str]:
    """Return the plugin's files: ``{name inside the plugin folder: text}``."""
    here = files(__name__)
    return {
        "__init__.py": here.joinpath("plugin_init.py.in").read_text(encoding="utf-8"),
        "metadata.txt": here.joinpath("metadata.txt.in")
        .read_text(encoding="utf-8")
        .replace("{version}", version),
    }


def write_zip(path: str | PathLike) -> Path:
    """Write the plugin zip (folder ``areas_processing/``) atomically; return its path."""
    from areas.qgis import PLUGIN_NAME

    path = Path(path)
    with atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in plugin_files().items():
                zf.writestr(f"{PLUGIN_NAME}/{name}", text)
    return path
