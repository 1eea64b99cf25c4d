"""Golden-file tests of `msgc validate`: one folder per rule under tests/golden/.

Each folder holds one or more specs and the expected output in every format
(``expected.text``, ``expected.json``, ``expected.github``, ``expected.sarif``) plus the
exit code (``expected.exit``). ``msgc validate`` runs inside the folder on ``.`` (or on the
arguments in ``args.txt``). Every rule of the catalog that a spec can break has its folder,
named after it. To accept new output after a deliberate change, run
``MSGC_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler import catalog
from compiler.cli import cli

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
FORMATS = ("text", "json", "github", "sarif")
UPDATE = os.environ.get("MSGC_UPDATE_GOLDEN") == "1"
#: Folders whose name is not the rule they exist for.
RULE_OF = {"spec-unknown-key": "spec-additional-properties"}
#: Rules a spec can break whose case is too large or too slow for a folder, and where else
#: they are pinned.
ELSEWHERE = {
    "file-too-large": "tests/test_hostile_input.py (a 50 MB file through msgc validate)",
    "template-timeout": "tests/test_hostile_input.py (the clock moved past the backstop)",
}


@functools.cache
def run_validate(case: Path, fmt: str) -> tuple[int, str]:
    args_file = case / "args.txt"
    targets = args_file.read_text().split() if args_file.exists() else ["."]
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(case)
    try:
        # --no-cache: these pin the output formats; tests/test_cache.py proves the cache
        # gives the same bytes.
        result = runner.invoke(cli, ["validate", "--format", fmt, "--quiet", "--no-cache",
                                     *targets])
    finally:
        os.chdir(cwd)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", CASES)
def test_golden(name: str, fmt: str) -> None:
    case = GOLDEN / name
    code, output = run_validate(case, fmt)
    expected_file = case / f"expected.{fmt}"
    exit_file = case / "expected.exit"
    if UPDATE:
        expected_file.write_text(output, encoding="utf-8")
        if fmt == "text":  # one writer: the formats of a case may run at once on two workers
            exit_file.write_text(f"{code}\n")
    assert output == expected_file.read_text(encoding="utf-8")
    if not UPDATE or fmt == "text":  # the text run may not have rewritten it yet
        assert code == int(exit_file.read_text())


@pytest.mark.parametrize("name", CASES)
def test_case_reports_its_rule(name: str) -> None:
    """Each case folder is named after the rule it exists for, and that rule is reported."""
    _, output = run_validate(GOLDEN / name, "json")
    rules = {d["rule"] for d in json.loads(output)}
    assert RULE_OF.get(name, name) in rules


def test_every_rule_a_spec_can_break_has_a_case() -> None:
    covered = {RULE_OF.get(name, name) for name in CASES}
    missing = [r.id for r in catalog.catalog().values()
               if r.in_specs and r.id not in covered and r.id not in ELSEWHERE]
    assert not missing, f"add a folder under tests/golden/ for: {missing}"
    for rule_id in ELSEWHERE:
        rule = catalog.get(rule_id)
        assert rule is not None and rule.in_specs


def test_every_case_has_a_location() -> None:
    """Findings tied to a file carry a line (only whole-file problems may lack one)."""
    for name in CASES:
        _, output = run_validate(GOLDEN / name, "json")
        for d in json.loads(output):
            if d["rule"] not in {"duplicate-name"}:
                assert "line" in d, (name, d)
