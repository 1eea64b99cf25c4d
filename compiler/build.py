"""Writing build output: one payload file per spec x target x locale, and a manifest.

Output is deterministic: files are named ``<spec name>/<provider>[.<locale>].json``, JSON is
written with a fixed indentation and the key order lowering produced, and the manifest has
no timestamps, so a rebuild of unchanged specs is byte-identical. Files a previous build
listed in its manifest but this one does not produce are removed; nothing else in the
output folder is touched. Names are checked to stay inside the output folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .diagnostics import Diagnostic, MsgcError
from .tree import TreeReport

MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Artifact:
    relpath: str
    content: bytes
    entry: dict[str, Any]


def plan_artifacts(report: TreeReport) -> list[Artifact]:
    artifacts = []
    for file in report.files:
        if file.name is None:  # the spec did not load
            continue
        for out in sorted(file.outputs, key=lambda o: (o.provider, o.locale or "")):
            suffix = f".{out.locale}" if out.locale else ""
            relpath = f"{file.name}/{out.provider}{suffix}.json"
            content = (json.dumps(out.payload, ensure_ascii=False, indent=2) + "\n").encode()
            artifacts.append(Artifact(relpath, content, {
                "spec": file.name,
                "source": Path(file.path).as_posix(),
                "provider": out.provider,
                "locale": out.locale,
                "kind": out.kind,
                "path": relpath,
                "bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }))
    return artifacts


def manifest(artifacts: list[Artifact], report: TreeReport) -> bytes:
    specs = []
    for file in sorted(report.files, key=lambda f: f.name or ""):
        if file.name is None:
            continue
        specs.append({
            "name": file.name,
            "source": Path(file.path).as_posix(),
            "description": file.description,
            "outputs": [a.entry for a in artifacts if a.entry["spec"] == file.name],
        })
    data = {"msgc": __version__, "specs": specs}
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def write(out_dir: Path, artifacts: list[Artifact], report: TreeReport) -> list[str]:
    """Write artifacts and manifest; return the paths written (relative to ``out_dir``)."""
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        what = "a symbolic link" if out_dir.is_symlink() else "not a folder"
        raise MsgcError([Diagnostic("io-error", f"the output folder is {what}", file=str(out_dir),
                                    hint="give a real folder (or a new path) with -o")])
    root = out_dir.resolve()
    for a in artifacts:
        target = (root / a.relpath).resolve()
        name = a.relpath.split("/")[0]
        if root not in target.parents or name == MANIFEST:
            line, column = next(f.name_position for f in report.files
                                if f.name == a.entry["spec"])
            raise MsgcError([Diagnostic(
                "build-path-escape", f"output path {a.relpath!r} would leave {out_dir}"
                if name != MANIFEST else f"spec name {name!r} is where the build manifest goes",
                file=a.entry["source"], line=line, column=column,
                hint="choose another `name:`",
            )])
    try:
        return _write(root, artifacts, report)
    except OSError as exc:
        raise MsgcError([Diagnostic(
            "io-error", f"cannot write the build output: {exc.strerror or exc}",
            file=exc.filename if isinstance(exc.filename, str) else str(out_dir),
        )]) from None


def _write(root: Path, artifacts: list[Artifact], report: TreeReport) -> list[str]:
    previous = _previous_outputs(root)
    sync_files(root, {a.relpath: a.content for a in artifacts}, previous)
    atomic_write(root / MANIFEST, manifest(artifacts, report))
    return [a.relpath for a in artifacts]


def sync_files(root: Path, files: Mapping[str, bytes], previous: Iterable[str]) -> None:
    """Write ``files`` (relative path -> content) under ``root``, leaving files that already
    hold their content untouched, and remove the files of ``previous`` that ``files`` no
    longer has (only inside ``root``; a folder goes when that leaves it empty)."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != content:
            atomic_write(target, content)
    resolved = root.resolve()
    for stale in sorted(set(previous) - set(files)):
        path = (root / stale).resolve()
        if resolved in path.parents and path.is_file():
            path.unlink()
            with contextlib.suppress(OSError):  # only removes the folder when empty
                path.parent.rmdir()


def _previous_outputs(root: Path) -> set[str]:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        return {o["path"] for s in data.get("specs", []) for o in s.get("outputs", [])
                if isinstance(o.get("path"), str)}
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        return set()


def atomic_write(path: Path, content: bytes) -> None:
    """Replace ``path`` with ``content`` through a temporary file, so a reader never sees
    half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
