"""msgc configuration: ``[tool.msgc]`` in ``pyproject.toml`` or an ``msgc.toml`` file.

The nearest such file at or above the working directory is used (``msgc.toml`` wins over
``pyproject.toml`` in the same folder). Recognised keys::

    paths = ["templates"]        # default paths for validate/build
    locale = "en"                # default locale for render
    strict = false               # warnings fail validate
    [envelope]                   # addressing defaults (not secrets)
    appkey = "..."; app_id = "..."; business_phone = "..."
    [credentials]                # only in msgc.toml outside the repo, or use the environment
    NXCLOUD_ACCESS_KEY = "..."

Command-line flags override the file. Credentials are read from here only as a fallback to
the environment, and never printed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, MsgcError


@dataclass(slots=True)
class Config:
    path: Path | None = None
    paths: list[str] = field(default_factory=list)
    locale: str | None = None
    strict: bool = False
    envelope: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in ("msgc.toml", "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file() and (name == "msgc.toml" or _has_tool_section(candidate)):
                return candidate
    return None


def _has_tool_section(path: Path) -> bool:
    try:
        return "[tool.msgc" in path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def load_config(path: Path | None = None, *, search: bool = True) -> Config:
    if path is None and search:
        path = find_config()
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise MsgcError([Diagnostic("config", f"cannot read config: {exc}", file=str(path))]) from None
    except tomllib.TOMLDecodeError as exc:
        raise MsgcError([Diagnostic("config", f"invalid TOML: {exc}", file=str(path))]) from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("msgc", {})
    if not isinstance(data, dict):
        raise MsgcError([Diagnostic("config", "msgc settings must be a table", file=str(path))])
    paths = data.get("paths", [])
    if isinstance(paths, str):
        paths = [paths]
    base = path.parent
    return Config(
        path=path,
        paths=[str(base / p) if not Path(p).is_absolute() else p for p in paths],
        locale=data.get("locale"),
        strict=bool(data.get("strict", False)),
        envelope=dict(data.get("envelope", {})),
        credentials={k: str(v) for k, v in dict(data.get("credentials", {})).items()},
        raw=data,
    )
