"""msgc settings: where they are looked up, how the files merge, and where each came from.

Two files are read, and merged key by key (tables such as ``[credentials]`` too):

1. the **user file**, ``$XDG_CONFIG_HOME/msgc/config.toml`` (``~/.config/msgc/config.toml``
   when ``XDG_CONFIG_HOME`` is unset): credentials and personal defaults, outside any
   repository;
2. the **project file**: the nearest ``msgc.toml``, or ``pyproject.toml`` with a
   ``[tool.msgc]`` table, at or above the working directory (``msgc.toml`` wins in the same
   folder); or instead the file named by ``--config FILE`` or, without it, ``MSGC_CONFIG``.

Precedence, first found wins: command-line flags, environment variables, the project file,
the user file, then msgc's defaults. Credentials come from the environment, else from
``[credentials]`` in a file; a file holding credentials inside a git work tree (and not
ignored by git) gets a warning. ``msgc config`` prints every effective setting and where it
came from, secrets masked. Settings (see :mod:`compiler.config_file` for the checks)::

    paths = ["templates"]        # default paths of validate/build (project file only)
    strict = false               # warnings fail validate/build
    locale = "en"                # default locale of render/send
    exclude = [".*", "dist"]     # names skipped when walking folders (replaces the default)
    disable = ["locale-untranslated"]       # advice rules not reported (replaces)
    [severity]                   # advice rules reported at another level (merged)
    unused-variable = "error"
    [envelope]                   # addressing defaults (not secrets)
    appkey = "..."; app_id = "..."; business_phone = "..."
    [credentials]                # secrets: keep them in the user file
    NXCLOUD_ACCESS_KEY = "..."
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config_file import DEFAULT_EXCLUDE, ConfigFile, read_file
from .diagnostics import Diagnostic, MsgcError, Severity
from .files import RULE_IO, os_reason
from .tuning import Tuning

RULE_CREDENTIALS_IN_REPOSITORY = "config-credentials-in-repository"
#: Environment variable naming a config file used instead of the project file.
ENV_CONFIG = "MSGC_CONFIG"


@dataclass(frozen=True, slots=True)
class Source:
    """Where an effective setting came from."""

    kind: str                  # "default", "user", "project", "--config", "MSGC_CONFIG", "env"
    file: Path | None = None
    line: int | None = None
    variable: str | None = None

    def describe(self) -> str:
        if self.kind == "env":
            return f"environment {self.variable}"
        if self.file is not None:
            where = f"{self.file}:{self.line}" if self.line else str(self.file)
            return f"{self.kind} file {where}" if self.kind in ("user", "project") \
                else f"{self.kind} {where}"
        return self.kind


DEFAULT = Source("default")


@dataclass(slots=True)
class Config:
    """The merged settings of the config files, with the source of each."""

    files: list[ConfigFile] = field(default_factory=list)   # lowest precedence first
    paths: list[str] = field(default_factory=list)
    locale: str | None = None
    strict: bool = False
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    envelope: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)  # "strict", "envelope.appkey"
    warnings: list[Diagnostic] = field(default_factory=list)
    user_path: Path | None = None       # where the user file is looked for
    project_path: Path | None = None    # the project (or --config) file, when there is one
    disable: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)

    @property
    def tuning(self) -> Tuning:
        """The findings to drop and re-grade (``disable`` wins over ``severity``)."""
        return Tuning(frozenset(self.disable),
                      {r: Severity(v) for r, v in self.severity.items() if r not in self.disable})

    @property
    def path(self) -> Path | None:
        """The project file (kept for callers that name "the config file")."""
        return self.project_path

    def source(self, key: str) -> Source:
        return self.sources.get(key, DEFAULT)


def user_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/msgc/config.toml``, else ``~/.config/msgc/config.toml``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or ""
    folder = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return folder / "msgc" / "config.toml"


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``msgc.toml``, or ``pyproject.toml`` with ``[tool.msgc]``, at or above
    ``start`` (the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in ("msgc.toml", "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file() and (name == "msgc.toml" or _has_tool_section(candidate)):
                return candidate
    return None


def _has_tool_section(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return b"tool.msgc" in fh.read(1024 * 1024)
    except OSError:
        return False


def load_config(path: Path | None = None, *, search: bool = True,
                environ: Mapping[str, str] | None = None, explicit_role: str = "--config",
                user: bool = True) -> Config:
    """Read and merge the user file and the project file (``path`` replaces the search).

    Raises :class:`MsgcError` for an unreadable file or any mistake in one."""
    env = os.environ if environ is None else environ
    role = explicit_role
    if path is None and env.get(ENV_CONFIG):
        path, role = Path(env[ENV_CONFIG]), ENV_CONFIG
    if path is not None and not path.is_file():
        reason = "it is a folder" if path.is_dir() else "No such file or directory"
        try:
            path.stat()
        except OSError as exc:
            reason = os_reason(exc)
        raise MsgcError([Diagnostic(RULE_IO, f"cannot read config file {path} ({role}): "
                                    f"{reason}", file=str(path))])
    if path is None and search:
        path, role = find_config(), "project"
    config = Config(user_path=user_config_path(env))
    errors: list[Diagnostic] = []
    layers: list[ConfigFile] = []
    candidates = [(config.user_path, "user")] if user else []
    if path is not None:
        candidates.append((path, role))
    for candidate, kind in candidates:
        if candidate is None or (kind == "user" and not candidate.is_file()):
            continue
        try:
            read = read_file(candidate, kind, envelope_keys=_envelope_keys,
                             credential_names=_credential_names)
        except MsgcError as exc:
            errors.extend(exc.diagnostics)
            continue
        if read is not None:
            layers.append(read)
    if errors:
        raise MsgcError(errors)
    if path is not None and layers and layers[-1].path == path:
        config.project_path = path
    for layer in layers:
        _apply(config, layer)
    config.files = layers
    config.warnings = [w for layer in layers for w in _credential_warnings(layer)]
    return config


def _envelope_keys() -> list[str]:
    from . import providers

    return sorted({f.setting for p in providers.registry().values() for f in p.envelope
                   if f.setting})


def _credential_names() -> list[str]:
    from . import providers
    from .credentials import OTHER_CREDENTIALS

    return sorted({*OTHER_CREDENTIALS,
                   *(n for p in providers.registry().values() for n in p.credential_names)})


def _apply(config: Config, layer: ConfigFile) -> None:
    data = layer.data

    def source(*key: str) -> Source:
        return Source(layer.role, layer.path, layer.locate(*key)[0])

    if "paths" in data:
        paths = data["paths"]
        paths = [paths] if isinstance(paths, str) else list(paths)
        base = layer.path.parent
        config.paths = [p if Path(p).is_absolute() else str(base / p) for p in paths]
        config.sources["paths"] = source("paths")
    for name in ("strict", "locale"):
        if name in data:
            setattr(config, name, data[name])
            config.sources[name] = source(name)
    if "exclude" in data:
        config.exclude = tuple(data["exclude"])
        config.sources["exclude"] = source("exclude")
    if "disable" in data:
        config.disable = tuple(data["disable"])
        config.sources["disable"] = source("disable")
    for table in ("envelope", "credentials", "severity"):
        for key, value in (data.get(table) or {}).items():
            getattr(config, table)[key] = value
            config.sources[f"{table}.{key}"] = source(table, key)


# -- credentials inside a repository ---------------------------------------------------------

def _credential_warnings(layer: ConfigFile) -> list[Diagnostic]:
    if not layer.data.get("credentials"):
        return []
    tree = git_work_tree(layer.path)
    if tree is None or git_ignores(layer.path):
        return []
    line, column = layer.locate("credentials")
    return [Diagnostic(
        RULE_CREDENTIALS_IN_REPOSITORY,
        f"this file holds credentials and is inside the git work tree {tree}: a commit would "
        "publish them", severity=Severity.WARNING, file=str(layer.path), line=line,
        column=column, hint="move [credentials] to the user file "
        "(~/.config/msgc/config.toml) or use environment variables; `msgc config` shows "
        "where each one comes from")]


def git_work_tree(path: Path) -> Path | None:
    """The root of the git work tree holding ``path`` (a ``.git`` folder or file above)."""
    for folder in path.resolve().parents:
        if (folder / ".git").exists():
            return folder
    return None


def git_ignores(path: Path) -> bool:
    """Whether git ignores ``path`` (so it cannot be committed by accident); False when git
    cannot tell."""
    import shutil  # here: every command reads the config, few have credentials in a file
    import subprocess

    git = shutil.which("git")
    if git is None:
        return False
    try:
        done = subprocess.run([git, "check-ignore", "-q", path.name], cwd=path.parent,
                              capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
