"""Reading one msgc config file: TOML, checked key by key, every mistake located.

A config file is ``msgc.toml`` (settings at the top level), the user file
``~/.config/msgc/config.toml`` (the same shape), or ``pyproject.toml`` (settings under
``[tool.msgc]``). Unknown keys (with a "did you mean"), values of the wrong type and
settings in the wrong place are errors naming the file, the line and the column, so a
typo such as ``strikt = true`` can never be silently ignored.

TOML readers do not report where keys are, so :func:`key_lines` finds each key's line by
scanning the text for table headers and ``key =`` lines.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, MsgcError, close_matches
from .files import RULE_IO, os_reason

RULE_SYNTAX = "config-syntax"
RULE_UNKNOWN_KEY = "config-unknown-key"
RULE_TYPE = "config-type"
RULE_VALUE = "config-value"
RULE_MISPLACED = "config-misplaced"
#: Every rule a config file can break; all are usage errors (exit 2).
CONFIG_RULES = frozenset({RULE_SYNTAX, RULE_UNKNOWN_KEY, RULE_TYPE, RULE_VALUE,
                          RULE_MISPLACED})

#: Largest config file read (a config file is a few hundred bytes).
MAX_CONFIG_BYTES = 1024 * 1024
#: Folder and file names skipped when walking folders, unless ``exclude`` says otherwise:
#: hidden ones (``.git``, ``.venv``), dependencies, caches and build outputs.
DEFAULT_EXCLUDE = (".*", "node_modules", "__pycache__", "venv", "dist", "build")
_LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")

Key = tuple[str, ...]


# -- where each key is -----------------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\]|\\.)*"'
_LITERAL = r"'[^']*'"
_PART = rf"\s*(?:{_BARE}|{_BASIC}|{_LITERAL})\s*"
_DOTTED = rf"{_PART}(?:\.{_PART})*"
_HEADER_RE = re.compile(rf"^\s*\[\[?(?P<key>{_DOTTED})\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(rf"^(?P<indent>\s*)(?P<key>{_DOTTED})=")
_PART_RE = re.compile(rf"{_BARE}|{_BASIC}|{_LITERAL}")


def _parts(dotted: str) -> Key:
    out = []
    for token in _PART_RE.findall(dotted):
        if token[0] == '"':
            out.append(tomllib.loads(f"k = {token}")["k"])
        elif token[0] == "'":
            out.append(token[1:-1])
        else:
            out.append(token)
    return tuple(out)


def key_lines(text: str) -> dict[Key, tuple[int, int]]:
    """Line and column (1-based) of every table header and ``key =`` line, by key path.

    Lines inside multi-line strings are skipped; keys inside inline tables and arrays are
    not listed (a finding there is reported at the line of the key that holds them)."""
    found: dict[Key, tuple[int, int]] = {}
    table: Key = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER_RE.match(line)
        if header:
            table = _parts(header["key"])
            for end in range(1, len(table) + 1):  # [a.b] also defines a
                found.setdefault(table[:end], (number, line.index("[") + 1))
            continue
        match = _KEY_RE.match(line)
        if match:
            path = table + _parts(match["key"])
            for end in range(len(table) + 1, len(path) + 1):  # x.y = 1 also defines x
                found.setdefault(path[:end], (number, len(match["indent"]) + 1))
            rest = line[match.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_string = quote
    return found


# -- the settings a file may hold --------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Setting:
    """One known setting: what it holds, and where it may appear."""

    what: str                                    # "true or false", for messages
    check: Callable[[Any], str | None]           # None when the value is right
    example: str                                 # a correct line, for hints
    project_only: bool = False


def _is_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "type"


def _is_text(value: Any) -> str | None:
    return None if isinstance(value, str) else "type"


def _is_locale(value: Any) -> str | None:
    if not isinstance(value, str):
        return "type"
    return None if _LOCALE_RE.match(value) else "a locale name such as \"ru\" or \"pt-BR\""


def _is_texts(value: Any) -> str | None:
    if isinstance(value, str):
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return None
    return "type"


def _is_text_list(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return None
    return "type"


SETTINGS: dict[str, Setting] = {
    "paths": Setting("a path or a list of paths", _is_texts, 'paths = ["templates"]',
                  project_only=True),
    "strict": Setting("true or false", _is_bool, "strict = true"),
    "locale": Setting("a locale name in quotes", _is_locale, 'locale = "en"'),
    "exclude": Setting("a list of folder or file name patterns", _is_text_list,
                    'exclude = [".*", "dist", "build"]'),
    "disable": Setting("a list of rule ids", _is_text_list, 'disable = ["locale-untranslated"]'),
}
TABLES = ("envelope", "credentials", "severity")


@dataclass(slots=True)
class ConfigFile:
    """One config file as read: its settings (checked) and where each key is."""

    path: Path
    role: str                                   # "user", "project", "--config", "MSGC_CONFIG"
    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[Key, tuple[int, int]] = field(default_factory=dict)
    prefix: Key = ()                             # ("tool", "msgc") in pyproject.toml

    @property
    def label(self) -> str:
        return f"{self.path} [tool.msgc]" if self.prefix else str(self.path)

    def locate(self, *key: str) -> tuple[int | None, int | None]:
        full = self.prefix + key
        for end in range(len(full), 0, -1):
            if full[:end] in self.lines:
                return self.lines[full[:end]]
        return None, None

    def diagnostic(self, key: Key, rule: str, message: str, hint: str | None = None,
                   **extra: Any) -> Diagnostic:
        line, column = self.locate(*key)
        return Diagnostic(rule, message, file=str(self.path), line=line, column=column,
                          hint=hint, **extra)


def read_file(path: Path, role: str, *, envelope_keys: Callable[[], list[str]],
              credential_names: Callable[[], list[str]]) -> ConfigFile | None:
    """Read and check one config file; ``None`` for a pyproject.toml without [tool.msgc].

    Raises :class:`MsgcError` listing every mistake in the file."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise MsgcError([Diagnostic(RULE_IO, f"cannot read config file {path}: "
                                    f"{os_reason(exc)}", file=str(path))]) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise MsgcError([Diagnostic(RULE_IO, "config file is larger than 1 MiB",
                                    file=str(path))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MsgcError([Diagnostic(RULE_IO, "config file is not valid UTF-8", file=str(path),
                                    hint="save it as UTF-8")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path, exc, text) from None
    result = ConfigFile(path, role, lines=key_lines(text))
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        if not isinstance(tool, dict) or "msgc" not in tool:
            return None
        result.prefix = ("tool", "msgc")
        data = tool["msgc"]
        if not isinstance(data, dict):
            raise MsgcError([result.diagnostic((), RULE_TYPE, "tool.msgc must be a table",
                                               hint="[tool.msgc]\nstrict = true")])
    result.data = data
    problems = list(_check(result, envelope_keys, credential_names))
    if problems:
        raise MsgcError(problems)
    return result


def _syntax_error(path: Path, exc: tomllib.TOMLDecodeError, source: str) -> MsgcError:
    text = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", text)
    line, column = (int(found[1]), int(found[2])) if found else (None, None)
    if "(at end of document)" in text:
        line = source.count("\n") + 1
        column = len(source) - (source.rfind("\n") + 1) + 1
    message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", text)
    return MsgcError([Diagnostic(RULE_SYNTAX, f"invalid TOML: {message or 'bad syntax'}",
                                 file=str(path), line=line, column=column)])


def _kind(value: Any, *, show: bool = True) -> str:
    """``the integer 5`` (or ``an integer`` when the value must not be shown)."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}" if show else "a boolean"
    if isinstance(value, str):
        return f"the string {value!r}" if show else "a string"
    if isinstance(value, int):
        return f"the integer {value}" if show else "an integer"
    if isinstance(value, float):
        return f"the number {value}" if show else "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _unknown(cfg: ConfigFile, key: Key, known: list[str], where: str) -> Diagnostic:
    name = key[-1]
    close = close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"known {where}: {', '.join(known)}"
    shown = ".".join(key)
    return cfg.diagnostic(key, RULE_UNKNOWN_KEY, f"unknown setting {shown!r}", hint)


def _check(cfg: ConfigFile, envelope_keys: Callable[[], list[str]],
           credential_names: Callable[[], list[str]]) -> Iterator[Diagnostic]:
    known = sorted([*SETTINGS, *TABLES])
    for name, value in cfg.data.items():
        key = (name,)
        if name == "tool" and not cfg.prefix:
            yield cfg.diagnostic(key, RULE_MISPLACED, f"{cfg.path.name} holds msgc's settings "
                                 "at the top level; a [tool.msgc] table belongs in "
                                 "pyproject.toml", hint="move the keys out of [tool.msgc] "
                                 "(and drop that header)")
            continue
        if name in TABLES:
            if not isinstance(value, dict):
                yield cfg.diagnostic(key, RULE_TYPE, f"{name} must be a table, not "
                                     f"{_kind(value)}", hint=f"[{name}]")
                continue
            if name == "severity":
                yield from _check_severity(cfg, value)
                continue
            names = envelope_keys() if name == "envelope" else credential_names()
            yield from _check_table(cfg, name, value, names)
            continue
        spec = SETTINGS.get(name)
        if spec is None:
            yield _unknown(cfg, key, known, "settings")
            continue
        if spec.project_only and cfg.role == "user":
            yield cfg.diagnostic(key, RULE_MISPLACED, f"{name} belongs in a project's config "
                                 "(msgc.toml or [tool.msgc] in pyproject.toml), not in the "
                                 "user file: it would apply to every project",
                                 hint="move it to the project's msgc.toml")
            continue
        problem = spec.check(value)
        if problem == "type":
            yield cfg.diagnostic(key, RULE_TYPE, f"{name} must be {spec.what}, not "
                                 f"{_kind(value)}", hint=f"for example: {spec.example}")
        elif problem:
            yield cfg.diagnostic(key, RULE_VALUE, f"{name} is {value!r}; it must be {problem}",
                                 hint=f"for example: {spec.example}")
        elif name == "disable":
            yield from _check_disable(cfg, value)


def _check_disable(cfg: ConfigFile, rules: list[str]) -> Iterator[Diagnostic]:
    from .tuning import untunable

    graded = cfg.data.get("severity")
    for rule in rules:
        reason = untunable(rule, "disabled")
        if reason is not None:
            yield cfg.diagnostic(("disable",), RULE_VALUE, f"disable: {reason[0]}", reason[1])
        elif isinstance(graded, Mapping) and rule in graded:
            yield cfg.diagnostic(("disable",), RULE_VALUE, f"{rule} is both disabled and "
                                 "given a severity", "keep it in one of `disable` and `severity`")


def _check_severity(cfg: ConfigFile, levels: Mapping[str, Any]) -> Iterator[Diagnostic]:
    from .tuning import LEVELS, untunable

    for rule, level in levels.items():
        key = ("severity", rule)
        if not isinstance(level, str) or level not in LEVELS:
            yield cfg.diagnostic(key, RULE_TYPE if not isinstance(level, str) else RULE_VALUE,
                                 f"severity.{rule} must be one of {', '.join(LEVELS)}, not "
                                 f"{_kind(level)}", hint=f'{rule} = "error"')
            continue
        reason = untunable(rule, "given another severity", level)
        if reason is not None:
            rule_id = RULE_UNKNOWN_KEY if reason[0].startswith("unknown rule") else RULE_VALUE
            yield cfg.diagnostic(key, rule_id, f"severity: {reason[0]}", reason[1])


def _check_table(cfg: ConfigFile, table: str, values: Mapping[str, Any],
                 names: list[str]) -> Iterator[Diagnostic]:
    for name, value in values.items():
        key = (table, name)
        if name not in names:
            yield _unknown(cfg, key, names, f"[{table}] keys")
            continue
        if not isinstance(value, str):
            secret = table == "credentials"  # never shown, not even when of the wrong type
            shown = _kind(value, show=not secret)
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            hint = (f'quote it: {name} = "{value}"' if number and not secret
                    else f'{name} = "..."')
            yield cfg.diagnostic(key, RULE_TYPE, f"{table}.{name} must be a string, not "
                                 f"{shown}", hint=hint)
