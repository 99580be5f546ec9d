"""Atomic file output: write beside the target, check, then ``os.replace``.

A failed or killed run never leaves a half-written or emptied target file;
temporary files carry a recognisable prefix and are removed on failure.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from areas.errors import OutputError

__all__ = ["TMP_PREFIX", "atomic_path", "write_bytes", "write_text"]

#: Prefix of every temporary file the toolkit creates beside an output.
TMP_PREFIX = ".areas-tmp-"


@contextlib.contextmanager
def atomic_path(
    target: str | os.PathLike, check: Callable[[Path], None] | None = None
) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place on success.

    Parameters
    ----------
    target : path
        The final file.
    check : callable, optional
        Called with the temporary path after the block; raise to abort.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "a.txt").read_text()
    'hello'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        if not tmp.exists():
            msg = "the writer produced no file"
            raise OutputError(msg, path=target)
        if check is not None:
            check(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return the path."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically and return the path."""
    return write_bytes(target, text.encode(encoding))
