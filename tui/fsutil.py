"""Atomic file writes: a crash leaves either the old file or the new one, never half."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from tui.errors import StoreError


def fsync_dir(directory: Path, *, strict: bool = False) -> None:
    """Make a rename in `directory` durable (POSIX; not possible on Windows).

    `strict` (the database) lets an OSError through; an export only tries.
    """
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        if strict:
            raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, os.replace, fsync the folder.

    Raises StoreError with one line naming the file when the disk says no.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    tmp = None
    try:
        tmp = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
        # not tempfile.mkstemp: its files are 0600 whatever the umask; an exported file
        # gets the usual permissions, or keeps those of the file it replaces
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with contextlib.suppress(OSError):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
        fsync_dir(directory)
    except OSError as err:
        reason = err.strerror or str(err)
        raise StoreError(f"cannot write {path}: {reason}") from err
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
