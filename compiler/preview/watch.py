"""Noticing that a watched file changed, from file stats alone (no dependency, any OS).

:class:`Watcher` keeps, for every folder under the given paths and every ``.yaml``/``.yml``
file in them (skipping the names ``exclude`` skips, as :func:`compiler.tree.find_spec_files`
does), its stat stamp: modification time, size, inode, type. A look (:meth:`Watcher.changed`)
stats those folders and files only; when a folder's stamp changed (a file was added,
removed or renamed in it, as editors do when they save through a temporary file), that
folder's subtree is listed again. Extra files (the ``--vars`` file, the config) are
stat-ed too.

A file system's clock may be coarse (1 s on HFS+, 2 s on FAT; a few milliseconds on ext4):
two saves within one tick, of the same size, leave the same stamp. So while a file's
modification time is within :data:`RACY_SECONDS` of now, each look also compares its bytes
with those of the previous look (the way git treats "racily clean" files).

A file found empty is reported once it has stayed empty for :data:`EMPTY_GRACE` seconds,
unless it changes again first: a save that truncates a file and then writes it must not
show an empty spec (a missing page) for a moment, and on a busy machine the write can come
a good while after the truncation.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ..tree import SPEC_SUFFIXES

#: How long after its modification time a file's bytes are compared as well as its stamp.
RACY_SECONDS = 3.0

#: How long a file must stay empty before the change is reported (see the module).
EMPTY_GRACE = 1.0

Stamp = tuple[int, int, int, int] | None   # (type, mtime_ns, size, inode); None: missing


def _stamp(path: Path) -> Stamp:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return (stat.S_IFMT(st.st_mode), st.st_mtime_ns, st.st_size, st.st_ino)


def _content(path: Path) -> bytes | None:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except (OSError, ValueError):
        return None


class Watcher:
    """The spec files under ``paths`` and the ``extra`` files: which of them changed."""

    def __init__(self, paths: Sequence[str], *, exclude: Sequence[str],
                 extra: Sequence[Path] = (), clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self._roots = [Path(p) for p in paths]
        self._exclude = tuple(exclude)
        self._root_stamps = [_stamp(p) for p in self._roots]
        self._folders: dict[Path, tuple[Stamp, list[str]]] = {}
        self._files: dict[Path, Stamp] = self._list()
        self._extra = {Path(p): _stamp(Path(p)) for p in extra}
        self._bytes: dict[Path, bytes | None] = {}
        self._settling: dict[Path, float] = {}   # found empty, and since when
        self._clock = clock
        self._racy(set())

    @property
    def files(self) -> list[Path]:
        """The files watched now: the spec candidates, then the extra files."""
        return [*self._files, *self._extra]

    def changed(self) -> set[Path]:
        """The watched files that changed, appeared or disappeared since the last look."""
        changed: set[Path] = set()
        roots = [_stamp(p) for p in self._roots]
        if roots != self._root_stamps or any(self._folder_changed(f) for f in self._folders):
            self._root_stamps = roots
            before, self._files = self._files, self._list()
            changed.update(f for f in before.keys() | self._files.keys()
                           if f not in before or f not in self._files
                           or before[f] != self._files[f])
        else:
            for path, old in self._files.items():
                new = _stamp(path)
                if new != old:
                    self._files[path] = new
                    changed.add(path)
        for path, old in self._extra.items():
            new = _stamp(path)
            if new != old:
                self._extra[path] = new
                changed.add(path)
        self._racy(changed)
        return self._settle(changed)

    def _settle(self, changed: set[Path]) -> set[Path]:
        """``changed``, less the files found empty (perhaps mid-save) less than
        :data:`EMPTY_GRACE` seconds ago, plus those that have stayed empty that long."""
        now = self._clock()
        ready: set[Path] = set()
        for path, since in list(self._settling.items()):  # still empty: any change to
            if path not in changed and now - since >= EMPTY_GRACE:  # it is in ``changed``
                del self._settling[path]
                ready.add(path)
        for path in changed:
            stamp = self._files.get(path, self._extra.get(path))
            if stamp is not None and stamp[2] == 0:
                self._settling.setdefault(path, now)  # empty: wait for it to fill or stay
                if now - self._settling[path] >= EMPTY_GRACE:
                    del self._settling[path]
                    ready.add(path)
            else:
                self._settling.pop(path, None)
                ready.add(path)
        return ready

    def _folder_changed(self, folder: Path) -> bool:
        stamp, names = self._folders[folder]
        now = _stamp(folder)
        return now != stamp or (_recent(now) and _names(folder) != names)

    def _racy(self, changed: set[Path]) -> None:
        """Compare the bytes of recently modified files with those of the last look."""
        racy: dict[Path, bytes | None] = {}
        for path, stamp in [*self._files.items(), *self._extra.items()]:
            if _recent(stamp):
                racy[path] = _content(path)
                if path in self._bytes and self._bytes[path] != racy[path]:
                    changed.add(path)
        self._bytes = racy

    def _list(self) -> dict[Path, Stamp]:
        """List the folders again (each one's stamp taken before its listing, so a change
        during the listing shows at the next look); return the files, with their stamps."""
        patterns = self._exclude

        def skipped(name: str) -> bool:
            return any(fnmatch.fnmatchcase(name, p) for p in patterns)

        self._folders = {}
        files: dict[Path, Stamp] = {}
        pending = [root for root in self._roots if root.is_dir()]
        files.update((root, _stamp(root)) for root in self._roots if not root.is_dir())
        while pending:
            folder = pending.pop()
            stamp = _stamp(folder)
            names = _names(folder)
            self._folders[folder] = (stamp, names)
            for name in names:
                if skipped(name):
                    continue
                path = folder / name
                if path.is_dir():
                    if not path.is_symlink():  # as os.walk: links to folders are not followed
                        pending.append(path)
                elif name.endswith(SPEC_SUFFIXES):
                    files[path] = _stamp(path)
        return dict(sorted(files.items()))


def _names(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def _recent(stamp: Stamp) -> bool:
    """Whether a change within the file system's clock tick could leave ``stamp`` as is."""
    return stamp is not None and abs(time.time_ns() - stamp[1]) <= RACY_SECONDS * 1e9
