"""File-system safety shared by the database and by exports.

* `atomic_write_bytes`: a crash leaves either the old file or the new one, never half;
  a symlink is written through (the new file replaces the link's target, beside
  the target) and a stream (FIFO, character device) is written to, never replaced.
* `create_exclusive`: every file we create is opened with O_EXCL|O_NOFOLLOW under
  an unpredictable name, so a planted file or symlink is never written through.
* `read_regular`: a file is read only when it is a regular file of a bounded size
  (a FIFO, /dev/zero or a runaway file is refused before any byte is read).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from tui.errors import StoreError

# No library or state file comes near this (100,000 works are ~60 MB); anything
# bigger is not ours and is never read into memory.
MAX_READ_BYTES = 1 << 30

_BINARY = getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


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


def resolve(path: str | Path) -> Path:
    """The absolute path with every symlink resolved: the file that is really written.

    Resolved once, when a file is opened, so the temporary file, the rename and
    the side files (lock, state, backups) all sit beside the link's target.
    """
    return Path(os.path.realpath(Path(path).expanduser()))


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def can_write(path: Path) -> bool:
    """Whether we may write the existing file `path` (True when it is missing).

    Checked with the effective ids, as open() would: root may write anything. Our
    writes rename a new file over the old one, which needs only the folder to be
    writable; a file its owner made read-only must still not be replaced.
    """
    effective = {"effective_ids": True} if os.access in os.supports_effective_ids else {}
    try:
        return not os.path.exists(path) or os.access(path, os.W_OK, **effective)
    except OSError:
        return True


def temp_name(path: Path, tail: str = ".tmp") -> Path:
    """An unpredictable hidden name beside `path` (``.<name>.<random>.tmp``)."""
    # (os.urandom(8).hex() is secrets.token_hex(8), without importing secrets: hmac
    # and hashlib, 2.5 ms of every start)
    return path.with_name(f".{path.name}.{os.urandom(8).hex()}{tail}")


def create_exclusive(path: Path, mode: int = 0o666) -> int:
    """Create `path` (never an existing file, never through a symlink); an fd for writing."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, mode)


def mode_of(*paths: Path | None) -> int | None:
    """The permission bits of the first of `paths` that exists (None: use the umask)."""
    for p in paths:
        if p is None:
            continue
        with contextlib.suppress(OSError):
            return os.stat(p).st_mode & 0o7777
    return None


def write_temp(path: Path, data: bytes | list[bytes], mode: int | None) -> Path:
    """`data` (bytes, or a list of pieces written one after the other, so a big file
    is never joined in memory) in a new, fsynced temporary file beside `path`, with
    `mode` if given."""
    tmp = temp_name(path)
    # created with the final bits (the umask can only take bits away): the file is
    # never readable by others for a moment, nor for good if the chmod below fails
    fd = create_exclusive(tmp, 0o666 if mode is None else mode & 0o777)
    try:
        if mode is not None:
            with contextlib.suppress(OSError):
                os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, list):
                fh.writelines(data)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def read_regular(path: Path, limit: int = MAX_READ_BYTES, offset: int = 0) -> bytes | None:
    """The bytes of `path` from `offset` (None when it does not exist).

    StoreError (one line naming the file) when it is not a regular file or is
    bigger than `limit`: checked on the open file before reading, and O_NONBLOCK
    keeps a FIFO from blocking the open.
    """
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise StoreError(
                f"{path} is {kind_of(st.st_mode)}, not a database file; it was left untouched"
            )
        if st.st_size > limit:
            raise StoreError(
                f"{path} is too big to be a readinglist file ({st.st_size} bytes); "
                f"it was left untouched"
            )
        if offset:
            os.lseek(fd, offset, os.SEEK_SET)
        chunks = []
        left = limit + 1  # a file that grows while we read is still bounded
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise StoreError(f"{path} is too big to be a readinglist file; it was left untouched")
        return b"".join(chunks)
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def check_regular_or_missing(path: Path) -> None:
    """StoreError unless `path` is a regular file or does not exist (nothing is opened)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise StoreError(f"{path} is a folder; give the path of a database file")
    if not stat.S_ISREG(st.st_mode):
        raise StoreError(
            f"{path} is {kind_of(st.st_mode)}, not a database file; give the path of a "
            f"database file"
        )


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one.

    A regular (or missing) file: a temporary file beside it, fsync, os.replace,
    fsync the folder; a file we may not write (read-only, someone else's) is
    refused, as `cp` would refuse it, though the rename would be allowed. A symlink is written through: the target is replaced,
    beside the target. A stream (FIFO, character device) and ``-`` (stdout) are
    written to plainly: renaming over them would replace /dev/null or give a
    FIFO's reader nothing. A block device (a disk) is refused.

    Raises StoreError with one line naming the file when the disk says no.
    """
    path = Path(path)
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise StoreError(f"cannot write {path}: it is a folder")
        if not (stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode)):
            # a block device is a disk: writing an export over it would destroy it
            raise StoreError(
                f"cannot write {path}: it is {kind_of(st.st_mode)}; give a file name, "
                f"a FIFO or - for standard output"
            )
        _stream_to(path, data)
        return
    if st is not None and not can_write(path):
        # The rename needs only the folder to be writable, but the owner made this
        # file read-only (or it is someone else's): `cp` and `>` refuse it too.
        raise StoreError(
            f"cannot write {path}: Permission denied (the file is read-only); nothing was written"
        )
    target = resolve(path)
    directory = target.parent
    tmp = None
    try:
        # the usual permissions (umask), or those of the file it replaces
        tmp = write_temp(target, data, mode_of(target))
        os.replace(tmp, target)
        tmp = None
        fsync_dir(directory)
    except OSError as err:
        reason = err.strerror or str(err)
        raise StoreError(f"cannot write {path}: {reason}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _stream_to(path: Path, data: bytes) -> None:
    """Plain writing into a FIFO or device (opening a FIFO waits for its reader)."""
    try:
        fd = os.open(path, os.O_WRONLY | _BINARY)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as err:
        raise StoreError(f"cannot write {path}: {err.strerror or err}") from None
