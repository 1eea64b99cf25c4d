"""Building the preview site in memory, and writing it to a folder.

:func:`build` returns every file of the site as ``{relative path: bytes}``; ``msgc
preview -o DIR`` writes that and ``msgc preview --serve`` serves it. Output is
deterministic — no time stamps, files in a fixed order, the same bytes for the same specs —
so a rebuild of unchanged specs is byte-identical and the site can be kept as a CI artifact.

Writing owns only what it wrote: ``.msgc-preview`` in the folder lists the files of the
last build, and files a previous build listed but this one does not make are removed.
Nothing else in the folder is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from ..build import atomic_write, sync_files
from ..config_file import DEFAULT_EXCLUDE
from ..diagnostics import Diagnostic, MsgcError
from ..tuning import Tuning
from . import pages
from .model import Site, SpecEntry, collect

LISTING = ".msgc-preview"


def assets() -> dict[str, bytes]:
    folder = resources.files(__package__ or "compiler.preview") / "assets"
    return {f"assets/{name}": (folder / name).read_bytes()
            for name in ("favicon.svg", "preview.css", "preview.js")}


def render_site(site: Site, spec_page: Callable[[Site, SpecEntry], bytes] = pages.spec_page
                ) -> dict[str, bytes]:
    """Every file of ``site``; ``spec_page`` draws a spec's page (``--serve`` passes one that
    reuses the pages of unchanged specs)."""
    files = {"index.html": pages.index_page(site)}
    for entry in site.specs:
        files[pages.spec_path(entry)] = spec_page(site, entry)
    files.update(assets())
    return dict(sorted(files.items()))


def build(paths: Sequence[str], *, envelope_defaults: Mapping[str, Any] | None = None,
          given: Mapping[str, Any] | None = None,
          keep_pages: Mapping[str, str] | None = None,
          exclude: Sequence[str] = DEFAULT_EXCLUDE, tuning: Tuning | None = None
          ) -> tuple[Site, dict[str, bytes]]:
    site = collect(paths, envelope_defaults=envelope_defaults, given=given,
                   keep_pages=keep_pages, exclude=exclude, tuning=tuning)
    return site, render_site(site)


def write(out_dir: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` under ``out_dir``; remove what the previous build wrote and this one
    did not. Raises :class:`MsgcError` (io-error) when the folder cannot be written."""
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        what = "a symbolic link" if out_dir.is_symlink() else "not a folder"
        raise MsgcError([Diagnostic("io-error", f"the output folder is {what}",
                                    file=str(out_dir), hint="give a real folder with -o")])
    try:
        _write(out_dir, files)
    except OSError as exc:
        raise MsgcError([Diagnostic(
            "io-error", f"cannot write the preview: {exc.strerror or exc}",
            file=exc.filename if isinstance(exc.filename, str) else str(out_dir),
        )]) from None


def _write(root: Path, files: Mapping[str, bytes]) -> None:
    sync_files(root, files, _listed(root))
    atomic_write(root / LISTING, "".join(f"{rel}\n" for rel in files).encode())


def _listed(root: Path) -> set[str]:
    try:
        return {line for line in (root / LISTING).read_text("utf-8").splitlines() if line}
    except (OSError, UnicodeDecodeError):
        return set()
