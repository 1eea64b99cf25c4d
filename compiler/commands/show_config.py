"""``msgc config``: every effective setting, its value and where it came from.

Secrets are shown as ``***`` (with what is wrong with them, if anything, but never their
characters). The files read are listed first, lowest precedence first.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import Any

import click

from .. import providers
from ..cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from ..config import ENV_CONFIG, Config, Source
from ..credentials import OTHER_CREDENTIALS, credential_problem
from .common import config_option, current_config
from .exits import reporting
from .options import format_option

MASK = "***"


@click.command(name="config")
@config_option
@format_option(["text", "json"])
def command(fmt: str) -> None:
    """Show every effective setting, its value and where it came from.

    Settings are looked up, first found wins, in: command-line flags, environment
    variables, the project file (the nearest msgc.toml, or pyproject.toml with
    [tool.msgc]; or --config FILE / MSGC_CONFIG instead), the user file
    ($XDG_CONFIG_HOME/msgc/config.toml, else ~/.config/msgc/config.toml), msgc's defaults.
    Credentials are shown as ***. Exit 1 when a credential cannot be used, 2 when a config
    file has a mistake.

    \b
    Example:
      msgc config
    """
    with reporting(EXIT_USAGE):
        config = current_config()
    rows = settings(config, os.environ)
    bad = any(row.get("problem") for row in rows)
    if fmt == "json":
        click.echo(json.dumps({"files": files(config), "settings": rows}, ensure_ascii=False,
                              indent=2))
    else:
        click.echo(_text(config, rows))
    sys.exit(EXIT_FINDINGS if bad else EXIT_OK)


def files(config: Config) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    user_read = any(f.role == "user" for f in config.files)
    out.append({"role": "user", "path": str(config.user_path), "read": user_read})
    project = [f for f in config.files if f.role != "user"]
    if project:
        out.append({"role": project[0].role, "path": project[0].label, "read": True})
    else:
        out.append({"role": "project", "path": None, "read": False})
    return out


def settings(config: Config, environ: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per setting: key, shown value, source description, and problem if any."""
    rows: list[dict[str, Any]] = []

    def add(key: str, value: Any, source: Source, *, secret: bool = False,
            problem: str | None = None) -> None:
        shown: Any = value
        if value is None:
            shown = None
        elif secret:
            shown = MASK
        rows.append({"key": key, "value": shown, "source": source.describe(),
                     "secret": secret, **({"problem": problem} if problem else {})})

    add("paths", config.paths or ["."], config.source("paths"))
    add("strict", config.strict, config.source("strict"))
    add("locale", config.locale, config.source("locale"))
    add("exclude", list(config.exclude), config.source("exclude"))
    add("disable", list(config.disable), config.source("disable"))
    for rule, level in config.severity.items():
        add(f"severity.{rule}", level, config.source(f"severity.{rule}"))
    registry = providers.registry()
    seen: set[str] = set()
    for provider in registry.values():
        for f in provider.envelope:
            if not f.setting or f.setting in seen:
                continue
            seen.add(f.setting)
            key = f"envelope.{f.setting}"
            if f.env and environ.get(f.env):
                add(key, environ[f.env], Source("env", variable=f.env))
            else:
                add(key, config.envelope.get(f.setting), config.source(key))
    names = [n for p in registry.values() for n in p.credential_names]
    for name in [*dict.fromkeys(names), *OTHER_CREDENTIALS]:
        key = f"credentials.{name}"
        value = environ.get(name) or None
        source = Source("env", variable=name)
        if value is None:
            value, source = config.credentials.get(name), config.source(key)
        problem = credential_problem(value) if value else None
        add(key, value, source, secret=True, problem=f"{name} {problem}" if problem else None)
    for provider in registry.values():
        if not provider.base_url_env:
            continue
        key = f"base_url.{provider.name}"
        if environ.get(provider.base_url_env):
            add(key, environ[provider.base_url_env], Source("env",
                                                             variable=provider.base_url_env))
        else:
            add(key, provider.default_base_url, Source("default"))
    return rows


def _text(config: Config, rows: list[dict[str, Any]]) -> str:
    lines = ["config files (lowest precedence first):"]
    for f in files(config):
        state = "" if f["read"] else ("  (not found)" if f["role"] == "user" else "")
        path = f["path"] or "(none found at or above this folder)"
        lines.append(f"  {f['role']:<11} {path}{state}")
    if os.environ.get(ENV_CONFIG):
        lines.append(f"  ({ENV_CONFIG}={os.environ[ENV_CONFIG]})")
    lines.append("")
    width = max(len(r["key"]) for r in rows)
    values = [MASK if r["secret"] and r["value"] is not None else _show(r["value"])
              for r in rows]
    vwidth = min(40, max(len(v) for v in values))
    lines.append(f"{'setting':<{width}}  {'value':<{vwidth}}  from")
    for row, value in zip(rows, values, strict=True):
        source = row["source"] if row["value"] is not None else ""
        lines.append(f"{row['key']:<{width}}  {value:<{vwidth}}  {source}".rstrip())
        if row.get("problem"):
            lines.append(f"{'':<{width}}  error: {row['problem']}")
    return "\n".join(lines)


def _show(value: Any) -> str:
    if value is None:
        return "(not set)"
    return json.dumps(value, ensure_ascii=False)
