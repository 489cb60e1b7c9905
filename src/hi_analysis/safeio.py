"""Crash-safe file writing and the per-system build lock.

Every file the build writes goes through a temporary file created
*exclusively* (``O_CREAT | O_EXCL`` with an unpredictable name, never following
a symlink planted at a predictable path) in the destination's folder, and is
then renamed over the destination, so a reader sees either the old or the new
content. A build takes an exclusive lock on ``<build>/<system>/.lock`` for its
whole run, so two builds of one system never share staging folders.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from hi_analysis.errors import HiAnalysisError
from hi_analysis.paths import build_dir


class BuildLockedError(HiAnalysisError):
    """Another build of the same system holds the lock."""


def temp_path(target: Path, suffix: str = "") -> Path:
    """Create an empty temporary file next to ``target`` exclusively and return its path.

    The name is random and the file is created with ``O_EXCL``, so a symlink or
    file planted beforehand is never written through.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=suffix + ".tmp", dir=target.parent
    )
    os.close(fd)
    readable(Path(name))
    return Path(name)


def readable(path: Path) -> None:
    """Give an exclusively created file the usual permissions (mkstemp makes it 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through an exclusive temporary file and an atomic rename."""
    tmp = temp_path(path)
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def remove_stale_temporaries(folder: Path, pattern: str = ".*.tmp") -> int:
    """Delete temporary files left in ``folder`` by a killed run; return how many.

    Call only while holding the system lock (no other run can be writing them).
    """
    n = 0
    if folder.is_dir():
        for p in folder.rglob(pattern):
            if p.is_file() or p.is_symlink():
                p.unlink(missing_ok=True)
                n += 1
    return n


@contextlib.contextmanager
def system_lock(system_id: str, *, wait: float = 0.0, on_wait=None) -> Iterator[Path]:
    """Hold the exclusive build lock of a system for the duration of the block.

    Parameters
    ----------
    system_id : str
        The system (a slug, validated by the caller).
    wait : float
        Seconds to wait for another build to finish before giving up.
    on_wait : callable, optional
        Called once with a message when the lock is busy and we start waiting.

    Raises
    ------
    BuildLockedError
        When the lock is still held after ``wait`` seconds.
    """
    folder = build_dir() / system_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        deadline = time.monotonic() + max(0.0, wait)
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
                if time.monotonic() >= deadline:
                    raise BuildLockedError(
                        f"{path}: another build of system {system_id!r} is running "
                        f"(process {holder}); wait for it to finish, then run the command again"
                    ) from None
                if not told and on_wait is not None:
                    on_wait(
                        f"Another build of system {system_id!r} is running (process {holder}); "
                        f"waiting up to {wait:.0f} s for it to finish ..."
                    )
                    told = True
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing releases the lock
