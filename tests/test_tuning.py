"""Tuning findings: ``disable`` and ``severity`` in the config, ``# msgc: disable=``
comments in a spec; and hard rules that refuse to be tuned, saying why."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, cli
from compiler.diagnostics import Diagnostic, Severity
from compiler.source import load_text
from compiler.tuning import apply_directives, find_directives, untunable

UNUSED = """\
variables:
  order_id: {type: string, max_length: 12, example: A-1029}
  legacy: {type: string, max_length: 12, example: x}
message:
  text: "Order {{ order_id }} shipped"
targets:
  viber: {rate_type: Transactional}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(cwd)


def validate(*args: str) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(cli, ["validate", "--format", "json", "-q", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    findings = json.loads(result.stdout) if result.stdout.strip() else []
    return result.exit_code, findings, result.stderr


def config(folder: Path, body: str) -> None:
    (folder / "msgc.toml").write_text(body, encoding="utf-8")


# -- the config ---------------------------------------------------------------------------------

def test_without_tuning_the_warning_is_reported(folder: Path) -> None:
    (folder / "spec.yaml").write_text(UNUSED)
    code, findings, _ = validate("--strict", "spec.yaml")
    assert [f["rule"] for f in findings] == ["unused-variable"] and code == EXIT_FINDINGS


def test_disable_drops_an_advice_rule(folder: Path) -> None:
    (folder / "spec.yaml").write_text(UNUSED)
    config(folder, 'disable = ["unused-variable"]\n')
    code, findings, _ = validate("--strict", "spec.yaml")
    assert findings == [] and code == EXIT_OK


def test_severity_raises_a_warning_to_an_error(folder: Path) -> None:
    (folder / "spec.yaml").write_text(UNUSED)
    config(folder, '[severity]\nunused-variable = "error"\n')
    code, findings, _ = validate("spec.yaml")
    assert [(f["rule"], f["severity"]) for f in findings] == [("unused-variable", "error")]
    assert code == EXIT_FINDINGS


def test_severity_lowers_a_warning_to_a_note_so_strict_passes(folder: Path) -> None:
    (folder / "spec.yaml").write_text(UNUSED)
    config(folder, 'severity = {unused-variable = "note"}\n')
    code, findings, _ = validate("--strict", "spec.yaml")
    assert [f["severity"] for f in findings] == ["note"] and code == EXIT_OK


def test_the_pyproject_table_works_too(folder: Path) -> None:
    (folder / "spec.yaml").write_text(UNUSED)
    (folder / "pyproject.toml").write_text('[tool.msgc]\ndisable = ["unused-variable"]\n')
    assert validate("--strict", "spec.yaml")[:2] == (EXIT_OK, [])


@pytest.mark.parametrize(("body", "words", "rule"), [
    ('disable = ["viber-text-length"]',
     "viber-text-length cannot be disabled: Viber would refuse the message (a hard provider "
     "limit)", "config-value"),
    ('disable = ["viber-unsupported-location"]',
     "viber-unsupported-location cannot be disabled: Viber cannot express the message",
     "config-value"),
    ('disable = ["yaml-syntax"]', "yaml-syntax cannot be disabled: msgc cannot compile",
     "config-value"),
    ('severity = {viber-text-length = "warning"}',
     "viber-text-length cannot be given another severity: Viber would refuse", "config-value"),
    ('disable = ["unused-variables"]', "unknown rule 'unused-variables'", "config-value"),
    ('severity = {unused-variables = "error"}', "unknown rule 'unused-variables'",
     "config-unknown-key"),
    ('disable = "unused-variable"', "disable must be a list of rule ids", "config-type"),
    ('severity = {unused-variable = "fatal"}', "must be one of error, warning, note",
     "config-value"),
    ('severity = {unused-variable = 1}', "must be one of error, warning, note", "config-type"),
    ('disable = ["unused-variable"]\nseverity = {unused-variable = "error"}',
     "both disabled and given a severity", "config-value"),
])
def test_a_wrong_tuning_is_a_located_usage_error_that_says_why(folder: Path, body: str,
                                                              words: str, rule: str) -> None:
    (folder / "spec.yaml").write_text(UNUSED)
    config(folder, "strict = false\n" + body + "\n")
    result = CliRunner().invoke(cli, ["validate", "spec.yaml"])
    assert result.exit_code == EXIT_USAGE
    assert words in result.stderr and f"[{rule}]" in result.stderr
    assert "msgc.toml:2:" in result.stderr  # the line of the setting


def test_a_mistyped_rule_gets_a_suggestion(folder: Path) -> None:
    (folder / "spec.yaml").write_text(UNUSED)
    config(folder, 'disable = ["unused-variables"]\n')
    result = CliRunner().invoke(cli, ["validate", "spec.yaml"])
    assert "hint: did you mean 'unused-variable'?" in result.stderr


def test_re_grading_a_hard_rule_to_its_own_level_is_allowed() -> None:
    assert untunable("viber-text-length", "given another severity", "error") is None
    assert untunable("viber-text-length", "given another severity", "warning") is not None


def test_user_and_project_files_layer_like_other_settings(folder: Path) -> None:
    """`disable` is replaced by the later file, `severity` merged key by key, and a rule
    disabled anywhere is not re-graded."""
    user = folder / "user"
    (user / "msgc").mkdir(parents=True)
    (user / "msgc" / "config.toml").write_text(
        'disable = ["locale-untranslated"]\n[severity]\nunbounded-variable = "note"\n')
    (folder / "spec.yaml").write_text(UNUSED)
    config(folder, '[severity]\nunused-variable = "error"\n')
    result = CliRunner().invoke(cli, ["config", "--format", "json"],
                                env={"XDG_CONFIG_HOME": str(user)})
    rows = {r["key"]: r["value"] for r in json.loads(result.stdout)["settings"]}
    assert rows["disable"] == ["locale-untranslated"]
    assert rows["severity.unused-variable"] == "error"
    assert rows["severity.unbounded-variable"] == "note"
    _, findings, _ = validate("spec.yaml")
    assert [(f["rule"], f["severity"]) for f in findings] == [("unused-variable", "error")]


def test_build_and_render_apply_the_config_too(folder: Path) -> None:
    (folder / "spec.yaml").write_text(UNUSED)
    config(folder, 'disable = ["unused-variable", "envelope-placeholder"]\nstrict = true\n')
    build = CliRunner().invoke(cli, ["build", "spec.yaml", "-o", "dist"])
    assert build.exit_code == EXIT_OK, build.output
    render = CliRunner().invoke(cli, ["render", "spec.yaml", "-p", "viber", "--examples"])
    assert render.exit_code == EXIT_OK and "envelope-placeholder" not in render.stderr
    config(folder, "")
    render = CliRunner().invoke(cli, ["render", "spec.yaml", "-p", "viber", "--examples"])
    assert "[envelope-placeholder]" in render.stderr


def test_tuning_applies_to_every_output_format(folder: Path) -> None:
    (folder / "spec.yaml").write_text(UNUSED)
    config(folder, '[severity]\nunused-variable = "error"\n')
    outputs = {}
    for fmt in ("text", "github", "sarif"):
        result = CliRunner().invoke(cli, ["validate", "--format", fmt, "-q", "spec.yaml"])
        assert result.exit_code == EXIT_FINDINGS
        outputs[fmt] = result.stdout
    assert ": error: variable 'legacy'" in outputs["text"]
    assert outputs["github"].startswith("::error ")
    (result,) = json.loads(outputs["sarif"])["runs"][0]["results"]
    assert result["level"] == "error"


# -- comments -----------------------------------------------------------------------------------

def comments(text: str) -> list[tuple[int, tuple[str, ...], int | None, str | None]]:
    doc = load_text(text, "spec.yaml")
    return [(d.line, d.rules, d.covers, d.problem) for d in doc.directives]


def test_comments_are_found_at_the_end_of_a_line_and_on_their_own() -> None:
    text = ("# msgc: disable-file=unbounded-variable\n"
            "variables:\n"
            "  a: {type: string, example: x}  # msgc: disable=unused-variable\n"
            "  # msgc: disable=unused-variable, unbounded-variable\n"
            "\n"
            "  # another comment\n"
            "  b: {type: string, example: y}\n"
            "message: {text: hi}\n"
            "targets: {viber: {rate_type: Transactional}}\n")
    assert comments(text) == [
        (1, ("unbounded-variable",), None, None),
        (3, ("unused-variable",), 3, None),
        (4, ("unused-variable", "unbounded-variable"), 7, None),
    ]


def test_a_hash_inside_a_string_is_not_a_comment() -> None:
    text = ('message:\n  text: "Use # msgc: disable=unused-variable in your spec"\n'
            "  footer: |\n    # msgc: disable=unused-variable\n"
            "targets: {viber: {rate_type: Transactional}}\n")
    assert comments(text) == []


def test_a_text_without_the_marker_is_not_scanned() -> None:
    assert find_directives("a: 1\n", []) == []


def test_an_unknown_directive_is_kept_to_be_reported() -> None:
    assert comments("# msgc: ignore=x\nmessage: {text: hi}\n") == [(1, (), 1, "ignore=x")]


def _diag(rule: str, line: int, file: str = "spec.yaml") -> Diagnostic:
    return Diagnostic(rule, "m", severity=Severity.WARNING, file=file, line=line)


def test_line_comments_hide_only_their_line_and_rule() -> None:
    doc = load_text("a: 1  # msgc: disable=unused-variable\nb: 2\n", "spec.yaml")
    kept = apply_directives([_diag("unused-variable", 1), _diag("unused-variable", 2),
                             _diag("unbounded-variable", 1),
                             _diag("unused-variable", 1, file="other.yaml")],
                            doc.directives, "spec.yaml")
    assert [(d.rule, d.line, d.file) for d in kept] == [
        ("unused-variable", 2, "spec.yaml"), ("unbounded-variable", 1, "spec.yaml"),
        ("unused-variable", 1, "other.yaml")]


def test_file_comments_hide_the_rule_everywhere_in_the_file() -> None:
    doc = load_text("a: 1\n# msgc: disable-file=unused-variable\nb: 2\n", "spec.yaml")
    kept = apply_directives([_diag("unused-variable", 1), _diag("unused-variable", 3),
                             Diagnostic("unused-variable", "m", file="spec.yaml")],
                            doc.directives, "spec.yaml")
    assert kept == []


def test_comments_through_validate(folder: Path) -> None:
    text = UNUSED.replace("example: x}", "example: x}  # msgc: disable=unused-variable")
    (folder / "spec.yaml").write_text(text)
    assert validate("--strict", "spec.yaml")[:2] == (EXIT_OK, [])
    (folder / "spec.yaml").write_text("# msgc: disable-file=unused-variable\n" + UNUSED)
    assert validate("--strict", "spec.yaml")[:2] == (EXIT_OK, [])
    (folder / "spec.yaml").write_text("# msgc: disable=unused-variable\n" + UNUSED)
    code, findings, _ = validate("--strict", "spec.yaml")   # covers line 2 only
    assert [f["line"] for f in findings] == [4] and code == EXIT_FINDINGS


def test_a_comment_cannot_disable_a_hard_rule_and_says_why(folder: Path) -> None:
    (folder / "spec.yaml").write_text(
        "message:\n  text: \"\"  # msgc: disable=viber-text-length\n"
        "targets: {viber: {rate_type: Transactional}}\n")
    code, findings, _ = validate("spec.yaml")
    assert code == EXIT_FINDINGS
    by_rule = {f["rule"]: f for f in findings}
    assert set(by_rule) == {"viber-text-length", "disable-not-allowed"}
    assert by_rule["disable-not-allowed"]["message"] == (
        "viber-text-length cannot be disabled: Viber would refuse the message (a hard "
        "provider limit)")
    assert by_rule["disable-not-allowed"]["line"] == 2


def test_config_and_comments_together(folder: Path) -> None:
    """A comment hides a rule on its line; the config re-grades the rest."""
    text = UNUSED.replace("example: x}", "example: x}  # msgc: disable=unused-variable")
    text = text.replace("  legacy:", "  other: {type: string, max_length: 3, example: y}\n"
                        "  legacy:")
    (folder / "spec.yaml").write_text(text)
    config(folder, 'severity = {unused-variable = "note"}\n')
    code, findings, _ = validate("--strict", "spec.yaml")
    assert [(f["rule"], f["severity"], f["line"]) for f in findings] == [
        ("unused-variable", "note", 3)]
    assert code == EXIT_OK
