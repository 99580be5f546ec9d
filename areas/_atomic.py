"""Atomic output: a file, or a whole folder, appears complete or not at all.

Files are written beside the target under a temporary name, checked, flushed
to disk and moved into place with ``os.replace``; the folder holding them is
then flushed too, so the rename itself survives a power cut.

Folders (a report bundle) are built in a staging folder beside the target
(``.areas-tmp-<name>-new-<pid>-<random>``) and then put in place. On Linux the
two folders are exchanged in one step (``renameat2(RENAME_EXCHANGE)``; on
macOS ``renamex_np(RENAME_SWAP)``), so the target always holds a complete
folder, the old or the new one; elsewhere the old folder is first renamed to
``.areas-tmp-<name>-old-<pid>-<random>`` and the new one renamed into place.
:func:`recover_folder` removes what runs that died left behind (and, if a run
died between the two renames, first puts the previous folder back).

A failed or killed run never leaves a half-written or emptied target;
temporary files and folders carry a recognisable prefix and are removed on
failure.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from areas.errors import OutputError

__all__ = [
    "TMP_PREFIX",
    "atomic_path",
    "write_bytes",
    "write_text",
    "fsync_dir",
    "atomic_folder",
    "new_staging_dir",
    "swap_into_place",
    "folder_leftovers",
    "recover_folder",
    "output_error",
    "check_file_target",
    "refuse_inputs",
]

#: Prefix of every temporary file the toolkit creates beside an output.
TMP_PREFIX = ".areas-tmp-"
_STAGING_RANDOM = r"[a-z0-9_]{8}"
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"


def fsync_dir(path: str | os.PathLike) -> None:
    """Flush a folder's entries (a rename into it) to disk; a no-op where it cannot be."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------------- errors


def _mount_point(path: Path) -> bool:
    try:
        return path.is_dir() and os.path.ismount(path)
    except OSError:
        return False


def _blocking_file(path: Path) -> Path | None:
    """Return the first part of ``path`` that exists and is not a folder (its parent chain)."""
    for parent in [*reversed(path.parents)]:
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def output_error(exc: OSError, target: str | os.PathLike, what: str = "file") -> OutputError:
    """Return an :class:`OutputError` naming ``target`` and the fix for an ``OSError``.

    ``what`` is ``"file"`` or ``"folder"``: the kind of output ``target`` should be.
    """
    target = Path(target)
    code = exc.errno
    where = f"`{target}`"
    if code == errno.EROFS:
        msg = (
            f"cannot write {where}: the file system is read-only; "
            "write to a folder you can write to"
        )
    elif code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        msg = (
            f"cannot write {where}: no space left on the device; free some space or write to "
            "another disk (the previous output is unchanged)"
        )
    elif code in (errno.EACCES, errno.EPERM):
        msg = f"cannot write {where}: permission denied; write to a folder you can write to"
    elif code == errno.EBUSY or _mount_point(target):
        msg = (
            f"cannot replace {where}: it is a mount point; give a {what} inside it, "
            f"e.g. {target / ('areas-report' if what == 'folder' else 'map.html')}"
        )
    elif code == errno.EISDIR or (what == "file" and target.is_dir()):
        msg = f"cannot write {where}: it is a folder; give a file name, e.g. {target / 'map.html'}"
    elif code in (errno.ENOTDIR, errno.EEXIST) and _blocking_file(target) is not None:
        msg = (
            f"cannot create {where}: {_blocking_file(target)} is a file, not a folder; "
            "choose another path"
        )
    elif code == errno.ENAMETOOLONG:
        msg = f"cannot write {where}: the name is too long; choose a shorter path"
    else:
        reason = exc.strerror or str(exc)
        msg = f"cannot write {where}: {reason}; choose another path"
    err = OutputError(msg)
    err.os_errno = code  # type: ignore[attr-defined]
    return err


def check_file_target(target: str | os.PathLike) -> Path:
    """Refuse a file output whose path is a folder, a mount point or below a file."""
    target = Path(target)
    if _mount_point(target.absolute()):
        raise output_error(OSError(errno.EBUSY, "mount point"), target)
    if target.is_dir():
        raise output_error(OSError(errno.EISDIR, "is a folder"), target)
    blocking = _blocking_file(target.absolute())
    if blocking is not None:
        raise output_error(OSError(errno.ENOTDIR, "not a folder"), target)
    return target


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def refuse_inputs(
    target: str | os.PathLike, inputs: Iterable[str | os.PathLike], what: str = "file"
) -> None:
    """Raise :class:`OutputError` when writing ``target`` would replace or delete an input.

    A file target may not be an input file; a folder target may not be an
    input, nor hold one (the whole folder is replaced).
    """
    target = Path(target).absolute()
    for raw in inputs:
        if not raw:
            continue
        src = Path(raw).absolute()
        hit = _same(target, src)
        if not hit and what == "folder":
            with contextlib.suppress(OSError, ValueError):
                hit = src.resolve().is_relative_to(target.resolve())
        if hit:
            kind = "an input folder" if src.is_dir() else "an input file"
            if what == "folder" and not _same(target, src):
                kind = f"a folder holding the input {src}"
            msg = (
                f"refusing to write `{target}`: it is {kind} of this run and would be "
                f"overwritten; give another --out path"
            )
            raise OutputError(msg)


# --------------------------------------------------------------------------- files


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
    check_file_target(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=target.suffix, dir=target.parent)
    except OSError as exc:
        raise output_error(exc, target) from None
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        try:
            yield tmp
        except OSError as exc:
            if isinstance(exc, OutputError) or exc.errno is None:
                raise
            raise output_error(exc, target) from None
        if not tmp.exists():
            msg = "the writer produced no file"
            raise OutputError(msg, path=target)
        if check is not None:
            check(tmp)
        try:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            raise output_error(exc, target) from None
        fsync_dir(target.parent)
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


# --------------------------------------------------------------------------- folders


def _staging_pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        re.escape(TMP_PREFIX + name) + r"-(new|old|del)-(\d+)-" + _STAGING_RANDOM + r"$"
    )


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftovers (an earlier run in this process) are stale
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def folder_leftovers(target: Path) -> list[tuple[str, int, Path]]:
    """Return (kind, pid, path) of the staging and backup folders of ``target``."""
    pattern = _staging_pattern(target.name)
    found = []
    try:
        entries = list(target.parent.iterdir())
    except FileNotFoundError:
        return []
    for entry in entries:
        m = pattern.match(entry.name)
        if m and entry.is_dir() and not entry.is_symlink():
            found.append((m.group(1), int(m.group(2)), entry))
    return found


def recover_folder(target: str | os.PathLike) -> list[Path]:
    """Clean up after folder swaps that were killed; return the folders removed.

    If ``target`` is missing but a backup of it exists (a run died between
    moving the old folder aside and moving the new one in), the newest backup
    is put back. Then the staging and backup folders of ``target`` left by
    processes that no longer run are deleted; those of a running process are
    left alone.
    """
    target = Path(target).absolute()
    dead = [(k, pid, p) for k, pid, p in folder_leftovers(target) if not _pid_alive(pid)]
    if not target.exists():
        backups = sorted((p for k, _, p in dead if k == "old"), key=lambda p: p.stat().st_mtime)
        if backups:
            os.rename(backups[-1], target)
            fsync_dir(target.parent)
            dead = [d for d in dead if d[2] != backups[-1]]
    removed = []
    for _, _, path in dead:
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step where the OS can; return False where it cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    if sys.platform.startswith("linux"):
        fn = getattr(libc, "renameat2", None)
        if fn is None:
            return False
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        at_fdcwd, rename_exchange = -100, 2
        result = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    elif sys.platform == "darwin":
        fn = getattr(libc, "renamex_np", None)
        if fn is None:
            return False
        fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        result = fn(os.fsencode(a), os.fsencode(b), 0x2)  # RENAME_SWAP
    else:
        return False
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_staging_dir(parent: Path, name: str, kind: str = "new") -> Path:
    """Create a staging folder with the permissions a plain ``mkdir`` would give.

    (``mkdtemp`` makes it private, ``0o700``, which a web server could not read.)
    """
    path = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{name}-{kind}-{os.getpid()}-", dir=parent))
    with contextlib.suppress(OSError):
        os.chmod(path, 0o777 & ~_umask())
    return path


def _free_name(parent: Path, name: str, kind: str) -> Path:
    """Return an unused path for a rename target named like the staging folders."""
    while True:
        token = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        path = parent / f"{TMP_PREFIX}{name}-{kind}-{os.getpid()}-{token}"
        if not os.path.lexists(path):
            return path


def swap_into_place(staging: Path, target: Path) -> None:
    """Put the checked ``staging`` folder in place of ``target``, then flush the parent."""
    parent, name = target.parent, target.name
    if not target.exists():
        os.rename(staging, target)
        fsync_dir(parent)
        return
    if _exchange(staging, target):
        fsync_dir(parent)
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous folder
        return
    backup = _free_name(parent, name, "old")
    os.rename(target, backup)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(backup, target)
        raise
    fsync_dir(parent)
    doomed = _free_name(parent, name, "del")
    os.rename(backup, doomed)
    shutil.rmtree(doomed, ignore_errors=True)


@contextlib.contextmanager
def atomic_folder(
    target: str | os.PathLike, check: Callable[[Path], None] | None = None
) -> Iterator[Path]:
    """Yield a staging folder beside ``target``; swap it into place on success.

    On any error (or when ``check``, called with the staging folder, raises)
    the staging folder is removed and ``target`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "bundle"
    >>> with atomic_folder(d) as tmp:
    ...     _ = (tmp / "a.txt").write_text("hello")
    >>> (d / "a.txt").read_text()
    'hello'
    """
    target = Path(target).absolute()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = new_staging_dir(target.parent, target.name, "new")
    except OSError as exc:
        raise output_error(exc, target, "folder") from None
    try:
        try:
            yield staging
            if check is not None:
                check(staging)
            swap_into_place(staging, target)
        except OSError as exc:
            code = getattr(exc, "os_errno", None) if isinstance(exc, OutputError) else exc.errno
            if code is None:
                raise
            raise output_error(OSError(code, exc.strerror), target, "folder") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
