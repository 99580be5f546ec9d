"""Reading dates: one parser for data files, the command line and the Python API.

Danish dates are day first, always. The forms read are:

- ``YYYY-MM-DD`` (ISO 8601), also with a time of day (``2025-10-26T05:00``,
  ``2025-10-26 05:00:00+02:00``): the calendar day as written is kept, the time
  is dropped;
- ``DD-MM-YYYY``, ``DD.MM.YYYY`` and ``DD/MM/YYYY``, day and month with one or two
  digits (``1-12-2026``, ``01.12.2026``, ``1/12/2026``): always day first, so
  ``01-12-2026`` is 1 December 2026 whatever the day;
- ``YYYYMMDD`` (``20261201``) and year-first with ``/`` or ``.`` (``2026/12/01``);
- the day, the month's name and the year, in Danish or English, full or short
  (``1. december 2026``, ``1 dec. 2026``, ``1 December 2026``);
- ``YYYY-MM`` and ``YYYY``: the first day of that month or year.

Anything else is not a date: ``december``, ``12-2026``, ``01-12-26`` (a
two-digit year), ``31-02-2026`` (no such day), ``2026-13-01``, a year before
1700 or after 2200. A file's value that is not a date is an error naming the
features; an ``as_of`` that is not a date is a :class:`~areas.errors.ConfigError`.

Examples
--------
>>> read_date("01-12-2026"), read_date("1.11.2025"), read_date("2026-12-01")
(datetime.date(2026, 12, 1), datetime.date(2025, 11, 1), datetime.date(2026, 12, 1))
>>> read_date("13/12/2026"), read_date("1. december 2026")
(datetime.date(2026, 12, 13), datetime.date(2026, 12, 1))
>>> read_date("december") is None
True
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from areas.errors import ConfigError, shown

__all__ = [
    "DATE_FORMS",
    "DATE_HELP",
    "DATE_FIX",
    "FIRST_YEAR",
    "LAST_YEAR",
    "read_date",
    "parse_dates",
    "resolve_date",
]

#: The earliest and latest years a date may have.
FIRST_YEAR, LAST_YEAR = 1700, 2200

#: The forms read, as one sentence (for messages).
DATE_FORMS = (
    "dates are read day first: DD-MM-YYYY, DD.MM.YYYY or DD/MM/YYYY (1-12-2026 too), "
    "YYYY-MM-DD (ISO, a time of day is dropped), YYYYMMDD, '1. december 2026', "
    "YYYY-MM or YYYY (the first day)"
)
#: Help text of the command line's ``--as-of`` and ``--compare-as-of``.
DATE_HELP = (
    "a date, day first: DD-MM-YYYY, DD.MM.YYYY or DD/MM/YYYY (01-12-2026 is "
    "1 December 2026), YYYY-MM-DD, YYYYMMDD or '1. december 2026'"
)
#: The fix of an unreadable date in a file.
DATE_FIX = (
    "write dates as YYYY-MM-DD or day first as DD-MM-YYYY (also read: DD.MM.YYYY, "
    "DD/MM/YYYY, YYYYMMDD, '1. december 2026', YYYY-MM, YYYY, ISO 8601 date-times); "
    "leave the field blank for no date"
)

_MONTHS = {
    "januar": 1, "january": 1, "jan": 1,
    "februar": 2, "february": 2, "feb": 2,
    "marts": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "maj": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_DAY_FIRST = re.compile(r"(\d{1,2})([-./])(\d{1,2})\2(\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})([/.])(\d{1,2})\2(\d{1,2})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NAMED = re.compile(r"(\d{1,2})\.?\s*([a-zæøå]+)\.?,?\s*(\d{4})", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"\d{4}")


def _day(year: int, month: int, day: int) -> dt.date | None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def read_date(text: str) -> dt.date | None:
    """Return the calendar day ``text`` names, or None when it is not a date.

    Parameters
    ----------
    text : str
        A date in one of the forms of the module docstring (blanks around it allowed).

    Examples
    --------
    >>> read_date("2025-10-26T05:00+02:00")
    datetime.date(2025, 10, 26)
    >>> read_date("31-02-2026") is None, read_date("01-12-26") is None
    (True, True)
    """
    s = str(text).strip()
    if m := _ISO.fullmatch(s):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := _DAY_FIRST.fullmatch(s):
        return _day(int(m[4]), int(m[3]), int(m[1]))
    if m := _YEAR_FIRST.fullmatch(s):
        return _day(int(m[1]), int(m[3]), int(m[4]))
    if m := _COMPACT.fullmatch(s):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := _NAMED.fullmatch(s):
        month = _MONTHS.get(m[2].lower())
        return None if month is None else _day(int(m[3]), month, int(m[1]))
    if m := _MONTH.fullmatch(s):
        return _day(int(m[1]), int(m[2]), 1)
    if _YEAR.fullmatch(s):
        return _day(int(s), 1, 1)
    return None


def parse_dates(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Return (datetime64[ns] values, mask of values present but not dates).

    Values that are dates already keep their calendar day (a time zone is
    dropped, not converted); text is read by :func:`read_date`.

    Examples
    --------
    >>> values, bad = parse_dates(pd.Series(["01-12-2026", "december", None]))
    >>> [str(v)[:10] for v in values], bad.tolist()
    (['2026-12-01', 'NaT', 'NaT'], [False, True, False])
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        s = series
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        return s.astype("datetime64[ns]"), np.zeros(len(series), dtype=bool)
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    present = series.notna().to_numpy()
    values = series[present]
    if not len(values):
        return out, np.zeros(len(series), dtype=bool)
    days = {}
    for value in pd.unique(values.to_numpy(dtype=object)):
        days[value] = _as_day(value)
    parsed = values.map(days)
    ok = parsed.notna().to_numpy()
    positions = np.flatnonzero(present)
    out.iloc[positions[ok]] = pd.to_datetime(parsed[ok].tolist()).astype("datetime64[ns]")
    bad = np.zeros(len(series), dtype=bool)
    bad[positions[~ok]] = True
    blank = values.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
    bad[positions[blank]] = False
    return out, bad


def _as_day(value: object) -> dt.date | None:
    """Return the calendar day of one value of a file or an argument, or None."""
    if isinstance(value, pd.Timestamp):
        return None if value is pd.NaT else _day(value.year, value.month, value.day)
    if isinstance(value, dt.date):  # also datetime.datetime
        return _day(value.year, value.month, value.day)
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else _as_day(pd.Timestamp(value))
    if isinstance(value, str):
        return read_date(value)
    if isinstance(value, bytes):
        return None
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return read_date(str(value)) if 1000 <= value <= 99991231 else None
    if isinstance(value, float | np.floating) and np.isfinite(value) and value == int(value):
        return _as_day(int(value))
    return None


def resolve_date(value: object = None, name: str = "as_of") -> pd.Timestamp:
    """Return ``value`` as a calendar day (a midnight :class:`pandas.Timestamp`); today when None.

    Parameters
    ----------
    value : str, datetime.date, pandas.Timestamp, numpy.datetime64 or None
        Text in one of the forms of the module docstring, or a date.
    name : str, default "as_of"
        The argument's name, for the error message.

    Raises
    ------
    ConfigError
        When ``value`` is not a date.

    Examples
    --------
    >>> resolve_date("01-12-2026")
    Timestamp('2026-12-01 00:00:00')
    >>> resolve_date("december")
    Traceback (most recent call last):
    ...
    areas.errors.ConfigError: `as_of` must be a date, got 'december': dates are read day first: ...
    """
    if value is None:
        return pd.Timestamp(dt.date.today())
    # a number is not a date here (pandas would read 2026 as nanoseconds after 1970)
    day = None if isinstance(value, bool | int | float) else _as_day(value)
    if day is None:
        msg = f"`{name}` must be a date, got {shown(value)}: {DATE_FORMS}"
        raise ConfigError(msg, fix="write the date as e.g. 01-12-2026 or 2026-12-01")
    return pd.Timestamp(day)
