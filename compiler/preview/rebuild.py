"""Building the preview site again after an edit, redoing only what the edit can change.

``msgc preview --serve`` calls :meth:`SiteBuilder.build` whenever a watched file changes.
Each build checks the whole tree with :func:`compiler.tree.check_tree`, so the rules that
span files (duplicate names, a folder without specs) are always computed afresh, but with an
in-memory result store (:class:`_LastResults`, keyed like ``msgc validate``'s cache by a
file's path and exact bytes): only files whose bytes changed are checked again. Only those
files' screens are drafted and their pages drawn again; the index is always drawn again.

A file whose bytes did not change keeps its screens only while its findings are the same
as at the last build. When they differ — another file's edit gave it or took away a
``duplicate-name`` finding — nothing kept is trusted and the whole site is built afresh.
Any failure mid-build forgets everything too, so the next build is a full one.

The result is byte-for-byte what :func:`compiler.preview.site.build` makes of the same files
with the same ``keep_pages`` (``tests/test_preview.py`` edits a tree step by step and
compares the two after every step).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..cache import ResultCache
from ..config_file import DEFAULT_EXCLUDE
from ..diagnostics import Diagnostic, sort_key
from ..tree import check_tree
from ..tuning import Tuning
from . import pages
from . import site as preview_site
from .model import Site, SpecEntry, assemble, modes_for, spec_entry, tune


class _LastResults(ResultCache):
    """The per-file results of the last build, in memory (never on disk): what
    :func:`compiler.tree.check_tree` stores and asks for, as the result cache would."""

    def __init__(self) -> None:
        super().__init__(Path("."))
        self._failed = True  # the database is never opened
        self._stored: dict[str, str] = {}
        self._used: set[str] = set()

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        wanted = set(keys)
        self._used |= wanted
        return {k: json.loads(self._stored[k]) for k in wanted if k in self._stored}

    def put_many(self, items: Mapping[str, Any]) -> None:
        self._used |= set(items)
        self._stored.update({k: json.dumps(v) for k, v in items.items()})

    def keep_last_run(self) -> None:
        """Drop the results no file of the last build has (older versions of files)."""
        self._stored = {k: v for k, v in self._stored.items() if k in self._used}
        self._used = set()


def _same_findings(a: Sequence[Diagnostic], b: Sequence[Diagnostic]) -> bool:
    def fields(d: Diagnostic) -> tuple[Any, ...]:
        return (d.rule, d.message, d.severity, d.file, d.line, d.column, d.path, d.hint,
                d.provider, d.locale)

    return [fields(d) for d in a] == [fields(d) for d in b]


class SiteBuilder:
    """The preview site of ``paths``, built again cheaply after edits (see the module)."""

    def __init__(self, paths: Sequence[str], *, envelope_defaults: Mapping[str, Any],
                 given: Mapping[str, Any] | None, exclude: Sequence[str] = DEFAULT_EXCLUDE,
                 tuning: Tuning | None = None) -> None:
        self.paths = list(paths)
        self.tuning = tuning
        self.defaults = dict(envelope_defaults)
        self.given = given
        self.exclude = tuple(exclude)
        self.modes = modes_for(given)
        self.site: Site | None = None
        self.page_names: dict[str, str] = {}   # source file -> its page, kept while serving
        self.full_builds = 0                     # how many builds started from nothing
        self._fresh = True
        self._results = _LastResults()
        self._entries: dict[str, SpecEntry] = {}          # file -> what its page shows
        self._pages: dict[str, tuple[SpecEntry, bytes]] = {}  # page -> (entry, bytes)

    def forget(self) -> None:
        """Drop everything kept: the next build starts from nothing."""
        self._results = _LastResults()
        self._entries = {}
        self._pages = {}
        self._fresh = True

    def build(self) -> dict[str, bytes]:
        """Every file of the site, as :func:`compiler.preview.site.build` makes them."""
        try:
            return self._build()
        except BaseException:
            self.forget()
            raise

    def _build(self) -> dict[str, bytes]:
        if self._fresh:
            self.full_builds += 1
        report = tune(check_tree(self.paths, envelope_defaults=self.defaults,
                                 keep_outputs=True, jobs=1, exclude=self.exclude,
                                 cache=self._results), self.tuning)
        self._results.keep_last_run()
        entries: dict[str, SpecEntry] = {}
        for file in report.files:
            kept = self._entries.get(file.path)
            if file.spec is None and file.name is not None:
                # A spec whose bytes are those of the last build (its result was stored):
                # its screens stand if its findings do.
                if kept is None or not _same_findings(
                        kept.findings, sorted(file.diagnostics, key=sort_key)):
                    self.forget()
                    return self._build()
                entries[file.path] = kept
            else:
                entries[file.path] = spec_entry(file, self.defaults, self.given, self.modes,
                                                self.tuning)
        site = assemble(report, list(entries.values()), self.modes, self.page_names)
        files = preview_site.render_site(site, self._spec_page)
        self._entries = entries
        self._pages = {pages.spec_path(e): (e, files[pages.spec_path(e)]) for e in site.specs}
        self.page_names = {e.source: e.slug for e in site.specs}
        self.site = site
        self._fresh = False
        return files

    def _spec_page(self, site: Site, entry: SpecEntry) -> bytes:
        kept = self._pages.get(pages.spec_path(entry))
        if kept is not None and kept[0] is entry:
            return kept[1]
        return pages.spec_page(site, entry)
