"""The error and warning hierarchy of ``areas``.

Every problem the toolkit detects in its input is raised as a subclass of
:class:`AreasError`, which also subclasses the closest built-in exception so
that ``except ValueError`` keeps working. Messages name the file, the layer,
the feature ids concerned and the fix; the command line prints them as one
message and exits non-zero.

Repairs (an invalid polygon made valid, a duplicate geometry kept) are
announced with :class:`AreasRepairWarning`, whose message lists the ids.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = [
    "AreasError",
    "LayerError",
    "MissingLayerError",
    "AmbiguousLayerError",
    "SchemaError",
    "MissingColumnError",
    "DuplicateIdError",
    "GeometryError",
    "GeometryTypeError",
    "CrsError",
    "MissingCrsError",
    "CoordinateError",
    "DamagedFileError",
    "EncodingError",
    "ConfigError",
    "OutputError",
    "AreasWarning",
    "AreasRepairWarning",
    "format_ids",
    "printable",
    "shown",
]

#: How many ids an error message lists before it says "and N more".
MAX_IDS_IN_MESSAGE = 10


#: Unicode categories printed escaped: controls, format characters (bidi overrides,
#: zero-width), line and paragraph separators, private use and lone surrogates.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs"})
#: How many characters of one value a message shows.
MAX_TEXT_IN_MESSAGE = 200


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: object) -> str:
    r"""Return ``text`` with every control or invisible format character escaped.

    Terminal escape sequences (``ESC [ ... m``, the one-byte CSI ``\x9b``),
    carriage returns, newlines, tabs, bidirectional overrides and zero-width
    characters in an id, a value, a file name or any message are shown as
    ``\x1b``, ``\x0a``, ``\u202e``: they can neither change the terminal nor
    hide or reorder text. Every message of the toolkit is passed through this
    function; everything else is left as it is (æ, ø, å, ``[udkast]``, quotes).

    Examples
    --------
    >>> printable("Lokalplan 123 [udkast]")
    'Lokalplan 123 [udkast]'
    >>> print(printable("s1\x1b[2J\u202egnp.exe"))
    s1\x1b[2J\u202egnp.exe
    """
    s = str(text)
    if s.isprintable():
        return s
    return "".join(_escape(c) if unicodedata.category(c) in _ESCAPED_CATEGORIES else c for c in s)


def shown(value: object, limit: int = MAX_TEXT_IN_MESSAGE) -> str:
    """Return one value as a message quotes it: escaped, in quotes, cut at ``limit`` characters.

    Examples
    --------
    >>> shown("december"), shown("x" * 300, limit=5)
    ("'december'", "'xxxxx…' (300 characters)")
    """
    if not isinstance(value, str):
        return printable(repr(value))[: limit + 20]
    text = printable(value)
    if len(text) > limit:
        return f"'{text[:limit]}…' ({len(value):,} characters)"
    return f"'{text}'"


def format_ids(ids: Iterable[object], limit: int = MAX_IDS_IN_MESSAGE) -> str:
    """Return ids as a short, readable, comma-separated list.

    Parameters
    ----------
    ids : iterable
        Feature ids (any type; shown with ``str``).
    limit : int, default 10
        How many to show before summarising the rest.

    Examples
    --------
    >>> format_ids(["a", "b"])
    'a, b'
    >>> format_ids(range(12), limit=3)
    '0, 1, 2 and 9 more'
    """
    texts = [_cut(printable(i)) for i in ids]
    shown = ", ".join(texts[:limit])
    if len(texts) > limit:
        shown += f" and {len(texts) - limit} more"
    return shown


def _cut(text: str, limit: int = MAX_TEXT_IN_MESSAGE) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


class AreasError(Exception):
    """Base class of every error the toolkit raises about its input or output.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    path : str, optional
        The file concerned.
    layer : str, optional
        The layer (kind or layer name inside the file).
    ids : iterable, optional
        The feature ids concerned.
    kind : str, optional
        The layer kind (``districts``, ``bids``, ...) when the layer is one of them.
    fix : str, optional
        How to fix it, when ``message`` ends with it (``"... Fix: ..."``).
    detail : str, optional
        What is wrong without the fix (``message`` holds both).
    """

    def __init__(
        self,
        message: str,
        *,
        path: object = None,
        layer: str | None = None,
        ids: Iterable[object] | None = None,
        kind: str | None = None,
        fix: str | None = None,
        detail: str | None = None,
    ):
        self.path = None if path is None else str(path)
        self.layer = layer
        self.ids = None if ids is None else list(ids)
        self.message = message
        self.kind = kind
        self.fix = fix
        self.detail = detail
        super().__init__(self._compose())

    def in_layer(self, layer: str, kind: str | None = None) -> AreasError:
        """Return the same error naming ``layer`` (and ``kind``) where it names none.

        Errors found while reading a file know the file only; the loader names
        the layer too, as every other error does.
        """
        return type(self)(
            self.message,
            path=self.path,
            layer=self.layer or layer,
            ids=self.ids,
            kind=self.kind or kind,
            fix=self.fix,
            detail=self.detail,
        )

    def _compose(self) -> str:
        where = []
        if self.path:
            where.append(f"file {self.path}")
        if self.layer:
            where.append(f"layer `{self.layer}`")
        prefix = f"{', '.join(where)}: " if where else ""
        return printable(prefix + self.message)


class LayerError(AreasError, ValueError):
    """A layer cannot be used as it is."""


class MissingLayerError(LayerError, LookupError):
    """A required layer (or a named layer inside a file) is absent."""


class AmbiguousLayerError(LayerError):
    """A file holds several layers and none was named."""


class SchemaError(LayerError):
    """Columns or values do not follow the layer schema."""


class MissingColumnError(SchemaError, KeyError):
    """A required column is absent."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0] if self.args else ""


class DuplicateIdError(SchemaError):
    """Two or more features share an id."""


class GeometryError(LayerError):
    """Geometries are null, empty or cannot be repaired."""


class GeometryTypeError(GeometryError, TypeError):
    """Geometries are of the wrong type for the layer kind."""


class CrsError(LayerError):
    """The coordinate reference system is missing or cannot be right."""


class MissingCrsError(CrsError):
    """A layer has no CRS and none was stated."""


class CoordinateError(CrsError):
    """Coordinates cannot be in the stated CRS or fall outside Denmark."""


class DamagedFileError(AreasError, OSError):
    """A file is truncated, garbled or not the format its name says."""


class EncodingError(AreasError, UnicodeError):
    """Text in a file cannot be decoded as the declared encoding."""


class ConfigError(AreasError, ValueError):
    """An ``areas.toml`` file or an argument is not valid."""


class OutputError(AreasError, OSError):
    """An output file could not be written or failed its check."""


class AreasWarning(UserWarning):
    """Base class of the toolkit's warnings."""


class AreasRepairWarning(AreasWarning):
    """The toolkit repaired input; the message lists the ids and what changed."""
