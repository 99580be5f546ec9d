"""Write result layers to a PostgreSQL/PostGIS schema, all in one transaction.

:func:`write_postgis` creates the schema when needed and writes every layer
as a table (replacing a table of the same name) with
:meth:`geopandas.GeoDataFrame.to_postgis` inside one transaction: when any
layer fails, nothing is written and the schema is as it was. The password
comes from ``PGPASSWORD`` or ``~/.pgpass``, never from the URL.

Needs the ``postgis`` extra: ``pip install "areas[postgis]"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from areas.errors import OutputError
from areas.load.postgis import connect

__all__ = ["write_postgis"]

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _prepare(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy whose object columns hold only text, numbers, booleans or nulls."""
    out = frame.copy()
    geom = out.geometry.name
    for name in out.columns:
        if name == geom or out[name].dtype != object:
            continue
        out[name] = [
            v if v is None or isinstance(v, (str, int, float, bool)) else str(v)
            for v in out[name].where(out[name].notna(), None)
        ]
    return out


def write_postgis(
    layers: Mapping[str, gpd.GeoDataFrame],
    url: str,
    schema: str,
    *,
    crs: str | None = "EPSG:25832",
) -> dict[str, int]:
    """Write layers as tables of ``schema``, in one transaction.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Table name (lower-case letters, digits, ``_``) -> layer.
    url : str
        ``postgresql://user@host:port/database`` (no password in it).
    schema : str
        The schema (created when it does not exist).
    crs : str or None, default "EPSG:25832"
        The CRS every layer must have (None: any).

    Returns
    -------
    dict
        Table name -> rows written (counted back in the same transaction).

    Raises
    ------
    OutputError
        A bad schema or table name, a layer in another CRS, or a write that
        failed (then nothing is written).
    DatabaseError
        The server cannot be reached or refuses the login.
    """
    import psycopg
    from pyproj import CRS
    from sqlalchemy import exc as sa_exc
    from sqlalchemy import text

    where = f"{url} schema {schema}"
    for name in (schema, *layers):
        if not _IDENT.match(name):
            msg = (
                f"`{name}` is not a valid schema or table name. "
                "Fix: use lower-case ASCII letters, digits and _ (at most 63)"
            )
            raise OutputError(msg, path=where)
    if crs is not None:
        want = CRS.from_user_input(crs)
        for name, frame in layers.items():
            if frame.crs is None or CRS.from_user_input(frame.crs) != want:
                msg = f"layer `{name}` must be in {crs} to be written, got {frame.crs}"
                raise OutputError(msg, path=where)
    counts: dict[str, int] = {}
    current = None
    try:
        with connect(url, transaction=True) as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            for name, frame in layers.items():
                current = name
                _prepare(frame).to_postgis(
                    name, conn, schema=schema, if_exists="replace", index=False
                )
                counts[name] = int(
                    conn.execute(text(f'SELECT count(*) FROM "{schema}"."{name}"')).scalar_one()
                )
                if counts[name] != len(frame):
                    msg = f"table `{name}`: wrote {len(frame)} rows, counted {counts[name]}"
                    raise OutputError(msg, path=where)
    except (
        sa_exc.DBAPIError,
        psycopg.Error,
        pd.errors.DatabaseError,
        ValueError,
        TypeError,
    ) as exc:
        if isinstance(exc, OutputError):
            raise
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        msg = (
            f"writing table `{current}` failed: {detail}. Nothing was written "
            "(the transaction was rolled back)"
        )
        raise OutputError(msg, path=where) from None
    return counts
