"""Format readers: GeoPackage, GeoJSON, Shapefile (with pyogrio) and CSV (with pandas).

Each reader checks the file before and after reading so that a damaged file
is an error and never a shorter layer:

- GeoPackage: the SQLite header, the page count against the file size and
  ``PRAGMA quick_check``; then the feature count of the layer against the rows
  returned.
- GeoJSON: that the text is JSON (not an HTML page saved under a ``.geojson``
  name) and not cut off; then the feature count against the rows returned.
- Shapefile: that ``.shx`` and ``.dbf`` exist; the ``.shp`` and ``.shx`` sizes
  against their headers; the ``.shx`` record count against the ``.dbf`` record
  count and the ``.dbf`` size; then the rows returned. The text encoding is
  decided here (``.cpg``, the ``.dbf`` language driver byte, a strict UTF-8
  trial, a Danish-letter test between cp1252 and cp865), never left to chance.
- CSV: encoding (strict UTF-8, else cp1252 with a warning), separator
  (``;``, tab, ``,`` or ``|`` from the header line), duplicate column names
  and the number of fields on every line.

Readers return a :class:`RawLayer`; the layer schema is applied by
:mod:`areas.load.pipeline`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import sqlite3
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely

from areas.errors import (
    AmbiguousLayerError,
    ConfigError,
    DamagedFileError,
    EncodingError,
    LayerError,
    MissingLayerError,
    SchemaError,
    format_ids,
)

__all__ = [
    "FORMATS",
    "RawLayer",
    "detect_format",
    "file_sha256",
    "list_layer_names",
    "resolve_layer",
    "read_raw",
    "find_mojibake",
]

#: File suffix -> format name.
FORMATS = {
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "geojson",
    ".shp": "shp",
    ".csv": "csv",
    ".fgb": "fgb",
    ".osm": "osm",
    ".pbf": "osm",
}


def layer_stem(path: Path) -> str:
    """Return the file name without its format suffix, lower case (``network.osm.pbf``: network)."""
    name = path.name.lower()
    for suffix in (".osm.pbf", ".osm"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem


#: Coordinate column pairs recognised in a CSV (case-insensitive), with the CRS they imply.
CSV_XY_COLUMNS = (
    ("lon", "lat", "EPSG:4326"),
    ("longitude", "latitude", "EPSG:4326"),
    ("lng", "lat", "EPSG:4326"),
    ("x", "y", None),
    ("easting", "northing", None),
)

#: dBASE language driver id (byte 29 of a ``.dbf``) -> Python codec.
DBF_LDID = {
    0x01: "cp437",
    0x02: "cp850",
    0x03: "cp1252",
    0x08: "cp865",
    0x09: "cp437",
    0x0A: "cp850",
    0x0B: "cp437",
    0x0D: "cp437",
    0x0E: "cp850",
    0x0F: "cp437",
    0x10: "cp850",
    0x11: "cp437",
    0x12: "cp850",
    0x14: "cp850",
    0x15: "cp437",
    0x16: "cp850",
    0x17: "cp865",
    0x18: "cp437",
    0x19: "cp437",
    0x1A: "cp850",
    0x1B: "cp437",
    0x1C: "cp863",
    0x1D: "cp850",
    0x1F: "cp852",
    0x22: "cp852",
    0x23: "cp852",
    0x24: "cp860",
    0x25: "cp850",
    0x26: "cp866",
    0x37: "cp850",
    0x40: "cp852",
    0x57: "cp1252",
    0x58: "cp1252",
    0x59: "cp1252",
    0x64: "cp852",
    0x65: "cp866",
    0x66: "cp865",
    0x67: "cp861",
    0x6A: "cp737",
    0x6B: "cp857",
    0x7D: "cp1255",
    0x7E: "cp1256",
    0xC8: "cp1250",
    0xC9: "cp1251",
    0xCA: "cp1254",
    0xCB: "cp1253",
}

_DANISH_LETTERS = set("æøåÆØÅ")


def _continuation_chars() -> str:
    raw = bytes(range(0x80, 0xC0))
    chars = set(raw.decode("latin-1")) | set(raw.decode("cp1252", errors="ignore"))
    return "".join(sorted(chars))


#: UTF-8 text decoded as cp1252/latin-1: "Ã¦" for "æ", "â€“" for "–".
MOJIBAKE = re.compile("[ÃÂ][" + re.escape(_continuation_chars()) + "]|â€")


@dataclass
class RawLayer:
    """A layer as read from a file, before the schema is applied.

    Attributes
    ----------
    frame : pandas.DataFrame
        The attribute columns (source names).
    geometry : geopandas.GeoSeries or None
        Geometries (``None`` for a CSV, whose coordinates are in ``xy``).
    crs : pyproj.CRS or None
        The CRS the file declares (for a CSV: none).
    xy : tuple of (str, str) or None
        CSV coordinate column names in ``frame``.
    xy_crs : str or None
        CRS implied by the CSV coordinate column names (lon/lat -> EPSG:4326).
    unreadable : numpy.ndarray of bool or None
        Rows whose geometry is in the file but could not be decoded.
    ring_closed : numpy.ndarray of bool or None
        Rows whose polygon ring was not closed and was closed on reading.
    """

    path: Path | str
    fmt: str
    layer: str | None
    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None
    crs: object
    encoding: str | None
    sha256: str | None
    xy: tuple[str, str] | None = None
    xy_crs: str | None = None
    unreadable: np.ndarray | None = None
    ring_closed: np.ndarray | None = None
    decimal: str | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (message, fix) warnings
    #: The decimal mark numbers written as text are read in ("," or "."; None: unknown),
    #: and what it was told from (for messages); see :mod:`areas.load.values`.
    number_mark: str | None = None
    number_dialect: str = "no stated decimal mark"

    def __len__(self) -> int:
        return len(self.frame)


# --------------------------------------------------------------------------- utilities


def detect_format(path: Path) -> str:
    """Return the format name of ``path`` from its suffix.

    Raises
    ------
    DamagedFileError
        When the suffix is not one of :data:`FORMATS`.
    """
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        msg = (
            f"cannot read files ending in `{path.suffix or '(no suffix)'}`; "
            f"use one of {', '.join(sorted(FORMATS))}"
        )
        raise DamagedFileError(msg, path=path)
    return fmt


def file_sha256(path: Path) -> str:
    """Return the SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sidecar(path: Path, suffix: str) -> Path | None:
    """Return the sibling of ``path`` with ``suffix`` (any case), or None."""
    for cand in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if cand.exists():
            return cand
    stem = path.stem.lower()
    for cand in path.parent.glob(f"{path.stem}.*"):
        if cand.stem.lower() == stem and cand.suffix.lower() == suffix:
            return cand
    return None


def _pyogrio_call(path: Path, func, *args, **kwargs):
    """Call a pyogrio function; GDAL failures become DamagedFileError, warnings are kept."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = func(*args, **kwargs)
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - every GDAL/shapely failure means a bad file
            gdal = "; ".join(str(w.message) for w in caught)
            detail = f"{exc}" + (f" (GDAL: {gdal})" if gdal else "")
            msg = (
                f"cannot be read: {detail}. Fix: the file is damaged or not in the format its "
                "name says; export or download it again"
            )
            raise DamagedFileError(msg, path=path) from exc
    return result, [str(w.message) for w in caught]


def list_layer_names(path: Path) -> list[str]:
    """Return the layer names in a vector file (one for single-layer formats)."""
    fmt = detect_format(path)
    if fmt == "csv":
        return [path.stem]
    _check_file(path, fmt)
    layers, _ = _pyogrio_call(path, pyogrio.list_layers, path)
    return [str(name) for name in layers[:, 0]]


def resolve_layer(path: Path, kind: str, layer: str | None) -> str | None:
    """Return the layer to read from ``path`` for ``kind``.

    A named layer must exist. Without a name: the only layer, else the layer
    named after the kind, else :class:`AmbiguousLayerError`.
    """
    fmt = detect_format(path)
    if fmt == "csv":
        return None
    names = list_layer_names(path)
    if layer is not None:
        if layer in names:
            return layer
        lowered = {n.lower(): n for n in names}
        if layer.lower() in lowered:
            return lowered[layer.lower()]
        msg = (
            f"has no layer `{layer}`; it holds {format_ids(names)}. "
            "Fix: name one of these layers (`layer=` or `layer` in areas.toml)"
        )
        raise MissingLayerError(msg, path=path, layer=kind)
    if len(names) == 1:
        return names[0] if fmt == "gpkg" else None
    for name in names:
        if name.lower() == kind:
            return name
    if not names:
        msg = "holds no layers. Fix: export the layer again"
        raise DamagedFileError(msg, path=path)
    msg = (
        f"holds {len(names)} layers ({format_ids(names)}) and none is named `{kind}`. "
        f"Fix: name the layer to use (`layer=` or `layer` in an areas.toml [{kind}] table)"
    )
    raise AmbiguousLayerError(msg, path=path, layer=kind)


# --------------------------------------------------------------------------- file checks


def _check_file(path: Path, fmt: str) -> None:
    if path.is_symlink() and not path.exists():
        msg = (
            f"is a link to {path.readlink()}, which does not exist. Fix: point the link at "
            "the file, or put the file itself here"
        )
        raise MissingLayerError(msg, path=path)
    if not path.exists():
        msg = (
            "does not exist. Fix: check the path (relative paths in areas.toml start at its folder)"
        )
        raise MissingLayerError(msg, path=path)
    if path.is_dir():
        msg = (
            "is a folder, not a file. Fix: rename the folder, or name the file inside it "
            '(in an areas.toml: path = "folder/file")'
        )
        raise DamagedFileError(msg, path=path)
    if not path.is_file():
        msg = "is not a regular file (a pipe, socket or device). Fix: copy the layer into a file"
        raise DamagedFileError(msg, path=path)
    if path.stat().st_size == 0:
        msg = "is empty (0 bytes). Fix: export or download it again"
        raise DamagedFileError(msg, path=path)
    if fmt == "gpkg":
        _check_sqlite(path)
    elif fmt == "geojson":
        _check_geojson(path)


def _looks_like_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<") or b"<html" in text or b"<!doctype" in text


def _check_geojson(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 256))
        tail = fh.read()
    if _looks_like_html(head):
        msg = (
            "is an HTML page, not GeoJSON (a web page or a server error page saved under a "
            "`.geojson` name). Fix: download the data again and check that the file starts with `{`"
        )
        raise DamagedFileError(msg, path=path)
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        msg = "is not GeoJSON: it does not start with `{`. Fix: export it again as GeoJSON"
        raise DamagedFileError(msg, path=path)
    if not tail.rstrip(b" \t\r\n\x00").endswith(b"}"):
        msg = "is cut off: the GeoJSON text does not end with `}`. Fix: download or export it again"
        raise DamagedFileError(msg, path=path)


def _check_geojson_count(path: Path, rows: int, layer: str) -> None:
    """Compare the rows GDAL returned with the Feature objects in the text.

    GDAL skips a feature object it cannot recognise (say, one whose ``"type"``
    key is damaged) without a word. Counting ``"Feature"`` strings is a cheap
    first check; only when it disagrees is the file parsed to count exactly
    (a property whose value is "Feature" makes the cheap count too high).
    """
    data = path.read_bytes()
    if data.count(b'"Feature"') == rows:
        return
    try:
        obj = json.loads(data)
    except ValueError as exc:
        msg = f"is not valid JSON ({exc}). Fix: download or export it again"
        raise DamagedFileError(msg, path=path, layer=layer) from exc
    features = obj.get("features") if isinstance(obj, dict) else None
    if isinstance(features, list) and len(features) != rows:
        msg = (
            f"holds {len(features):,} feature objects but only {rows:,} could be read; some "
            "are malformed (a damaged `type`, `geometry` or `properties` member). "
            "Fix: download or export the file again"
        )
        raise DamagedFileError(msg, path=path, layer=layer)


def _check_sqlite(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(100)
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        kind = "an HTML page" if _looks_like_html(head) else "not a GeoPackage (SQLite) file"
        msg = f"is {kind}. Fix: export or download the GeoPackage again"
        raise DamagedFileError(msg, path=path)
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    n_pages = int.from_bytes(head[28:32], "big")
    change_counter = int.from_bytes(head[24:28], "big")
    valid_for = int.from_bytes(head[92:96], "big")
    wal = _sidecar(path, ".gpkg-wal")
    if page_size < 512 or page_size & (page_size - 1):
        msg = "has a damaged header (impossible page size). Fix: export the GeoPackage again"
        raise DamagedFileError(msg, path=path)
    if n_pages and change_counter == valid_for and wal is None and size < n_pages * page_size:
        msg = (
            f"is truncated: its header says {n_pages * page_size:,} bytes, the file has "
            f"{size:,}. Fix: copy or download the GeoPackage again"
        )
        raise DamagedFileError(msg, path=path)
    if size % page_size and wal is None:
        msg = (
            f"is truncated or padded: {size:,} bytes is not a whole number of "
            f"{page_size}-byte pages. Fix: copy or download the GeoPackage again"
        )
        raise DamagedFileError(msg, path=path)
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    try:
        con = sqlite3.connect(uri, uri=True)
        con.text_factory = lambda raw: raw.decode("utf-8", errors="replace")
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except (sqlite3.Error, UnicodeDecodeError) as exc:  # garbled schema text fails to decode
        msg = f"is damaged: SQLite cannot read it ({exc}). Fix: copy or export the GeoPackage again"
        raise DamagedFileError(msg, path=path) from exc
    if rows != [("ok",)]:
        detail = "; ".join(str(r[0]) for r in rows[:3])
        msg = (
            f"is damaged: SQLite integrity check failed ({detail}). "
            "Fix: export the GeoPackage again"
        )
        raise DamagedFileError(msg, path=path)


@dataclass
class _ShapefileInfo:
    records: int
    deleted: int
    text: bytes  # raw bytes of the character fields
    cpg: str | None
    cpg_raw: str | None
    ldid: int


def _check_shapefile(path: Path) -> _ShapefileInfo:
    shp_size = path.stat().st_size
    shx = _sidecar(path, ".shx")
    dbf = _sidecar(path, ".dbf")
    if shx is None or dbf is None:
        missing = [s for s, p in ((".shx", shx), (".dbf", dbf)) if p is None]
        msg = (
            f"has no {' and no '.join(missing)} beside it; a Shapefile is several files "
            "(.shp, .shx, .dbf, .prj, .cpg). Fix: copy all of them into the same folder"
        )
        raise DamagedFileError(msg, path=path)
    with open(path, "rb") as fh:
        head = fh.read(100)
    if len(head) < 100 or int.from_bytes(head[0:4], "big") != 9994:
        msg = "is not a Shapefile (bad .shp header). Fix: copy or export it again"
        raise DamagedFileError(msg, path=path)
    declared = int.from_bytes(head[24:28], "big") * 2
    if declared != shp_size:
        msg = (
            f"is truncated or damaged: the .shp header says {declared:,} bytes, the file has "
            f"{shp_size:,}. Fix: copy or export the Shapefile again"
        )
        raise DamagedFileError(msg, path=path)
    shx_bytes = shx.read_bytes()
    shx_declared = int.from_bytes(shx_bytes[24:28], "big") * 2 if len(shx_bytes) >= 100 else -1
    if len(shx_bytes) < 100 or shx_declared != len(shx_bytes) or (len(shx_bytes) - 100) % 8:
        msg = (
            f"has a truncated or damaged index {shx.name} ({len(shx_bytes):,} bytes, header says "
            f"{max(shx_declared, 0):,}). Fix: copy or export the Shapefile again"
        )
        raise DamagedFileError(msg, path=path)
    n_shx = (len(shx_bytes) - 100) // 8
    if n_shx:
        index = np.frombuffer(shx_bytes, dtype=">i4", offset=100).reshape(n_shx, 2).astype(np.int64)
        ends = index[:, 0] * 2 + 8 + index[:, 1] * 2
        beyond = np.flatnonzero(ends > shp_size)
        if beyond.size:
            msg = (
                f"is truncated: {beyond.size} of {n_shx} shapes listed in {shx.name} lie beyond "
                f"the end of the .shp (features #{format_ids(beyond + 1)}). "
                "Fix: copy or export the Shapefile again"
            )
            raise DamagedFileError(msg, path=path)
    dbf_size = dbf.stat().st_size
    with open(dbf, "rb") as fh:
        dhead = fh.read(32)
        if len(dhead) < 32:
            msg = f"has a damaged attribute table {dbf.name} (too short). Fix: copy it again"
            raise DamagedFileError(msg, path=path)
        n_dbf = int.from_bytes(dhead[4:8], "little")
        header_len = int.from_bytes(dhead[8:10], "little")
        record_len = int.from_bytes(dhead[10:12], "little")
        ldid = dhead[29]
        descriptors = fh.read(max(0, header_len - 32))
    expected = header_len + n_dbf * record_len
    if dbf_size < expected:
        have = max(0, (dbf_size - header_len) // max(record_len, 1))
        msg = (
            f"has a truncated attribute table: {dbf.name} says {n_dbf:,} records but holds "
            f"{have:,}. Fix: copy or export the Shapefile again"
        )
        raise DamagedFileError(msg, path=path)
    if n_dbf != n_shx:
        msg = (
            f"is inconsistent: {shx.name} indexes {n_shx:,} shapes but {dbf.name} holds "
            f"{n_dbf:,} records, so geometries and attributes cannot be matched. "
            "Fix: copy or export the Shapefile again (all of .shp, .shx and .dbf together)"
        )
        raise DamagedFileError(msg, path=path)
    # character fields (type 'C') for the encoding check; the deletion flags
    fields = []
    offset = 1
    for i in range(0, len(descriptors) - 31, 32):
        desc = descriptors[i : i + 32]
        if desc[0] == 0x0D:
            break
        length = desc[16]
        if desc[11:12] in (b"C", b"c"):
            fields.append((offset, length))
        offset += length
    deleted = 0
    text = b""
    if n_dbf and record_len:
        with open(dbf, "rb") as fh:
            fh.seek(header_len)
            data = fh.read(n_dbf * record_len)
        records = np.frombuffer(data, dtype=np.uint8).reshape(n_dbf, record_len)
        deleted = int(np.count_nonzero(records[:, 0] == 0x2A))
        if fields:
            text = b"\n".join(
                records[:, a : a + n].tobytes() for a, n in fields if a + n <= record_len
            )
    cpg_path = _sidecar(path, ".cpg")
    cpg_raw = cpg = None
    if cpg_path is not None:
        cpg_raw = cpg_path.read_text("ascii", errors="replace").strip()
        cpg = _codec_from_cpg(cpg_raw)
    return _ShapefileInfo(n_dbf, deleted, text, cpg, cpg_raw, ldid)


def _codec_from_cpg(value: str) -> str | None:
    text = value.strip().upper().replace(" ", "")
    if not text:
        return None
    candidates = [text]
    if text.isdigit():
        candidates = [f"cp{text}"]
        if text.startswith("8859"):
            candidates = [f"iso8859-{text[4:]}"]
    elif text.startswith("ANSI") and text[4:].isdigit():
        candidates = [f"cp{text[4:]}"]
    elif text.startswith("OEM") and text[3:].isdigit():
        candidates = [f"cp{text[3:]}"]
    elif text.startswith("ISO88591") or text == "LATIN1":
        candidates = ["latin-1"]
    for cand in candidates:
        try:
            return codecs.lookup(cand).name
        except LookupError:
            continue
    return None


def _danish_score(text: str) -> int:
    return sum(text.count(ch) for ch in _DANISH_LETTERS)


def _state_encoding(codec: str, kind: str) -> str:
    """Return how to state an encoding, in Python and on the command line."""
    return (
        f'state `encoding="{codec}"` (command line: encoding = "{codec}" in the [{kind}] '
        "table of an areas.toml)"
    )


def _choose_dbf_encoding(path: Path, info: _ShapefileInfo, encoding: str | None, kind: str):
    """Return (codec, notes) for the .dbf text; raise EncodingError when it cannot be right."""
    notes: list[tuple[str, str]] = []
    data = info.text
    if encoding is not None:
        try:
            data.decode(encoding)
        except UnicodeDecodeError as exc:
            guess = _likely_encoding(data)
            msg = (
                f"text is not valid {encoding} (as stated) at byte {exc.start} of the "
                f"text fields; it looks like {guess}. Fix: {_state_encoding(guess, kind)} instead"
            )
            raise EncodingError(msg, path=path) from exc
        return encoding, notes
    if data.isascii():
        return info.cpg or "utf-8", notes
    utf8_ok = True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        utf8_ok = False
    if info.cpg is not None:
        codec = info.cpg
        if codecs.lookup(codec).name == "utf-8":
            if not utf8_ok:
                guess = _guess_single_byte(data)
                msg = (
                    f"the .cpg says {info.cpg_raw} but the text is not UTF-8; it looks like "
                    f"{guess}. Fix: write {guess.upper()} into the .cpg file, or "
                    f"{_state_encoding(guess, kind)}"
                )
                raise EncodingError(msg, path=path)
            return "utf-8", notes
        if utf8_ok:
            msg = (
                f"the .cpg says {info.cpg_raw} but the text is UTF-8 (reading it as {codec} would "
                "turn æ into Ã¦). Fix: write UTF-8 into the .cpg file, or "
                f"{_state_encoding('utf-8', kind)}"
            )
            raise EncodingError(msg, path=path)
        try:
            decoded = data.decode(codec)
        except UnicodeDecodeError as exc:
            guess = _guess_single_byte(data)
            msg = (
                f"the .cpg says {info.cpg_raw} but the text cannot be {codec}; it looks like "
                f"{guess}. Fix: correct the .cpg file (write {guess.upper()} into it), or "
                f"{_state_encoding(guess, kind)}"
            )
            raise EncodingError(msg, path=path) from exc
        other = _guess_single_byte(data)
        if other != codec and _danish_score(decoded) == 0 and _danish_score(data.decode(other)) > 0:
            msg = (
                f"the .cpg says {info.cpg_raw} but the text reads as Danish only in {other} "
                f"(æ, ø, å). Fix: write {other.upper()} into the .cpg file, or "
                f"{_state_encoding(other, kind)}"
            )
            raise EncodingError(msg, path=path)
        return codec, notes
    if utf8_ok:
        return "utf-8", notes
    declared = DBF_LDID.get(info.ldid)
    if declared is not None and info.ldid != 0x57:
        try:
            data.decode(declared)
            return declared, notes
        except UnicodeDecodeError:
            pass
    guess = _guess_single_byte(data)
    notes.append(
        (
            f"has no .cpg file and its text is not UTF-8; it was read as {guess}, the encoding "
            "in which its text has the most Danish letters (æ, ø, å)",
            f"add a .cpg file holding {guess.upper()} (or the right encoding), or "
            f"{_state_encoding(guess, kind)}",
        )
    )
    return guess, notes


def _likely_encoding(data: bytes) -> str:
    """Return "utf-8" when ``data`` decodes as UTF-8, else the best single-byte guess."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return _guess_single_byte(data)
    return "utf-8"


def _guess_single_byte(data: bytes) -> str:
    best, best_score = "cp1252", -1
    for codec in ("cp1252", "cp865", "cp850", "latin-1"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _danish_score(text)
        if score > best_score:
            best, best_score = codec, score
    return best


def find_mojibake(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return column -> boolean mask of values that look mis-decoded.

    Flags UTF-8 read as cp1252/latin-1 (``Ã¦`` for ``æ``) and U+FFFD
    replacement characters.
    """
    found = {}
    for col in frame.columns:
        s = frame[col]
        if not (pd.api.types.is_string_dtype(s.dtype) or s.dtype == object):
            continue
        values = s.dropna()
        if values.empty:
            continue
        try:
            joined = "\x00".join(values.astype(str).tolist())
        except TypeError:
            continue
        if not (MOJIBAKE.search(joined) or "\ufffd" in joined):
            continue
        text = s.astype("str")
        mask = text.str.contains(MOJIBAKE, na=False) | text.str.contains(
            "\ufffd", regex=False, na=False
        )
        found[col] = mask.to_numpy(dtype=bool)
    return found


# --------------------------------------------------------------------------- readers


def read_raw(
    path: Path,
    kind: str,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    xy: tuple[str, str] | None = None,
    engine: str | None = None,
) -> RawLayer:
    """Read one layer from ``path`` with every file check; see the module docstring.

    ``engine`` is the reader of vector files: ``"pyogrio"`` (the default) or
    ``"fiona"`` (the ``fiona`` extra). Both get the same checks before and
    after reading (declared feature count against the rows returned, the
    text encoding), so a damaged file is an error with either.
    """
    path = Path(path)
    if engine not in (None, "pyogrio", "fiona"):
        msg = f'`engine` must be "pyogrio" or "fiona", got {engine!r}'
        raise ConfigError(msg, path=path, layer=kind)
    fmt = detect_format(path)
    _check_file(path, fmt)
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError as exc:
            msg = (
                f"`encoding` {encoding!r} is not a known text encoding; "
                "use e.g. utf-8, cp1252, cp865"
            )
            raise EncodingError(msg, path=path, layer=kind) from exc
    if fmt == "csv":
        return _read_csv(path, kind, encoding=encoding, sep=sep, decimal=decimal, xy=xy)
    if fmt == "osm":
        return _read_osm(path, kind)
    return _read_vector(path, fmt, kind, layer=layer, encoding=encoding, engine=engine or "pyogrio")


def _fiona_read(
    path: Path, *, layer: str | None, encoding: str | None, options: dict | None = None
):
    """Read a layer with fiona (through geopandas); return (GeoDataFrame, declared count).

    ``options`` are GDAL open options (``DATE_AS_STRING`` for GeoJSON).
    """
    try:
        import fiona
    except ImportError as exc:
        msg = 'engine "fiona" needs the fiona extra. Fix: pip install "areas[fiona]"'
        raise ConfigError(msg, path=path) from exc
    kwargs = {"layer": layer} if layer is not None else {}
    if encoding is not None:
        kwargs["encoding"] = encoding
    kwargs.update(options or {})

    def read():
        with fiona.open(path, **kwargs) as collection:
            declared = len(collection)
        frame = gpd.read_file(path, engine="fiona", **kwargs)
        return frame, declared

    (frame, declared), _ = _pyogrio_call(path, read)
    return frame, declared


def _read_osm(path: Path, kind: str) -> RawLayer:
    """Read an OpenStreetMap file (the walkable ways) as a network layer."""
    from areas.load.osm import read_osm

    if kind != "network":
        msg = f"an OpenStreetMap file holds a walking network, not `{kind}`; name it network.osm"
        raise LayerError(msg, path=path, layer=kind)
    frame = read_osm(path)
    return RawLayer(
        path=path,
        fmt="osm",
        layer=None,
        frame=pd.DataFrame(frame.drop(columns="geometry")),
        geometry=frame.geometry,
        crs=frame.crs,
        encoding=None,
        sha256=file_sha256(path),
    )


def _read_vector(
    path: Path,
    fmt: str,
    kind: str,
    *,
    layer: str | None,
    encoding: str | None,
    engine: str = "pyogrio",
) -> RawLayer:
    layer_name = resolve_layer(path, kind, layer)
    notes: list[tuple[str, str]] = []
    expected = None
    if fmt == "shp":
        info = _check_shapefile(path)
        encoding, notes = _choose_dbf_encoding(path, info, encoding, kind)
        expected = info.records - info.deleted
    read_kwargs = {"layer": layer_name, "encoding": encoding}
    meta, _ = _pyogrio_call(path, pyogrio.read_info, path, **read_kwargs)
    # GeoJSON has no date type: GDAL would guess dates from text (reading 01-12-20 as
    # 2001-12-20); the text goes to areas.dates like every other date
    text_dates = {"DATE_AS_STRING": "YES"} if fmt == "geojson" else {}
    if engine == "fiona":
        df, declared = _fiona_read(path, layer=layer_name, encoding=encoding, options=text_dates)
        if expected is None and declared != int(meta.get("features", -1)):
            msg = (
                f"says it holds {declared:,} features to fiona and "
                f"{int(meta.get('features', -1)):,} to GDAL; the file is damaged. "
                "Fix: copy or export it again"
            )
            raise DamagedFileError(msg, path=path, layer=layer_name or kind)
        df = _fiona_like_pyogrio(df)
    else:
        df, _ = _pyogrio_call(
            path,
            pyogrio.read_dataframe,
            path,
            force_2d=True,
            on_invalid="ignore",
            **read_kwargs,
            **text_dates,
        )
    if expected is None:
        expected = int(meta.get("features", -1))
    if expected >= 0 and len(df) != expected:
        msg = (
            f"gave {len(df):,} features but says it holds {expected:,}; the file is damaged "
            "and reading it would lose features. Fix: copy or export it again"
        )
        raise DamagedFileError(msg, path=path, layer=layer_name or kind)
    if fmt == "geojson":
        _check_geojson_count(path, len(df), layer_name or kind)
    if not isinstance(df, gpd.GeoDataFrame):
        msg = (
            f"layer `{layer_name or path.stem}` has no geometry column (an attribute table). "
            "Fix: name a spatial layer"
        )
        raise SchemaError(msg, path=path, layer=kind)
    geometry = df.geometry
    crs = geometry.crs
    frame = pd.DataFrame(df.drop(columns=df.geometry.name))
    unreadable = ring_closed = None
    missing = geometry.isna().to_numpy()
    if missing.any():
        unreadable, ring_closed, geometry = _recover_geometries(
            path, layer_name, encoding, geometry, missing
        )
    return RawLayer(
        path=path,
        fmt=fmt,
        layer=layer_name if fmt == "gpkg" else None,
        frame=frame.reset_index(drop=True),
        geometry=gpd.GeoSeries(geometry.to_numpy(), crs=crs),
        crs=crs,
        encoding=encoding or (meta.get("encoding") if fmt == "shp" else "utf-8"),
        sha256=file_sha256(path),
        unreadable=unreadable,
        ring_closed=ring_closed,
        notes=notes,
    )


def _fiona_like_pyogrio(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a frame read by fiona shaped as pyogrio reads it (2D, ms dates, no ``fid``)."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        return frame
    geometry = frame.geometry
    if geometry.has_z.any():
        frame = frame.set_geometry(shapely.force_2d(geometry.to_numpy()), crs=geometry.crs)
    return frame


def _recover_geometries(path, layer_name, encoding, geometry, missing):
    """Tell null geometries from undecodable ones; close unclosed rings."""
    (_, _, wkb, _), _ = _pyogrio_call(
        path, pyogrio.raw.read, path, layer=layer_name, encoding=encoding, columns=[], force_2d=True
    )
    wkb = np.asarray(wkb, dtype=object)
    if len(wkb) != len(geometry):
        msg = "gave a different number of geometries on a second read; the file is damaged"
        raise DamagedFileError(msg, path=path)
    in_file = missing & np.array([w is not None for w in wkb], dtype=bool)
    fixed = np.full(len(wkb), None, dtype=object)
    if in_file.any():
        fixed[in_file] = shapely.from_wkb(wkb[in_file], on_invalid="fix")
    ring_closed = in_file & ~shapely.is_missing(fixed)
    unreadable = in_file & ~ring_closed
    values = geometry.to_numpy().copy()
    values[ring_closed] = fixed[ring_closed]
    return unreadable, ring_closed, gpd.GeoSeries(values, crs=geometry.crs)


_EXCEL_SEP = re.compile(r'"?sep=(.)"?[;,\t|]*')


def _unicode_bom(data: bytes) -> str | None:
    """Return the codec a UTF-16 or UTF-32 byte-order mark at the start names, or None."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _sniff_sep(header: str) -> str:
    """Return the separator that splits the header line into the most fields (`;` first)."""
    counts = {sep: len(next(csv.reader([header], delimiter=sep))) for sep in (";", "\t", ",", "|")}
    return max(counts, key=lambda sep: counts[sep])  # max keeps the first of equal counts


def _read_csv(path, kind, *, encoding, sep, decimal, xy) -> RawLayer:
    data = path.read_bytes()
    notes: list[tuple[str, str]] = []
    if _looks_like_html(data[:1024]):
        msg = "is an HTML page, not a CSV table. Fix: download or export the table again"
        raise DamagedFileError(msg, path=path)
    unicode = _unicode_bom(data) if encoding is None else None
    if unicode is not None:  # Excel's "Unicode text": UTF-16 with a byte-order mark
        encoding = unicode
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            msg = (
                f"starts with the {encoding.upper()} byte-order mark but is not valid "
                f"{encoding.upper()} text at byte {exc.start}. Fix: save the table again "
                "(Excel: CSV UTF-8)"
            )
            raise EncodingError(msg, path=path, layer=kind) from exc
    elif encoding is None:
        try:
            text = data.decode("utf-8")
            encoding = "utf-8-sig" if text.startswith("\ufeff") else "utf-8"
        except UnicodeDecodeError:
            guess = _guess_single_byte(data)
            text = data.decode(guess, errors="replace")
            encoding = guess
            notes.append(
                (
                    f"is not UTF-8; it was read as {guess} (the encoding in which its text has "
                    "the most Danish letters æ, ø, å)",
                    f"save the table as UTF-8, or {_state_encoding(guess, kind)} to confirm",
                )
            )
    else:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            guess = _likely_encoding(data)
            msg = (
                f"is not valid {encoding} text (as stated) at byte {exc.start}; it looks like "
                f"{guess}. Fix: save the table as UTF-8, or {_state_encoding(guess, kind)} instead"
            )
            raise EncodingError(msg, path=path, layer=kind) from exc
    text = text.lstrip("\ufeff")
    del data
    if "\x00" in text[:4096]:
        msg = (
            "holds NUL characters: it is not a text table in the encoding it was read in "
            f"({encoding}); it may be UTF-16 without a byte-order mark or a binary file. Fix: "
            'save the table as CSV UTF-8, or state `encoding = "utf-16-le"`'
        )
        raise EncodingError(msg, path=path, layer=kind)
    skip = 0
    first_line = text.split("\n", 1)[0].rstrip("\r")
    excel_sep = _EXCEL_SEP.fullmatch(first_line.strip())
    if excel_sep is not None:  # Excel's "sep=;" line names the separator
        skip = 1
        sep = sep or excel_sep[1]
        text = text.split("\n", 1)[1] if "\n" in text else ""
        first_line = text.split("\n", 1)[0].rstrip("\r")
    if not first_line.strip():
        msg = "has no header line (the first line is blank). Fix: put the column names on line 1"
        raise DamagedFileError(msg, path=path)
    if sep is None:
        sep = _sniff_sep(first_line)
    header = [h.strip() for h in next(csv.reader([first_line], delimiter=sep))]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        msg = (
            f"has duplicate column names: {format_ids(f'`{d}`' for d in dupes)} (columns: "
            f"{', '.join(header)}). Fix: give every column its own name"
        )
        raise SchemaError(msg, path=path, layer=kind)
    blank = [i + 1 for i, h in enumerate(header) if not h]
    if blank:
        msg = f"has columns without a name (column {format_ids(blank)}). Fix: name every column"
        raise SchemaError(msg, path=path, layer=kind)
    xy, xy_crs = _csv_xy_columns(path, kind, header, xy)
    positions = [header.index(c) for c in xy]
    read_decimal = decimal or _sniff_decimal(text, sep, positions)
    number_mark, number_dialect = _sniff_dialect(text, sep, header, positions, decimal)
    quoted = '"' in text
    bad_lines = None
    frame = None
    # fast path: coordinates parsed as floats by the C parser; any unreadable value
    # sends us to the all-text read, which names the features concerned
    for dtype in ({c: ("float64" if c in xy else "str") for c in header}, str):
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            try:
                frame = pd.read_csv(
                    path,
                    sep=sep,
                    dtype=dtype,
                    decimal=read_decimal,
                    keep_default_na=False,
                    na_values=[""],
                    index_col=False,
                    names=header,
                    header=0,
                    skiprows=skip,
                    encoding=encoding,
                )
                break
            except (pd.errors.ParserError, pd.errors.ParserWarning):
                bad_lines = _field_count_mismatch(text, sep, len(header))
                break
            except ValueError as exc:
                if dtype is str:
                    msg = f"cannot be read as CSV ({exc}). Fix: export the table again"
                    raise DamagedFileError(msg, path=path) from exc
    if frame is not None:
        expected_seps = (len(header) - 1) * (len(frame) + 1)
        if quoted or text.count(sep) != expected_seps:
            bad_lines = _field_count_mismatch(text, sep, len(header))
    if bad_lines:
        lines = [
            f"{n + skip} ({k} fields)" if k >= 0 else f"{n + skip} (a line break inside a field)"
            for n, k in bad_lines
        ]
        hint = ""
        if sep == "," and any(k > len(header) for _, k in bad_lines):
            hint = (
                " This is what unquoted decimal commas do in a comma-separated file: 12,45 "
                "becomes two fields."
            )
        msg = (
            f"has lines whose number of fields differs from the header's {len(header)} "
            f"({sep!r}-separated: {', '.join(header)}): line {format_ids(lines)}.{hint} Fix: save "
            "the table with `;` as separator (Excel: CSV with semicolons), quote values that "
            "contain the separator, or use decimal points"
        )
        raise DamagedFileError(msg, path=path, layer=kind)
    del text
    return RawLayer(
        path=path,
        fmt="csv",
        layer=None,
        frame=frame,
        geometry=None,
        crs=None,
        encoding=encoding,
        sha256=file_sha256(path),
        xy=xy,
        xy_crs=xy_crs,
        decimal=decimal,
        notes=notes,
        number_mark=number_mark,
        number_dialect=number_dialect,
    )


def _csv_xy_columns(path, kind, header, xy):
    """Return the coordinate columns and the CRS their names imply."""
    if xy is not None:
        absent = [c for c in xy if c not in header]
        if absent:
            msg = (
                f"has no coordinate column {format_ids(f'`{c}`' for c in absent)}; its columns are "
                f"{', '.join(header)}. Fix: name the coordinate columns in areas.toml "
                '([kind.columns] x = "...", y = "...")'
            )
            raise SchemaError(msg, path=path, layer=kind)
        lonlat = xy[0].lower() in ("lon", "longitude", "lng") and xy[1].lower() in (
            "lat",
            "latitude",
        )
        return tuple(xy), ("EPSG:4326" if lonlat else None)
    columns = {c.lower(): c for c in header}
    for xname, yname, implied in CSV_XY_COLUMNS:
        if xname in columns and yname in columns:
            return (columns[xname], columns[yname]), implied
    msg = (
        f"has no coordinate columns; its columns are {', '.join(header)}. Fix: name "
        "them lon/lat (degrees) or x/y (metres, with a stated CRS), or map them in "
        'areas.toml ([kind.columns] x = "...", y = "...")'
    )
    raise SchemaError(msg, path=path, layer=kind)


def _sniff_decimal(text: str, sep: str, positions: list[int], lines: int = 200) -> str:
    """Return "," when the coordinate fields of the first lines use decimal commas."""
    if sep == ",":
        return "."
    for row in _sample_rows(text, sep, lines):
        for pos in positions:
            if pos < len(row) and "," in row[pos] and "." not in row[pos]:
                return ","
    return "."


def _sample_rows(text: str, sep: str, lines: int = 200) -> list[list[str]]:
    """Return the fields of the first lines after the header (a line csv cannot split: none)."""
    rows: list[list[str]] = []
    for line in text[: 200 * lines].split("\n")[1:lines]:
        try:
            rows.extend(csv.reader([line], delimiter=sep))
        except csv.Error:
            continue
    return rows


_DECIMAL_NUMBER = re.compile(r"-?\d+([.,])(\d+)")


def _sniff_dialect(
    text: str, sep: str, header: list[str], positions: list[int], stated: str | None
) -> tuple[str | None, str]:
    """Return the decimal mark of the file's numbers (or None) and what it was told from.

    Stated, or the one mark the coordinate fields of the first lines use; where they are
    whole numbers, the one mark of the other numbers whose fraction is not three digits
    long (``12.000`` could be a thousands group).
    """
    name = {",": "decimal commas", ".": "decimal points"}
    if stated is not None:
        return stated, f"{name[stated]} (decimal = {stated!r}, as stated)"
    seen: dict[str, tuple[str, str]] = {}
    other: dict[str, tuple[str, str]] = {}
    for row in _sample_rows(text, sep):
        for pos, value in enumerate(row):
            m = _DECIMAL_NUMBER.fullmatch(value.strip())
            if m is None or pos >= len(header):
                continue
            if pos in positions:
                seen.setdefault(m[1], (value.strip(), header[pos]))
            elif len(m[2]) != 3:
                other.setdefault(m[1], (value.strip(), header[pos]))
    for found in (seen, other):
        if len(found) == 1:
            mark, (value, column) = next(iter(found.items()))
            return mark, f"{name[mark]}, as `{value}` in `{column}` shows"
        if len(found) > 1:
            break
    if found:
        return None, "no known decimal mark: its numbers use both decimal commas and points"
    return None, "no known decimal mark: neither its coordinates nor its numbers show one"


def _field_count_mismatch(text: str, sep: str, n_fields: int) -> list[tuple[int, int]]:
    """Return (line number, fields) of records whose field count differs from the header."""
    bad = []
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))  # a long text field is still one field
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        for row in reader:
            if reader.line_num == 1 or not row:
                continue
            if len(row) != n_fields:
                bad.append((reader.line_num, len(row)))
    except csv.Error:  # a bare carriage return inside a field: a broken line
        bad.append((reader.line_num, -1))
    finally:
        csv.field_size_limit(limit)
    return bad
