"""The ``msgc`` command line: a click group whose commands are imported only when used.

Keeping imports lazy keeps ``msgc --help`` and ``msgc validate`` fast: httpx, the sender and
the fake server load only for ``send`` and ``fake-server``.

Exit codes, for every command: 0 success, 1 findings (invalid spec, payload or data),
2 usage error or unreadable input, 3 internal error (a bug: please report it), 130
interrupted (Ctrl-C), wherever it happens.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from . import __version__

#: command name -> module under compiler.commands (each defines ``command``).
COMMANDS = {
    "render": "render",
    "check-payload": "check_payload",
    "send": "send",
    "fake-server": "fake_server",
    "validate": "validate",
    "build": "build",
    "schema": "schema",
    "preview": "preview",
    "config": "show_config",
    "cache": "cache",
    "webhook": "webhook",
    "report": "report",
    "rules": "rules",
}

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130


class LazyGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        # Ctrl-C is exit 130, not click's "Aborted!" and exit 1 (which means "findings").
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("msgc: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        command: click.Command = importlib.import_module(f"compiler.commands.{module}").command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _SHORT_HELP.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


# Short help lines live here so `msgc --help` does not import every command module.
_SHORT_HELP = {
    "render": "Render a spec for one provider and print the payload as JSON.",
    "check-payload": "Validate hand-written provider payloads (JSON files).",
    "send": "Send a spec to one recipient or to a recipients file.",
    "fake-server": "Run a fake NXCloud + ITNIO API on loopback.",
    "validate": "Check every spec in a tree (CI, pre-commit).",
    "build": "Validate a tree and write every payload plus a manifest.",
    "schema": "Export the spec format's JSON Schema for editors.",
    "preview": "Draw every spec as WhatsApp/Viber-like chat screens (a static site).",
    "config": "Show every effective setting and where it came from.",
    "cache": "Show or empty the result cache of validate and build.",
    "webhook": "Receive delivery receipts and replies; store them in an events database.",
    "report": "Report a campaign: delivered, read, failed and why, replies, timings.",
    "rules": "List the rules msgc checks, or explain one.",
}


#: Where ``--config FILE`` is kept for the command (click's ``ctx.meta`` is shared by the
#: group and its command); read by ``compiler.commands.common.current_config``.
CONFIG_META_KEY = "msgc.config"


def remember_config(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[CONFIG_META_KEY] = value


CONFIG_HELP = ("Config file to use instead of the project's msgc.toml / pyproject.toml "
               "(also MSGC_CONFIG); the user file still applies beneath it.")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"],
                                              "max_content_width": 100})
@click.version_option(__version__, prog_name="msgc")
@click.option("--config", "config_file", metavar="FILE", expose_value=False, is_eager=True,
              callback=remember_config, type=click.Path(dir_okay=False), help=CONFIG_HELP)
def cli() -> None:
    """msgc compiles provider-neutral YAML message specs into validated Viber (NXCloud)
    and WhatsApp (ITNIO) payloads.

    Settings, first found wins: command-line flags, environment variables, the project
    file (msgc.toml, or [tool.msgc] in pyproject.toml), the user file
    (~/.config/msgc/config.toml). `msgc config` shows where each one came from.

    \b
    Examples:
      msgc validate templates/
      msgc build templates/ -o dist/
      msgc render templates/order-shipped.yaml --provider viber --to 79001234567 \\
          --var order_id=A-1029 --var eta_days=3
      msgc check-payload --provider whatsapp payload.json
      msgc preview templates/ -o site/
      msgc config
      msgc rules viber-text-length
    """


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI, turning any unexpected exception into exit code 3."""
    try:
        return cli.main(args=argv, prog_name="msgc", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("msgc: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:  # a file or the system refused: the user can act on that
        where = f" {exc.filename}" if exc.filename else ""
        click.echo(f"msgc: error: cannot access{where}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as exc:
        click.echo(
            f"msgc: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in msgc; please report it with the command you ran.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
