"""Writing the files a user names, with failures that say which file and why.

Every operating-system error becomes an ``io-error`` diagnostic naming the file and the
system's own reason ("Permission denied", "Read-only file system", "Not a directory"), which
the commands turn into exit code 2. :func:`check_writable` lets a command find out before
it starts long work (a campaign, a server) that its output could not be written.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .diagnostics import Diagnostic, MsgcError
from .source import RULE_IO


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
        handle, name = tempfile.mkstemp(prefix=".msgc-check-", dir=path.parent)
        os.close(handle)
        with contextlib.suppress(OSError):
            os.unlink(name)
    except OSError as exc:
        raise io_error(path, exc) from None
