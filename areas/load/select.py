"""Feature filters and value mappings of an ``areas.toml`` layer table.

A filter keeps the features of a file that a planner needs, by the file's own
columns, before the layer is checked against the schema::

    [districts.filter]
    anvgen = 31                       # equals (a number or a text)
    planstatus = ["V", "F"]           # one of a list
    where = "anvgen >= 30 and plannavn != ''"   # a comparison expression

Several keys must all hold. ``where`` is parsed by a small grammar, never
evaluated as Python: comparisons ``column OP literal`` with ``=``, ``!=``,
``<``, ``<=``, ``>``, ``>=``, ``column in (literal, ...)``, ``column is
[not] null``, combined with ``and``, ``or``, ``not`` and parentheses.
Literals are numbers, ``'quoted text'`` and ``true``/``false``; a column
name with spaces or other characters is written in double quotes. A number
compares with the column read as numbers, a text with the column as text; a
missing value (or a text that is not a number, compared with a number)
satisfies no comparison but ``is null`` -- and so ``not anvgen = 31`` keeps
the features without an ``anvgen``.

A value mapping replaces the values of a schema column (after the column
mapping, before the values are checked)::

    [stops.values.mode]
    "S-station" = "s_train"
    "Metrostation" = "metro"

Both are recorded in the layer's provenance (``LayerSource.filter`` and
``LayerSource.values``) with the counts they removed or changed.

Examples
--------
>>> import pandas as pd
>>> f = parse_filter({"where": "anvgen = 31 or (anvgen >= 40 and navn != 'x')"}, "districts")
>>> f.mask(pd.DataFrame({"anvgen": ["31", "41", "20"], "navn": ["a", "b", "c"]})).tolist()
[True, True, False]
>>> parse_filter({"where": "__import__('os')"}, "districts")
Traceback (most recent call last):
...
ValueError: [districts.filter] `where`: expected an operator after `__import__` at position 11...
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["LayerFilter", "parse_filter", "parse_values", "map_values", "filter_text"]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>-?\d+(?:\.\d+)?)(?![\w])
      | '(?P<str>(?:[^']|'')*)'
      | "(?P<qname>(?:[^"]|"")+)"
      | (?P<op><=|>=|!=|<>|==|=|<|>)
      | (?P<punct>[(),])
      | (?P<name>[^\W\d]\w*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = ("and", "or", "not", "in", "is", "null", "true", "false")
_OPS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

Literal = str | int | float | bool


@dataclass(frozen=True)
class LayerFilter:
    """A parsed ``[kind.filter]``: a tree of comparisons, and its text for provenance."""

    tree: tuple
    text: str

    def columns(self) -> list[str]:
        """Return the columns the filter reads."""
        found: list[str] = []
        _columns(self.tree, found)
        return list(dict.fromkeys(found))

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Return which rows of ``frame`` (the file's columns) the filter keeps."""
        return np.asarray(_evaluate(self.tree, frame), dtype=bool)


def _columns(node: tuple, out: list[str]) -> None:
    if node[0] in ("and", "or"):
        for child in node[1:]:
            _columns(child, out)
    elif node[0] == "not":
        _columns(node[1], out)
    else:
        out.append(node[1])


# --------------------------------------------------------------------------- parsing


class _Parser:
    def __init__(self, text: str, where: str):
        self.text, self.where = text, where
        self.tokens: list[tuple[str, Any, int]] = []
        pos = 0
        while pos < len(text):
            if not text[pos:].strip():
                break
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                self.fail(f"cannot read `{text[pos:].strip()[:20]}`", pos)
            assert m is not None
            kind = m.lastgroup or ""
            value: Any = m.group(kind)
            start = m.start(kind)
            if kind == "num":
                value = float(value) if "." in value else int(value)
            elif kind == "str":
                value = value.replace("''", "'")
            elif kind == "qname":
                kind, value = "name", value.replace('""', '"')
            elif kind == "name" and value.lower() in _KEYWORDS:
                kind, value = "kw", value.lower()
            self.tokens.append((kind, value, start))
            pos = m.end()
        self.i = 0

    def fail(self, what: str, pos: int | None = None) -> None:
        at = f" at position {pos + 1}" if pos is not None else ""
        msg = (
            f"{self.where} `where`: {what}{at} in {self.text!r}. Fix: write comparisons such as "
            "anvgen = 31, navn != 'x', anvgen in (31, 32), doklink is not null, joined by "
            "and / or / not"
        )
        raise ValueError(msg)

    def peek(self) -> tuple[str, Any, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, kind: str, value: Any = None) -> bool:
        tok = self.peek()
        if tok is not None and tok[0] == kind and (value is None or tok[1] == value):
            self.i += 1
            return True
        return False

    def parse(self) -> tuple:
        if not self.tokens:
            self.fail("the expression is empty")
        tree = self.expr()
        tok = self.peek()
        if tok is not None:
            self.fail(f"unexpected `{tok[1]}`", tok[2])
        return tree

    def expr(self) -> tuple:
        parts = [self.term()]
        while self.take("kw", "or"):
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else ("or", *parts)

    def term(self) -> tuple:
        parts = [self.factor()]
        while self.take("kw", "and"):
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else ("and", *parts)

    def factor(self) -> tuple:
        if self.take("kw", "not"):
            return ("not", self.factor())
        if self.take("punct", "("):
            inner = self.expr()
            if not self.take("punct", ")"):
                self.fail("a `(` is not closed")
            return inner
        return self.comparison()

    def literal(self) -> Literal:
        tok = self.peek()
        if tok is not None and tok[0] in ("num", "str"):
            self.i += 1
            return tok[1]
        if tok is not None and tok[0] == "kw" and tok[1] in ("true", "false"):
            self.i += 1
            return tok[1] == "true"
        self.fail(
            "expected a number, 'quoted text', true or false",
            None if tok is None else tok[2],
        )
        raise AssertionError  # pragma: no cover - fail raises

    def comparison(self) -> tuple:
        tok = self.peek()
        if tok is None or tok[0] != "name":
            self.fail("expected a column name", None if tok is None else tok[2])
        assert tok is not None
        self.i += 1
        column = tok[1]
        if self.take("kw", "is"):
            negate = self.take("kw", "not")
            if not self.take("kw", "null"):
                self.fail("expected `null` after `is`")
            return ("notnull" if negate else "isnull", column)
        negate = self.take("kw", "not")
        if self.take("kw", "in"):
            if not self.take("punct", "("):
                self.fail("expected `(` after `in`")
            items = [self.literal()]
            while self.take("punct", ","):
                items.append(self.literal())
            if not self.take("punct", ")"):
                self.fail("a list after `in` is not closed with `)`")
            node = ("in", column, tuple(items))
            return ("not", node) if negate else node
        if negate:
            self.fail("expected `in` after `not`")
        op = self.peek()
        if op is None or op[0] != "op":
            self.fail(f"expected an operator after `{column}`", None if op is None else op[2])
        assert op is not None
        self.i += 1
        return (_OPS[op[1]], column, self.literal())


def _check_literal(value: object, where: str) -> Literal:
    if isinstance(value, str | int | float | bool):
        return value
    msg = f"{where} must be a number, a text or true/false (or a list of them), got {value!r}"
    raise ValueError(msg)


def parse_filter(table: object, kind: str) -> LayerFilter | None:
    """Check a ``[kind.filter]`` table and return it parsed (None for no filter).

    Raises
    ------
    ValueError
        With a message naming the table, the key and the fix.
    """
    if table is None:
        return None
    where = f"[{kind}.filter]"
    if not isinstance(table, Mapping) or not table:
        msg = (
            f'{where} must be a table of column = value, column = [values] or where = "expression"'
        )
        raise ValueError(msg)
    parts: list[tuple] = []
    texts: list[str] = []
    for key, value in table.items():
        if key == "where":
            if not isinstance(value, str):
                raise ValueError(f"{where} `where` must be text, got {value!r}")
            parts.append(_Parser(value, where).parse())
            texts.append(value if len(table) == 1 else f"({value})")
        elif isinstance(value, list):
            if not value:
                raise ValueError(f"{where} `{key}` is an empty list; it would keep nothing")
            items = tuple(_check_literal(v, f"{where} `{key}`") for v in value)
            parts.append(("in", str(key), items))
            texts.append(f"{_name(key)} in ({', '.join(_show(v) for v in items)})")
        else:
            lit = _check_literal(value, f"{where} `{key}`")
            parts.append(("=", str(key), lit))
            texts.append(f"{_name(key)} = {_show(lit)}")
    tree = parts[0] if len(parts) == 1 else ("and", *parts)
    return LayerFilter(tree, " and ".join(texts))


def _name(column: str) -> str:
    return column if re.fullmatch(r"[^\W\d]\w*", column) else '"' + column.replace('"', '""') + '"'


def _show(value: Literal) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def filter_text(layer_filter: LayerFilter) -> str:
    """Return the filter as one expression (as recorded in the provenance)."""
    return layer_filter.text


# --------------------------------------------------------------------------- evaluation

_TRUE = {"true", "1", "yes", "ja", "t", "y"}
_FALSE = {"false", "0", "no", "nej", "f", "n"}


def _as_text(series: pd.Series) -> pd.Series:
    """Return the values as text, whole floats without ``.0`` (31.0 -> "31")."""

    def one(v: object) -> object:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return pd.Series([one(v) for v in series.tolist()], index=series.index, dtype=object)


def _compare(series: pd.Series, op: str, value: Literal) -> np.ndarray:
    known = series.notna().to_numpy()
    if isinstance(value, bool):
        text = _as_text(series).str.strip().str.lower()
        flags = text.map(lambda v: True if v in _TRUE else (False if v in _FALSE else None))
        if op not in ("=", "!="):
            raise ValueError(f"`{op}` does not compare true/false; use = or !=")
        eq = (flags == value).to_numpy(dtype=bool)
        ok = flags.notna().to_numpy()
        return (eq if op == "=" else ~eq) & ok
    if isinstance(value, int | float):
        if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype
        ):
            numbers = pd.to_numeric(series, errors="coerce")
        else:
            text = _as_text(series).str.strip()
            numbers = pd.to_numeric(text, errors="coerce")
        values = numbers.to_numpy(dtype=float, na_value=np.nan)
        ok = ~np.isnan(values)
        with np.errstate(invalid="ignore"):
            result = {
                "=": values == value,
                "!=": values != value,
                "<": values < value,
                "<=": values <= value,
                ">": values > value,
                ">=": values >= value,
            }[op]
        return result & ok
    text = _as_text(series)
    arr = text.to_numpy(dtype=object)
    out = np.zeros(len(arr), dtype=bool)
    for i, v in enumerate(arr):
        if v is None:
            continue
        out[i] = {
            "=": v == value,
            "!=": v != value,
            "<": v < value,
            "<=": v <= value,
            ">": v > value,
            ">=": v >= value,
        }[op]
    return out & known


def _evaluate(node: tuple, frame: pd.DataFrame) -> np.ndarray:
    op = node[0]
    if op in ("and", "or"):
        results = [_evaluate(child, frame) for child in node[1:]]
        combine = np.logical_and if op == "and" else np.logical_or
        out = results[0]
        for r in results[1:]:
            out = combine(out, r)
        return out
    if op == "not":
        return ~_evaluate(node[1], frame)
    column = frame[node[1]]
    if op == "isnull":
        return column.isna().to_numpy()
    if op == "notnull":
        return column.notna().to_numpy()
    if op == "in":
        out = np.zeros(len(frame), dtype=bool)
        for value in node[2]:
            out |= _compare(column, "=", value)
        return out
    return _compare(column, op, node[2])


# --------------------------------------------------------------------------- value mappings


def parse_values(table: object, kind: str, schema_columns: Sequence[str]) -> dict:
    """Check a ``[kind.values]`` table (schema column -> {from: to}); return it.

    Raises
    ------
    ValueError
        With a message naming the table and the fix.
    """
    if table is None:
        return {}
    where = f"[{kind}.values]"
    if not isinstance(table, Mapping):
        msg = (
            f'{where} must hold one table per column, e.g. [{kind}.values.mode] "S-tog" = "s_train"'
        )
        raise ValueError(msg)
    out: dict[str, dict[str, object]] = {}
    for column, mapping in table.items():
        if column not in schema_columns:
            msg = (
                f"{where} names `{column}`, not a schema column of `{kind}`; valid: "
                f"{', '.join(schema_columns)}"
            )
            raise ValueError(msg)
        if not isinstance(mapping, Mapping) or not mapping:
            msg = (
                f'[{kind}.values.{column}] must be a table of "value in the file" = "value to use"'
            )
            raise ValueError(msg)
        for src, dst in mapping.items():
            _check_literal(dst, f"[{kind}.values.{column}] `{src}`")
        out[str(column)] = {str(k): v for k, v in mapping.items()}
    return out


def map_values(series: pd.Series, mapping: Mapping[str, object]) -> tuple[pd.Series, dict]:
    """Replace the values of ``series`` whose text is a key of ``mapping``.

    Returns the new series and ``{from: count}`` of the values changed (keys
    that matched nothing are listed with 0).
    """
    text = _as_text(series)
    hit = text.isin(list(mapping)).to_numpy()
    counts = {k: int((text == k).sum()) for k in mapping}
    if not hit.any():
        return series, counts
    out = series.astype(object).copy()
    out[hit] = [mapping[v] for v in text[hit].tolist()]
    return out, counts
