"""Reading the values of a layer's columns: text, numbers, dates, booleans.

Each parser returns the values and a mask of the values that are present but
cannot be read, so that the caller can name the features concerned.

Examples
--------
>>> import pandas as pd
>>> values, bad = parse_bool(pd.Series(["ja", "Nej", "maybe", None]))
>>> values.tolist(), bad.tolist()
([True, False, <NA>, <NA>], [False, False, True, False])
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = ["DATE_FIX", "to_text", "to_float", "parse_dates", "parse_bool"]

BOOL_VALUES = {
    "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
    "ja": True, "nej": False, "t": True, "f": False, "y": True, "n": False,
    "j": True, "sand": True, "falsk": False,
}  # fmt: skip
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y%m%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%Y-%m",
    "%Y",
)
DATE_FIX = (
    "write dates as YYYY-MM-DD (also read: YYYYMMDD, DD-MM-YYYY, DD.MM.YYYY, DD/MM/YYYY, "
    "YYYY-MM, YYYY, ISO 8601 date-times); leave the field blank for no date"
)


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
    """Return (float64 values, mask of values present but unreadable)."""
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


def parse_dates(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Return (datetime64[ns] values, mask of values present but unreadable)."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        s = series
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        return s.astype("datetime64[ns]"), np.zeros(len(series), dtype=bool)
    text = to_text(series, strip=True)
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    remaining = text.notna().to_numpy().copy()
    for fmt in DATE_FORMATS:
        if not remaining.any():
            break
        parsed = pd.to_datetime(text[remaining], format=fmt, errors="coerce")
        ok = parsed.notna().to_numpy()
        if ok.any():
            idx = np.flatnonzero(remaining)[ok]
            in_range = (parsed[ok] >= pd.Timestamp("1700-01-01")) & (
                parsed[ok] <= pd.Timestamp("2200-12-31")
            )
            idx = idx[in_range.to_numpy()]
            out.iloc[idx] = parsed[ok][in_range.to_numpy()].astype("datetime64[ns]").to_numpy()
            remaining[idx] = False
    if remaining.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(text[remaining], format="ISO8601", errors="coerce", utc=True)
        ok = parsed.notna().to_numpy()
        if ok.any():
            idx = np.flatnonzero(remaining)[ok]
            vals = parsed[ok].dt.tz_convert(None)
            in_range = (
                (vals >= pd.Timestamp("1700-01-01")) & (vals <= pd.Timestamp("2200-12-31"))
            ).to_numpy()
            out.iloc[idx[in_range]] = vals[in_range].astype("datetime64[ns]").to_numpy()
            remaining[idx[in_range]] = False
    return out, remaining


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
