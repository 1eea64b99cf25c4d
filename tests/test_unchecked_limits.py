"""A limit that could not be checked is a warning, and notes are counted (issue 11, item 8).

One variable without `max_length` used to turn the worst-case length check of a text into a
`note` the summary did not count, while the same spec with `max_length: 5` warned that the
text could reach 101 characters against Viber's 85: a skipped check looked cleaner than a
passed one.
"""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli

from compiler.diagnostics import Diagnostic, Severity
from compiler.report import summary
from compiler.tree import check_file

LIST_SPEC = """\
variables:
  who: {{type: string, {bound}example: Ann}}
message:
  text: "{{{{ who }}}}, which of these times suits you best? Pick one, and we will call you back today."
  choices: [Morning, Afternoon, Evening]
targets:
  viber: {{rate_type: Transactional}}
locales:
  ru: {{message: {{text: "{{{{ who }}}}, какое время вам удобнее? Выберите, и мы перезвоним сегодня."}}}}
"""


def check(tmp_path: Path, text: str) -> list[Diagnostic]:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return check_file(path, {}).diagnostics


def test_bounded_variable_warns_about_the_worst_case(tmp_path: Path) -> None:
    diags = check(tmp_path, LIST_SPEC.format(bound="max_length: 5, "))
    exceed = [d for d in diags if d.rule.endswith("may-exceed")]
    assert {d.severity for d in exceed} == {Severity.WARNING}
    assert any("85" in d.message for d in exceed)


def test_a_variable_without_max_length_is_a_warning_where_the_field_has_a_limit(
        tmp_path: Path) -> None:
    diags = check(tmp_path, LIST_SPEC.format(bound=""))
    unchecked = [d for d in diags if d.rule == "unbounded-variable"]
    assert len(unchecked) == 1
    d = unchecked[0]
    assert d.severity is Severity.WARNING
    assert "could not be checked" in d.message and "85" in d.message and "'who'" in d.message
    assert d.line == 2


def test_a_template_msgc_cannot_bound_is_a_warning_too(tmp_path: Path) -> None:
    spec = """\
variables:
  items: {type: string, max_length: 20, example: "a,b"}
message:
  text: "{% for i in items.split(',') %}{{ i }} {% endfor %}"
targets:
  viber: {rate_type: Transactional}
"""
    diags = check(tmp_path, spec)
    unchecked = [d for d in diags if d.rule == "unbounded-template"]
    assert len(unchecked) == 1 and unchecked[0].severity is Severity.WARNING
    assert unchecked[0].line == 4 and "1,000" in unchecked[0].message


def test_the_summary_counts_notes() -> None:
    diags = [Diagnostic("locale-untranslated", "x", Severity.NOTE),
             Diagnostic("locale-untranslated", "y", Severity.NOTE),
             Diagnostic("unused-variable", "z", Severity.WARNING)]
    assert summary(diags, 3) == "0 errors, 1 warning, 2 notes in 3 files"
    assert summary([], 1) == "0 errors, 0 warnings, 0 notes in 1 file"


def test_strict_fails_on_an_unchecked_limit(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(LIST_SPEC.format(bound=""), encoding="utf-8")
    result = run_cli(["validate", "--strict", "spec.yaml"], tmp_path)
    assert result.exit_code == 1, result.output
    assert "unbounded-variable" in result.stdout
