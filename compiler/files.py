"""Reading and writing the files a user names, with failures that say which file and why.

Reading: :func:`read_source` takes regular files only (a FIFO would wait forever for a
writer, a device never ends) and never more than msgc accepts. It is kept apart from YAML
loading so that callers who only need the bytes (the result cache's keys) do not load the
YAML machinery.

Writing: every operating-system error becomes an ``io-error`` diagnostic naming the file
and the system's own reason ("Permission denied", "Read-only file system", "Not a
directory"), which the commands turn into exit code 2. :func:`check_writable` lets a
command find out before it starts long work (a campaign, a server) that its output could
not be written.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from .diagnostics import Diagnostic, MsgcError

#: The rule of every failure to read or write a file.
RULE_IO = "io-error"
RULE_ENCODING = "encoding"
RULE_TOO_LARGE = "file-too-large"
#: Rules of input that could not be read at all: exit 2 ("unreadable input"), not 1 (a spec
#: with findings). The file is missing or unreadable, not UTF-8, or too large to be a spec.
UNREADABLE_RULES = frozenset({RULE_IO, RULE_ENCODING, RULE_TOO_LARGE})
#: Largest spec file accepted; a spec is a few kilobytes.
MAX_BYTES = 8 * 1024 * 1024


#: O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused once open).
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def read_source(path: str | Path, *, display_name: str | None = None) -> bytes:
    """The bytes of a spec file (at most one byte more than :data:`MAX_BYTES`, so a caller
    can tell it is too large), or :class:`MsgcError` when it cannot be read."""
    name = display_name or str(path)
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        kind = _irregular(path)  # Windows cannot open a folder, Linux a socket
        if kind is not None:
            raise _not_regular(name, kind) from None
        raise MsgcError([Diagnostic(RULE_IO, f"cannot read file: {os_reason(exc)}",
                                    file=name)]) from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise _not_regular(name, _kind(status.st_mode))
        return _read_at_most(fd, MAX_BYTES + 1, status.st_size)
    except OSError as exc:
        raise MsgcError([Diagnostic(RULE_IO, f"cannot read file: {os_reason(exc)}",
                                    file=name)]) from None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    return "a folder" if stat.S_ISDIR(mode) else "not a regular file"


def _irregular(path: str | Path) -> str | None:
    """What ``path`` is when it exists but is no regular file (None otherwise)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else _kind(mode)


def _not_regular(name: str, kind: str) -> MsgcError:
    return MsgcError([Diagnostic(RULE_IO, f"cannot read file: it is {kind}", file=name)])


def _read_at_most(fd: int, limit: int, size: int) -> bytes:
    """Up to ``limit`` bytes from ``fd``: first what its ``size`` says it holds and one byte
    more (a few-kilobyte spec costs no 8 MiB buffer), then on to the end in case the file
    grew."""
    parts = []
    left = limit
    want = min(limit, size + 1)
    while left > 0:
        part = os.read(fd, min(left, want))
        want = 64 * 1024
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def os_reason(exc: OSError) -> str:
    """The operating system's words for ``exc`` ("Permission denied"), never a repr."""
    return exc.strerror or str(exc) or type(exc).__name__


def io_error(path: str | Path, exc: OSError, what: str = "write") -> MsgcError:
    """An ``io-error`` naming ``path`` (the file the user gave) and the OS reason."""
    return MsgcError([Diagnostic(RULE_IO, f"cannot {what} {path}: {os_reason(exc)}",
                                 file=str(path))])


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``, creating its folders; :func:`io_error` on failure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise io_error(path, exc) from None


def check_writable(path: Path) -> None:
    """Raise :func:`io_error` unless a file can be created (or appended to) at ``path``.

    The folder is tested by creating and removing a temporary file in it, so nothing is
    left behind and an existing file at ``path`` is never changed.
    """
    try:
        if path.is_dir():
            raise IsADirectoryError(21, os.strerror(21), str(path))
        if path.exists():
            with path.open("ab"):
                pass
            return
        import tempfile  # here: only commands that write load it

        handle, name = tempfile.mkstemp(prefix=".msgc-check-", dir=path.parent)
        os.close(handle)
        with contextlib.suppress(OSError):
            os.unlink(name)
    except OSError as exc:
        raise io_error(path, exc) from None
