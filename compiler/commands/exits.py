"""The one exit and reporting policy of every ``msgc`` command.

Exit codes (``compiler.cli``): 0 success; 1 findings (an invalid spec, payload or data, a
message the provider refused); 2 the command could not do its job: a usage error,
unreadable input, a bad config file, or a campaign that must not go on; 3 an internal
error; 130 stopped.

* A command stopped by an error (:class:`MsgcError`) prints its diagnostics and exits 2
  when every one of them is of that kind (:data:`USAGE_RULES`), else with the command's
  own code for findings (:func:`reporting`, :func:`failure_code`).
* A command that checks inputs and reports what it found (``validate``, ``build``) exits 2
  when an input could not be read, 1 when a finding fails (errors; warnings too with
  ``--strict``), else 0 (:func:`findings_code`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import NoReturn

from ..cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from ..config_file import CONFIG_RULES
from ..credentials import RULE_CREDENTIAL_INVALID
from ..diagnostics import Diagnostic, MsgcError, Severity
from ..files import UNREADABLE_RULES
from ..phone import RULE_PHONE
from ..report import echo_diagnostics

#: Rules whose diagnostics mean the command could not do its job (exit 2), not findings.
USAGE_RULES = UNREADABLE_RULES | CONFIG_RULES | frozenset({
    RULE_PHONE, RULE_CREDENTIAL_INVALID, "usage", "credentials-missing", "base-url",
    "envelope-missing", "journal-conflict", "journal-damaged", "journal-behind",
    "results-damaged", "campaign-locked", "recipients-encoding", "recipients-csv",
    "events-db",
})


def failure_code(diags: Iterable[Diagnostic], code: int = EXIT_FINDINGS) -> int:
    """The exit code of a command stopped by ``diags``."""
    return EXIT_USAGE if all(d.rule in USAGE_RULES for d in diags) else code


def findings_code(diags: Iterable[Diagnostic], *, strict: bool = False,
                  unreadable: bool = False) -> int:
    """The exit code of a command that reports ``diags`` as its result."""
    diags = list(diags)
    if unreadable or any(d.rule in UNREADABLE_RULES for d in diags):
        return EXIT_USAGE
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return EXIT_FINDINGS if any(d.severity in failing for d in diags) else EXIT_OK


def fail(diags: list[Diagnostic], code: int = EXIT_FINDINGS) -> NoReturn:
    echo_diagnostics(diags)
    sys.exit(code)


@contextmanager
def reporting(code: int = EXIT_FINDINGS) -> Iterator[None]:
    """Print any :class:`MsgcError` as diagnostics and exit with :func:`failure_code`."""
    try:
        yield
    except MsgcError as exc:
        fail(exc.diagnostics, failure_code(exc.diagnostics, code))
