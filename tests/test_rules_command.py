"""``msgc rules``, and the catalog in JSON and SARIF output."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from compiler import catalog
from compiler.catalog.describe import sarif_rule
from compiler.cli import EXIT_OK, EXIT_USAGE, cli
from compiler.diagnostics import Diagnostic
from compiler.report import as_json, sarif


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["rules", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_the_list_has_every_rule_once() -> None:
    code, out, err = run()
    assert code == EXIT_OK
    rows = out.splitlines()
    assert rows[0].split() == ["RULE", "LEVEL", "PROVIDER", "SUMMARY"]
    assert [r.split()[0] for r in rows[1:]] == list(catalog.catalog())
    assert f"{len(catalog.catalog())} rules" in err


def test_the_list_filters_by_provider() -> None:
    _, out, _ = run("--provider", "whatsapp", "--format", "json")
    listed = json.loads(out)
    assert listed and all(r["providers"] == ["whatsapp"] for r in listed)
    assert {r["id"] for r in listed} == {
        r.id for r in catalog.catalog().values() if "whatsapp" in r.providers}


def test_one_rule_is_explained_with_its_example_fix_and_source() -> None:
    code, out, _ = run("viber-carousel-secondary-label")
    assert code == EXIT_OK
    assert out.startswith("viber-carousel-secondary-label: A Viber carousel card's second")
    assert "cannot be disabled: Viber would refuse the message" in out
    assert "按钮文案(在primaryButton中最大为10个字符,在secondaryButton中最大为12个字符)" in out
    assert "Example (a spec):" in out and "Fixed (a spec):" in out
    assert "    message:" in out  # the examples are indented blocks


def test_an_advice_rule_says_it_can_be_tuned() -> None:
    _, out, _ = run("unused-variable")
    assert "may be disabled, or given another severity" in out


def test_one_rule_as_json() -> None:
    code, out, _ = run("viber-text-length", "--format", "json")
    data = json.loads(out)
    assert code == EXIT_OK
    assert data["id"] == "viber-text-length" and data["tunable"] is False
    assert data["severity"] == "error" and data["kind"] == "limit"
    assert data["source"]["quote"] == "消息文本(最大长度为1000个字符,推荐长度200)"
    assert data["example"]["language"] == "yaml" and data["help_uri"] is None


def test_an_unknown_rule_is_a_usage_error_with_a_suggestion() -> None:
    code, _, err = run("viber-txt-length")
    assert code == EXIT_USAGE
    assert "unknown rule 'viber-txt-length'; did you mean 'viber-text-length'?" in err


# -- the catalog in findings --------------------------------------------------------------------

def test_json_findings_carry_the_rules_summary() -> None:
    found = json.loads(as_json([Diagnostic("unused-variable", "variable 'x' is unused",
                                           file="a.yaml", line=2)]))
    assert list(found[0])[:3] == ["rule", "summary", "message"]
    assert found[0]["summary"] == catalog.catalog()["unused-variable"].summary


def test_sarif_rules_carry_the_catalog() -> None:
    log = json.loads(sarif([Diagnostic("yaml-tag", "tag", file="a.yaml", line=1),
                            Diagnostic("unused-variable", "x", file="a.yaml", line=2)],
                           version="1"))
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    tag = rules["yaml-tag"]
    assert tag["shortDescription"]["text"] == catalog.catalog()["yaml-tag"].summary
    assert tag["fullDescription"]["text"].startswith("Specs hold plain data")
    assert "Example (a spec):" in tag["help"]["text"]
    assert "```yaml" in tag["help"]["markdown"]
    assert tag["defaultConfiguration"] == {"level": "error"}
    assert tag["helpUri"] == "https://yaml.org/spec/1.2.2/"
    assert rules["unused-variable"]["defaultConfiguration"] == {"level": "warning"}
    assert "helpUri" not in rules["unused-variable"]  # no page about it exists


def test_a_help_uri_appears_only_where_the_rule_has_one() -> None:
    for rule in catalog.catalog().values():
        assert ("helpUri" in sarif_rule(rule.id, rule)) == (rule.help_uri is not None)


def test_a_finding_reported_at_another_severity_keeps_the_default_in_sarif(tmp_path: Path
                                                                          ) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        (tmp_path / "msgc.toml").write_text('severity = {unused-variable = "error"}\n')
        (tmp_path / "s.yaml").write_text(
            "variables:\n  a: {type: string, max_length: 3, example: x}\n"
            "message: {text: hi}\ntargets: {viber: {rate_type: Transactional}}\n")
        result = CliRunner().invoke(cli, ["validate", "--format", "sarif", "s.yaml"])
    finally:
        os.chdir(cwd)
    run_ = json.loads(result.stdout)["runs"][0]
    assert run_["results"][0]["level"] == "error"
    assert run_["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] == "warning"
