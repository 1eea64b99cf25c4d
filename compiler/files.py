"""Reading an input file safely: regular files only, never more than msgc accepts.

Kept apart from YAML loading so that callers who only need the bytes (the result cache's
keys) do not load the YAML machinery.
"""

from __future__ import annotations

import stat
from pathlib import Path

from .diagnostics import Diagnostic, MsgcError

#: Largest spec file accepted; a spec is a few kilobytes.
MAX_BYTES = 8 * 1024 * 1024


def read_source(path: str | Path, *, display_name: str | None = None) -> bytes:
    """The bytes of a spec file (at most one byte more than :data:`MAX_BYTES`, so a caller
    can tell it is too large), or :class:`MsgcError` when it cannot be read."""
    path = Path(path)
    name = display_name or str(path)
    try:
        # Only regular files: opening a FIFO would wait for a writer, a device never ends.
        if not stat.S_ISREG(path.stat().st_mode):
            kind = "a folder" if path.is_dir() else "not a regular file"
            raise MsgcError([Diagnostic("io-error", f"cannot read file: it is {kind}", file=name)])
        with path.open("rb") as fh:
            return fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise MsgcError([Diagnostic("io-error", f"cannot read file: {exc.strerror}",
                                    file=name)]) from None
