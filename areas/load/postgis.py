"""Read a layer from PostgreSQL/PostGIS.

A layer is named by a connection URL ``postgresql://user@host:port/db`` and
either ``table = "schema.name"`` or ``sql = "SELECT ..."``. The password is
never part of the URL: libpq takes it from the environment (``PGPASSWORD``)
or the password file (``~/.pgpass``, or the file ``PGPASSFILE`` names).

The layer is read with :func:`geopandas.read_postgis` over SQLAlchemy and
psycopg 3 and returned as a GeoDataFrame shaped like one read from a file:
the geometry column is called ``geometry``, ``date`` and ``timestamp``
columns are ``datetime64``, and the CRS is the column's SRID. Connection
problems are :class:`DatabaseError` subclasses whose messages name the
server and the fix; a missing table is a
:class:`~areas.errors.MissingLayerError` listing the tables that exist.

Needs the ``postgis`` extra: ``pip install "areas[postgis]"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from areas.errors import (
    ConfigError,
    DatabaseAuthError,
    DatabaseConnectionError,
    DatabaseError,
    MissingLayerError,
    SchemaError,
)

__all__ = [
    "DatabaseError",
    "DatabaseConnectionError",
    "DatabaseAuthError",
    "PostgisSource",
    "parse_url",
    "engine",
    "connect",
    "read_postgis_layer",
]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
_CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True)
class PostgisSource:
    """Where a layer lives: the URL (without password) and the table or query."""

    url: str
    table: str | None = None
    sql: str | None = None

    def describe(self) -> str:
        """Return ``url table`` or ``url (query)`` for messages and provenance."""
        return f"{self.url} {self.table}" if self.table else f"{self.url} (query)"


def _require() -> Any:
    try:
        import sqlalchemy
    except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
        msg = 'reading PostGIS needs the postgis extra. Fix: pip install "areas[postgis]"'
        raise ConfigError(msg) from exc
    return sqlalchemy


def parse_url(url: str) -> Any:
    """Return the SQLAlchemy URL for ``url`` (driver psycopg), refusing a password in it.

    Examples
    --------
    >>> parse_url("postgresql://planner@db.example:5433/gis").render_as_string()
    'postgresql+psycopg://planner@db.example:5433/gis'
    >>> parse_url("postgresql://planner:secret@db/gis")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    areas.errors.ConfigError: the URL postgresql://planner:***@db/gis holds a password. Fix: ...
    """
    sqlalchemy = _require()
    try:
        parsed = sqlalchemy.engine.make_url(url)
    except Exception as exc:  # sqlalchemy.exc.ArgumentError
        msg = f"`{url}` is not a database URL. Fix: write postgresql://user@host:port/database"
        raise ConfigError(msg) from exc
    if parsed.get_backend_name() != "postgresql":
        msg = f"`{url}` is not a PostgreSQL URL. Fix: write postgresql://user@host:port/database"
        raise ConfigError(msg)
    if parsed.password is not None:
        shown = parsed.render_as_string(hide_password=True)
        msg = (
            f"the URL {shown} holds a password. Fix: remove it from the URL and set PGPASSWORD "
            "or add it to ~/.pgpass (host:port:database:user:password)"
        )
        raise ConfigError(msg.replace("postgresql+psycopg", "postgresql"))
    if not parsed.database:
        msg = f"`{url}` names no database. Fix: write postgresql://user@host:port/database"
        raise ConfigError(msg)
    return parsed.set(drivername="postgresql+psycopg")


def _plain(url: Any) -> str:
    return str(url.render_as_string(hide_password=True)).replace("postgresql+psycopg", "postgresql")


def engine(url: str) -> Any:
    """Return a SQLAlchemy engine for ``url`` (no pool: connections close after use)."""
    sqlalchemy = _require()
    parsed = parse_url(url)
    return sqlalchemy.create_engine(
        parsed,
        poolclass=sqlalchemy.pool.NullPool,
        connect_args={"connect_timeout": _CONNECT_TIMEOUT_S, "application_name": "areas"},
    )


def _connection_error(exc: BaseException, url: Any) -> DatabaseError:
    text = " ".join(
        line.strip() for line in str(getattr(exc, "orig", None) or exc).strip().splitlines()
    )
    text = text.removeprefix("connection failed: ").rstrip(".")
    where = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        msg = (
            f"the server at {where} refused user `{url.username}`: {text}. "
            "Fix: set PGPASSWORD or add a line host:port:database:user:password to ~/.pgpass "
            "(never the password in areas.toml)"
        )
        return DatabaseAuthError(msg, path=_plain(url))
    if "does not exist" in low and "database" in low:
        msg = f"database `{url.database}` does not exist on {where}. Fix: check the database name"
        return DatabaseConnectionError(msg, path=_plain(url))
    reason = text or type(exc).__name__
    msg = (
        f"cannot connect to PostgreSQL at {where}: {reason}. "
        "Fix: check the host, port and database, and that the server is running and reachable"
    )
    return DatabaseConnectionError(msg, path=_plain(url))


@contextmanager
def connect(url: str, *, transaction: bool = False) -> Iterator[Any]:
    """Open a connection (in one transaction with ``transaction=True``).

    Connection failures become :class:`DatabaseError` with the fix in the message.
    The transaction is committed when the block ends and rolled back when it raises.
    """
    sqlalchemy = _require()
    parsed = parse_url(url)
    eng = engine(url)
    try:
        try:
            conn = eng.connect()
        except sqlalchemy.exc.OperationalError as exc:
            raise _connection_error(exc, parsed) from None
        with conn:
            if transaction:
                with conn.begin():
                    yield conn
            else:
                yield conn
    finally:
        eng.dispose()


def _split_table(table: str, url: str) -> tuple[str, str]:
    parts = table.split(".")
    if len(parts) == 1:
        parts = ["public", parts[0]]
    if len(parts) != 2 or not all(_IDENT.match(p) for p in parts):
        msg = (
            f"`table = {table!r}` is not a table name. Fix: write schema.name with letters, "
            "digits and _ (or use `sql = ...` for anything else)"
        )
        raise ConfigError(msg, path=url)
    return parts[0], parts[1]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _geometry_tables(conn: Any) -> list[str]:
    from sqlalchemy import text

    rows = conn.execute(
        text(
            "SELECT f_table_schema, f_table_name FROM geometry_columns "
            "ORDER BY f_table_schema, f_table_name"
        )
    ).fetchall()
    return [f"{s}.{n}" for s, n in rows]


#: PostgreSQL types read as numbers.
_NUMERIC_TYPES = frozenset({"int2", "int4", "int8", "float4", "float8", "numeric"})


def _query_columns(conn: Any, query: str) -> list[tuple[str, str]]:
    """Return ``[(column, PostgreSQL type name)]`` of a query's result."""
    from sqlalchemy import text

    result = conn.execute(text(f"SELECT * FROM ({query}) AS areas_q LIMIT 0"))
    oids = [d[1] for d in result.cursor.description]
    names = [d[0] for d in result.cursor.description]
    types = dict(
        conn.execute(
            text("SELECT oid, typname FROM pg_type WHERE oid = ANY(:oids)"), {"oids": oids}
        ).fetchall()
    )
    return [(n, types.get(o, "")) for n, o in zip(names, oids, strict=True)]


def read_postgis_layer(
    url: str,
    *,
    table: str | None = None,
    sql: str | None = None,
    geometry: str | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer from PostGIS, shaped like a layer read from a file.

    Parameters
    ----------
    url : str
        ``postgresql://user@host:port/database``, without a password.
    table : str, optional
        ``schema.name`` (``name`` alone means schema ``public``).
    sql : str, optional
        A ``SELECT`` query instead of ``table``.
    geometry : str, optional
        The geometry column when the result has more than one.
    layer : str, optional
        The layer kind, for messages (``districts``).

    Returns
    -------
    geopandas.GeoDataFrame
        Attribute columns as in the database, geometry column ``geometry``,
        CRS from the SRID; ``.attrs["source"]`` holds the :class:`PostgisSource`.

    Raises
    ------
    ConfigError
        Neither or both of ``table`` and ``sql``, a password in the URL, a bad table name.
    MissingLayerError
        The table does not exist (the message lists the tables with geometry).
    SchemaError
        The query fails or returns no (or several, with none chosen) geometry columns.
    DatabaseError
        The server cannot be reached or refuses the login.
    """
    from sqlalchemy import exc as sa_exc

    if (table is None) == (sql is None):
        raise ConfigError("name either `table` or `sql` for a PostGIS layer", path=url, layer=layer)
    source = PostgisSource(url=url, table=table, sql=sql)
    schema, name = _split_table(table, url) if table is not None else ("", "")
    with connect(url) as conn:
        if table is not None:
            query = f"SELECT * FROM {_quote(schema)}.{_quote(name)}"
            exists = conn.exec_driver_sql(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = %s "
                "AND table_name = %s",
                (schema, name),
            ).fetchone()
            if exists is None:
                tables = _geometry_tables(conn)
                msg = (
                    f"table `{schema}.{name}` does not exist; tables with geometry: "
                    f"{', '.join(tables) if tables else 'none'}. Fix: name one of them in `table`"
                )
                raise MissingLayerError(msg, path=source.describe(), layer=layer)
        else:
            query = str(sql).strip().rstrip(";")
        try:
            columns = _query_columns(conn, query)
        except sa_exc.DBAPIError as exc:
            conn.rollback()
            detail = str(exc.orig).strip().splitlines()[0]
            msg = f"the query failed: {detail}. Fix: correct the `sql` (run it in psql to check)"
            raise SchemaError(msg, path=source.describe(), layer=layer) from None
        geoms = [n for n, t in columns if t == "geometry"]
        if geometry is not None:
            if geometry not in geoms:
                msg = (
                    f"`{geometry}` is not a geometry column; geometry columns: "
                    f"{', '.join(geoms) or 'none'}"
                )
                raise SchemaError(msg, path=source.describe(), layer=layer)
            geoms = [geometry]
        if len(geoms) != 1:
            msg = (
                "the result has no geometry column. Fix: select one (PostGIS type geometry)"
                if not geoms
                else f"the result has several geometry columns ({', '.join(geoms)}). "
                "Fix: name one with `geometry`"
            )
            raise SchemaError(msg, path=source.describe(), layer=layer)
        dates = [n for n, t in columns if t in ("date", "timestamp", "timestamptz")]
        frame = gpd.read_postgis(query, conn, geom_col=geoms[0], parse_dates=dates or None)
    others = [n for n, t in columns if t == "geometry" and n != geoms[0]]
    frame = frame.drop(columns=others)
    if frame.geometry.name != "geometry" and "geometry" not in frame.columns:
        frame = frame.rename_geometry("geometry")
    for name in dates:  # as pyogrio reads a file's dates: naive, millisecond resolution
        if name not in frame.columns:
            continue
        if getattr(frame[name].dt, "tz", None) is not None:
            frame[name] = frame[name].dt.tz_convert("UTC").dt.tz_localize(None)
        frame[name] = frame[name].astype("datetime64[ms]")
    for name, kind in columns:  # a numeric column of nulls only: numbers, as pyogrio reads it
        if kind in _NUMERIC_TYPES and name in frame.columns and frame[name].dtype == object:
            if frame[name].isna().all():
                frame[name] = frame[name].astype("float64")
    frame.attrs["source"] = source
    return frame
