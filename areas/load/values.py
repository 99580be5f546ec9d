"""Reading the values of a layer's columns: text, numbers, dates, booleans.

Each parser returns the values and a mask of the values that are present but
cannot be read, so that the caller can name the features concerned. Dates are
read by :mod:`areas.dates` (day first).

Numbers written as text
-----------------------
A number is read as the file's dialect means it, or refused; it is never
silently changed. The dialect is the decimal mark: stated (``decimal`` in the
layer's table of an ``areas.toml``), or for a CSV told from its coordinates
(``12,46`` or ``12.46``; where they are whole numbers, from the other numbers
in the file), or unknown (a CSV without evidence, text numbers in other formats).

- decimal comma (the Danish dialect): ``12,5`` is 12.5; a point groups
  thousands, in groups of three (``12.000`` is 12000, ``1.250,5`` is 1250.5);
  ``12.5`` is refused;
- decimal point: ``12.5`` is 12.5 and ``1.250`` is 1.25; a comma groups
  thousands only where no other reading is possible (``1,250.5``,
  ``1,250,000``): ``12,000`` and ``12,5`` are refused (twelve thousand, or
  twelve in decimal commas?);
- unknown: a number is read only when one reading is possible: ``12,5`` and
  ``12.5`` are 12.5, ``1.250.000`` and ``1.250,5`` are read with thousands;
  ``12.000`` and ``12,000`` (one mark followed by three digits) are refused.

Spaces (also no-break spaces) may group thousands in every dialect (``12 000``).
In a count (a whole-number column) one mark followed by exactly three digits is
a thousands separator or refused, never a decimal mark: ``12.000`` employees in
a file with decimal points is an error, not 12. A count above 2**53 and a
number that is not finite (``1e400``) are refused.

Examples
--------
>>> import pandas as pd
>>> values, bad = parse_bool(pd.Series(["ja", "Nej", "maybe", None]))
>>> values.tolist(), bad.tolist()
([True, False, <NA>, <NA>], [False, False, True, False])
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from areas.dates import DATE_FIX, parse_dates

__all__ = [
    "DATE_FIX",
    "MAX_EXACT_INTEGER",
    "NUMBER_RULE",
    "to_text",
    "to_float",
    "to_number",
    "parse_dates",
    "parse_bool",
]

#: The largest whole number a count may be: beyond it a float64 cannot hold every integer.
MAX_EXACT_INTEGER = 2**53

#: How numbers written as text are read (the module docstring says it in full).
NUMBER_RULE = (
    "numbers are read in the file's decimal mark: with decimal commas `.` groups thousands "
    "(1.250 is 1250, 1.250,5 is 1250.5); with decimal points 12,000 and 12,5 are refused "
    "(1,250.5 is read); spaces may group thousands in either"
)

BOOL_VALUES = {
    "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
    "ja": True, "nej": False, "t": True, "f": False, "y": True, "n": False,
    "j": True, "sand": True, "falsk": False,
}  # fmt: skip


def to_text(series: pd.Series, *, strip: bool = False) -> pd.Series:
    """Return ``series`` as pandas text (NA kept); integral numbers without ``.0``."""
    s = series
    if pd.api.types.is_bool_dtype(s.dtype):
        out = s.astype("str")
    elif pd.api.types.is_integer_dtype(s.dtype):
        out = s.astype("Int64").astype("str")
    elif pd.api.types.is_float_dtype(s.dtype):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(values)
        integral = finite & (np.floor(np.where(finite, values, 0)) == values)
        out = s.astype("str")
        if integral.any():
            ints = (
                pd.Series(values[integral], index=s.index[integral]).astype("int64").astype("str")
            )
            out = out.copy()
            out[integral] = ints
        out = out.where(~np.isnan(values))
    elif pd.api.types.is_datetime64_any_dtype(s.dtype):
        out = s.dt.strftime("%Y-%m-%d").astype("str")
    elif pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        out = s
    else:
        out = s.map(
            lambda v: v if v is None or isinstance(v, str) or pd.isna(v) else str(v)
        ).astype("str")
    if strip:
        out = out.str.strip()
    out = out.where(out.notna() & (out != ""))
    return out.astype("str")


def to_float(series: pd.Series, decimal: str | None) -> tuple[pd.Series, np.ndarray]:
    """Return coordinates as (float64 values, mask of values present but unreadable).

    A coordinate has no thousands separator: its one mark is its decimal mark
    (a comma too, unless ``decimal`` is ``"."``).
    """
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.astype("float64")
        return values, np.zeros(len(series), dtype=bool)
    text = series if pd.api.types.is_string_dtype(series.dtype) else to_text(series)
    values = pd.to_numeric(text, errors="coerce")
    bad = (text.notna() & values.isna()).to_numpy()
    if bad.any() and decimal != ".":
        retry = pd.to_numeric(
            text[bad].str.strip().str.replace(",", ".", regex=False), errors="coerce"
        )
        values = values.astype("float64")
        values[bad] = retry
        bad = (text.notna() & values.isna()).to_numpy()
    return values.astype("float64"), bad


_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?:\D|$))")
_PLAIN = re.compile(r"\d+(?:[eE][+-]?\d+)?")
_ONE_MARK = re.compile(r"(\d*)([.,])(\d+)(?:[eE][+-]?\d+)?")
_GROUPED = {
    (".", ","): re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?"),  # thousands ".", decimal ","
    (",", "."): re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"),  # thousands ",", decimal "."
}


def read_number(text: str, decimal: str | None, *, count: bool = False) -> float | None:
    """Return the number ``text`` means in a file whose decimal mark is ``decimal``, or None.

    ``decimal`` is ``","``, ``"."`` or None (unknown); see the module docstring.

    Examples
    --------
    >>> read_number("12.000", ","), read_number("12.000", ".", count=True)
    (12000.0, None)
    >>> read_number("12,5", ","), read_number("12,000", "."), read_number("1.250,5", None)
    (12.5, None, 1250.5)
    """
    t = text.strip().replace("\u2212", "-")
    sign = -1.0 if t[:1] == "-" else 1.0
    t = t[1:] if t[:1] in "+-" else t
    if " " in t or "\u00a0" in t or "\u202f" in t:
        grouped = _SPACES.sub("", t)
        if not re.fullmatch(r"\d{1,3}(?:\d{3})*(?:[.,]\d+)?", grouped) or re.search(
            r"[ \u00a0\u202f]", grouped
        ):
            return None
        t = grouped
    if _PLAIN.fullmatch(t):
        return sign * float(t)
    if m := _ONE_MARK.fullmatch(t):
        whole, mark, fraction = m[1], m[2], m[3]
        three = len(fraction) == 3 and 1 <= len(whole) <= 3 and "e" not in t.lower()
        if mark == decimal or (decimal is None and not three):
            if count and three:  # 12.000 employees: never twelve
                return None
            return sign * float(t.replace(",", "."))
        if decimal == "," and mark == "." and three:
            return sign * float(whole + fraction)
        return None
    # thousands groups of three with more than one mark (1.250.000, 1,250.5, 1.250,5):
    # one reading only, taken where the file's decimal mark agrees (or is unknown)
    for (thousands, mark), pattern in _GROUPED.items():
        if (decimal is None or decimal == mark) and pattern.fullmatch(t):
            return sign * float(t.replace(thousands, "").replace(mark, "."))
    return None


def to_number(
    series: pd.Series, decimal: str | None, *, count: bool = False
) -> tuple[pd.Series, np.ndarray]:
    """Return numbers as (float64 values, mask of values present but refused).

    Text is read by :func:`read_number` in the file's decimal mark ``decimal``;
    numeric columns are kept. A value that is not finite, or a count above
    :data:`MAX_EXACT_INTEGER`, is refused.
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        series = to_text(series)
    if pd.api.types.is_numeric_dtype(series.dtype):
        with np.errstate(over="ignore", invalid="ignore"):
            values = series.astype("float64")
        present = series.notna().to_numpy()
    else:
        text = to_text(series)
        present = text.notna().to_numpy()
        cache = {
            v: read_number(v, decimal, count=count) for v in pd.unique(text[present].to_numpy())
        }
        values = text.map(cache).astype("float64")
    v = values.to_numpy()
    with np.errstate(invalid="ignore"):
        bad = present & (np.isnan(v) | ~np.isfinite(v))
        if count:
            bad |= np.isfinite(v) & (np.abs(v) > MAX_EXACT_INTEGER)
    return values.where(~bad), bad


def parse_bool(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Return (boolean values, mask of values present but unreadable)."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("boolean"), np.zeros(len(series), dtype=bool)
    text = to_text(series)
    trues = [k for k, v in BOOL_VALUES.items() if v]
    falses = [k for k, v in BOOL_VALUES.items() if not v]
    true, false = text.isin(trues).to_numpy().copy(), text.isin(falses).to_numpy().copy()
    other = text.notna().to_numpy() & ~(true | false)
    if other.any():  # other spellings: case and surrounding blanks
        folded = text[other].str.strip().str.lower()
        true[other], false[other] = folded.isin(trues).to_numpy(), folded.isin(falses).to_numpy()
    values = pd.array(np.where(true, True, False), dtype="boolean")
    values[~(true | false)] = pd.NA
    bad = text.notna().to_numpy() & ~(true | false)
    return pd.Series(values, index=series.index), bad
