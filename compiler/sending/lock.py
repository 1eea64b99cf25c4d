"""One process per campaign: an OS lock on a file next to the results file.

``out.jsonl.lock`` is locked with ``flock(LOCK_EX | LOCK_NB)`` for the whole run of
``msgc send --recipients`` (fresh run, ``--resume``, ``--resend-unknown``,
``--retry-failed``). The kernel drops the lock when its holder exits, however it exits
(``kill -9`` included), so a lock never outlives its process and a resume after a crash is
never blocked. The holder writes who it is (PID, host, start time) into the file, and a
second process is refused with exactly that.

The file is removed when the holder releases the lock. A process that locks a file which
was removed in the meantime (its holder finished between our open and our lock) sees a
different inode at the path, and starts over with the new file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, MsgcError


def lock_path(results: Path) -> Path:
    """Where the lock of a results file's campaign lives."""
    return results.with_name(results.name + ".lock")


def _holder(text: str) -> str:
    try:
        who: Any = json.loads(text)
        started = time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(float(who["started"])))
        return f"PID {int(who['pid'])} on host {who['host']}, started {started}"
    except (ValueError, KeyError, TypeError, OverflowError):
        return "a process that has not said who it is yet"


class CampaignLock:
    """The lock of one campaign; :meth:`acquire` or a usage error naming the holder."""

    def __init__(self, results: Path) -> None:
        self.path = lock_path(results)
        self._fd: int | None = None

    def acquire(self) -> None:
        for _ in range(50):
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise self._refusal() from None
                raise self._io_error(exc) from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                self._write_holder()
                return
            os.close(fd)  # the previous holder removed it; lock the new one
        raise self._refusal()

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise self._io_error(exc) from None

    def _write_holder(self) -> None:
        assert self._fd is not None
        who = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(),
               "command": "msgc send"}
        data = json.dumps(who).encode() + b"\n"
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)

    def _refusal(self) -> MsgcError:
        text = ""
        for _ in range(20):  # the holder writes its name right after locking
            with contextlib.suppress(OSError):
                text = self.path.read_text("utf-8")
            if text.strip():
                break
            time.sleep(0.01)
        return MsgcError([Diagnostic(
            "campaign-locked", f"another msgc send is running this campaign: {_holder(text)}",
            file=str(self.path),
            hint="one process per campaign: wait for it to finish, or stop it (Ctrl-C) and "
                 "run this again with --resume")])

    def _io_error(self, exc: OSError) -> MsgcError:
        return MsgcError([Diagnostic("io-error", f"cannot lock the campaign: {exc.strerror}",
                                     file=str(self.path),
                                     hint="the folder of the results file must be writable "
                                          "and support file locks")])

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)  # still locked: nobody can take the old inode meanwhile
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> CampaignLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
