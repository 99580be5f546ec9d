"""File-name-safe, unique slugs for district pages."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["RESERVED_NAMES", "safe_slug", "district_slugs"]

#: Windows device names; never used as file names (with or without extension).
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
_SLUG_MAX = 60


def safe_slug(text: object, *, max_length: int = _SLUG_MAX) -> str:
    """Return a file-name-safe slug for a district id.

    The slug holds only ``a-z``, ``0-9`` and ``-``: it cannot contain a path
    separator, ``..``, a drive letter or a leading dot, so a page named after
    it stays inside the report folder on every operating system. Danish
    letters are transliterated (æ → ae, ø → oe, å → aa), other accents
    dropped; Windows device names (``CON``, ``NUL``, ``COM1`` ...) get a
    suffix; an id with nothing usable becomes ``district``.

    Parameters
    ----------
    text : object
        The district id (any text).
    max_length : int, default 60
        Longest slug returned.

    Returns
    -------
    str

    Examples
    --------
    >>> safe_slug("Røde Vejrmølle")
    'roede-vejrmoelle'
    >>> safe_slug("../../etc/passwd")
    'etc-passwd'
    >>> safe_slug("CON")
    'con-district'
    >>> safe_slug("..")
    'district'
    """
    s = unicodedata.normalize("NFKC", str(text)).lower()
    for a, b in (
        ("æ", "ae"),
        ("ø", "oe"),
        ("å", "aa"),
        ("ß", "ss"),
        ("đ", "d"),
        ("ł", "l"),
        ("ı", "i"),
    ):
        s = s.replace(a, b)
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    s = s[:max_length].rstrip("-")
    if not s:
        s = "district"
    if s in RESERVED_NAMES:
        s = f"{s}-district"
    return s


def district_slugs(ids: Iterable[object]) -> dict[str, str]:
    """Return a unique :func:`safe_slug` for each id.

    Ids whose slugs collide (``"A 1"`` and ``"a-1"``, or ids differing only
    in case, which collide on case-insensitive file systems) keep the plain
    slug only where the id already is that slug; the others get the first
    eight hex digits of the SHA-1 of the id appended, so the result depends
    only on the ids, not on their order.

    Examples
    --------
    >>> district_slugs(["holmene", "Holmene"])
    {'holmene': 'holmene', 'Holmene': 'holmene-fb92ec55'}
    """
    unique = list(dict.fromkeys(str(i) for i in ids))
    base = {i: safe_slug(i) for i in unique}
    groups: dict[str, list[str]] = {}
    for i in unique:
        groups.setdefault(base[i], []).append(i)
    out: dict[str, str] = {}
    for slug, members in groups.items():
        for i in members:
            if len(members) == 1 or i == slug:
                out[i] = slug
            else:
                out[i] = (
                    f"{slug[: _SLUG_MAX - 9]}-{hashlib.sha1(i.encode('utf-8')).hexdigest()[:8]}"
                )
    taken: dict[str, str] = {}
    for i, slug in out.items():  # a hashed slug meeting a plain one: extend the hash
        while slug in taken and taken[slug] != i:
            slug = f"{slug}-{hashlib.sha1(slug.encode('utf-8')).hexdigest()[:4]}"
        taken[slug] = i
        out[i] = slug
    return out
