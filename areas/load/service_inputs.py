"""Attach the service inputs (a GTFS feed, a service table) to an :class:`~areas.atlas.Atlas`.

:func:`areas.load` finds them as :mod:`areas.load.plan` says (``[gtfs]`` and
``[service]`` in an areas.toml, ``gtfs.zip`` and ``service.csv`` in a folder
source, the bundled service table with the bundled layers) or takes them as
arguments (``gtfs=``, ``service_table=``; the command line's ``--gtfs`` and
``--service-table``), reads and checks them (:func:`areas.load.gtfs.read_gtfs`,
:func:`areas.load.service_table.read_service_table`, which resolves the
table's stops against the atlas's stops layer) and records their provenance
in ``atlas.service_sources``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from areas.atlas import Atlas
from areas.load.gtfs import GtfsFeed, read_gtfs
from areas.load.service_table import read_service_table

__all__ = ["attach_service"]


def _sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def attach_service(
    atlas: Atlas,
    gtfs: str | os.PathLike | GtfsFeed | None = None,
    service_table: str | os.PathLike | None = None,
) -> Atlas:
    """Return ``atlas`` with the GTFS feed and service table read, checked and recorded.

    Parameters
    ----------
    atlas : Atlas
    gtfs : path or GtfsFeed, optional
        A GTFS ``.zip`` or folder, or a feed already read.
    service_table : path, optional
        A service table CSV (:mod:`areas.load.service_table`).

    Returns
    -------
    Atlas
        A copy with ``service``, ``service_table`` and ``service_sources`` set
        (unchanged when neither is given).
    """
    if gtfs is None and service_table is None:
        return atlas
    changes: dict[str, Any] = {}
    sources = dict(atlas.service_sources)
    if gtfs is not None:
        feed = gtfs if isinstance(gtfs, GtfsFeed) else read_gtfs(Path(gtfs))
        changes["service"] = feed
        sources["gtfs"] = {
            "path": feed.path,
            "sha256": feed.sha256,
            "period": [feed.period[0].isoformat(), feed.period[1].isoformat()],
            "notes": list(feed.notes),
        }
    if service_table is not None:
        path = Path(service_table)
        table = read_service_table(path, stops=atlas.stops)
        changes["service_table"] = table
        sources["service"] = {
            "path": str(path),
            "sha256": _sha256(path),
            "rows": len(table),
            "lines": sorted(set(table["line"])),
        }
    changes["service_sources"] = sources
    return replace(atlas, **changes)
