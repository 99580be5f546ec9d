"""QGIS integration: a Processing provider and a QGIS plugin around it.

:func:`provider` returns the ``QgsProcessingProvider`` with id ``areas`` and
the algorithms ``areas:summary``, ``areas:report`` and ``areas:fingerplan``
(see :mod:`areas.qgis.algorithms`). Inside a QGIS Python session::

    from qgis.core import QgsApplication
    import areas.qgis
    QgsApplication.processingRegistry().addProvider(areas.qgis.provider())

The plugin (:func:`write_plugin_zip`, or ``python -m areas.qgis zip``) does
that when QGIS starts; it needs this toolkit installed in QGIS's Python.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

__all__ = ["provider", "write_plugin_zip", "PROVIDER_ID", "PLUGIN_NAME"]

#: Id of the Processing provider: algorithms are ``areas:<name>``.
PROVIDER_ID = "areas"
#: Folder name of the QGIS plugin inside its zip.
PLUGIN_NAME = "areas_processing"


def provider() -> Any:
    """Return a new ``QgsProcessingProvider`` with the toolkit's algorithms.

    Raises
    ------
    ImportError
        Outside a Python that can import QGIS (``qgis.core``).
    """
    from areas.qgis._provider import AreasProvider

    return AreasProvider()


def write_plugin_zip(path: str | PathLike = f"{PLUGIN_NAME}.zip") -> Path:
    """Write the QGIS plugin as a zip for *Plugins ▸ Install from ZIP*.

    Examples
    --------
    >>> import pathlib, tempfile, zipfile
    >>> out = write_plugin_zip(pathlib.Path(tempfile.mkdtemp()) / "p.zip")
    >>> sorted(zipfile.ZipFile(out).namelist())
    ['areas_processing/__init__.py', 'areas_processing/metadata.txt']
    """
    from areas.qgis.plugin import write_zip

    return write_zip(path)
