"""Folder walks (issue 11, item 7): a spec is recognised by parsing it, whatever its key
style; a path that holds no spec is an error (exit 2), so a wrong `paths` cannot pass CI;
the folders skipped by default are listed in --help and can be changed."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler import tree
from compiler.cli import cli
from compiler.config import DEFAULT_EXCLUDE

ROOT = Path(__file__).resolve().parent.parent

PLAIN = "message: {text: hi}\ntargets: {viber: {rate_type: Transactional}}\n"
QUOTED = '"message": {"text": "hi"}\n"targets": {"viber": {"rate_type": "Transactional"}}\n'
JSON_STYLE = '{"message": {"text": "hi"}, "targets": {"whatsapp": {}}}\n'
SINGLE_QUOTED = "'message':\n  'text': hi\n'targets': {viber: {rate_type: Transactional}}\n"
EXPLICIT_TAGS = "!!str message: {text: hi}\ntargets: {whatsapp: {}}\n"
NOT_A_SPEC = "on: push\njobs: {build: {runs-on: ubuntu-latest}}\n"


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    result = run_cli(args, cwd)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("text", [QUOTED, JSON_STYLE, SINGLE_QUOTED, EXPLICIT_TAGS],
                         ids=["double-quoted", "json", "single-quoted", "tagged-key"])
def test_specs_are_recognised_whatever_their_key_style(tmp_path: Path, text: str) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.yaml").write_text(text, encoding="utf-8")
    code, out, err = run(["validate", "t"], tmp_path)
    assert "in 1 file" in err, err
    assert code in (0, 1), out + err


def test_a_broken_spec_with_quoted_keys_is_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.yaml").write_text('"message": {"text": "Hi {{ who }}"}\n'
                                           '"targets": {"whatsapp": {}}\n', encoding="utf-8")
    code, out, _ = run(["validate", "--format", "json", "t"], tmp_path)
    assert code == 1
    assert [d["rule"] for d in json.loads(out)] == ["undeclared-variable"]


def test_an_unparseable_file_that_mentions_spec_keys_is_reported(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.yaml").write_text('"message": {"text": "hi"\n"targets": {}\n',
                                           encoding="utf-8")
    (tmp_path / "t" / "helm.yaml").write_text("{{- if .Values.x }}\nkind: Pod\n{{- end }}\n",
                                              encoding="utf-8")
    (tmp_path / "t" / "ok.yaml").write_text(PLAIN, encoding="utf-8")
    code, out, _ = run(["validate", "--format", "json", "t"], tmp_path)
    assert code == 1
    found = {(Path(d["file"]).name, d["rule"]) for d in json.loads(out)}
    assert found == {("a.yaml", "yaml-syntax")}


def test_other_yaml_in_a_tree_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "t" / "ci").mkdir(parents=True)
    (tmp_path / "t" / "ci" / "workflow.yml").write_text(NOT_A_SPEC, encoding="utf-8")
    (tmp_path / "t" / "list.yaml").write_text("- message\n- targets\n", encoding="utf-8")
    (tmp_path / "t" / "a.yaml").write_text(PLAIN, encoding="utf-8")
    code, _, err = run(["validate", "t"], tmp_path)
    assert code == 0, err
    assert "0 errors, 0 warnings, 0 notes in 1 file" in err


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_folder_without_any_spec_is_an_error(tmp_path: Path, command: str) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "workflow.yml").write_text(NOT_A_SPEC, encoding="utf-8")
    args = [command, "t"] + (["-o", "dist"] if command == "build" else [])
    code, out, err = run(args, tmp_path)
    assert code == 2, out + err
    assert "no message spec found under t" in out + err
    assert "workflow.yml" in out + err   # what was looked at and why it is not a spec


def test_a_wrong_configured_path_fails_ci(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "a.yaml").write_text(PLAIN, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.msgc]\npaths = ["docs"]\n')
    code, out, err = run(["validate", "--format", "github", "--strict"], tmp_path)
    assert code == 2
    assert "no message spec found under" in out + err


def test_an_empty_folder_among_good_ones_is_still_an_error(tmp_path: Path) -> None:
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "a.yaml").write_text(PLAIN, encoding="utf-8")
    (tmp_path / "empty").mkdir()
    code, out, err = run(["validate", "good", "empty"], tmp_path)
    assert code == 2
    assert "no message spec found under empty" in out + err


def test_help_lists_the_skipped_folders() -> None:
    for command in ("validate", "build"):
        result = CliRunner().invoke(cli, [command, "--help"])
        text = " ".join(result.output.split())
        for name in DEFAULT_EXCLUDE:
            assert name in text, (command, name)
        assert "--exclude" in text and "exclude =" in text


@pytest.mark.parametrize("folder", ["dist", "build", "venv", ".hidden", "node_modules"])
def test_skipped_by_default_and_overridable(tmp_path: Path, folder: str) -> None:
    (tmp_path / "t" / folder).mkdir(parents=True)
    (tmp_path / "t" / folder / "a.yaml").write_text(PLAIN, encoding="utf-8")
    (tmp_path / "t" / "a.yaml").write_text(PLAIN.replace("hi", "hello"), encoding="utf-8")
    code, _, err = run(["validate", "t"], tmp_path)
    assert code == 0 and "in 1 file" in err, err
    (tmp_path / "msgc.toml").write_text("exclude = []\n")
    code, _, err = run(["validate", "t"], tmp_path)
    assert "in 2 files" in err, err   # both checked; both are named "a"
    assert code == 1


def test_exclude_flag_adds_patterns(tmp_path: Path) -> None:
    (tmp_path / "t" / "drafts").mkdir(parents=True)
    (tmp_path / "t" / "drafts" / "a.yaml").write_text("message: {text: '{{ x }}'}\n"
                                                      "targets: {whatsapp: {}}\n")
    (tmp_path / "t" / "b.yaml").write_text(PLAIN, encoding="utf-8")
    assert run(["validate", "t"], tmp_path)[0] == 1
    code, _, err = run(["validate", "--exclude", "drafts", "t"], tmp_path)
    assert code == 0 and "in 1 file" in err, err


def test_a_folder_named_on_the_command_line_is_walked_even_if_excluded(tmp_path: Path) -> None:
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "a.yaml").write_text(PLAIN, encoding="utf-8")
    code, _, err = run(["validate", "build"], tmp_path)
    assert code == 0 and "in 1 file" in err, err


@settings(max_examples=200)
@given(patterns=st.lists(st.sampled_from([".*", "node_modules", "__pycache__", "*.bak.yaml",
                                          "draft-?", "[!a-m]*", "x[", "a*b*c", "", "*"]),
                         max_size=4),
       name=st.text(alphabet=".abcmxz-_?*[]!", max_size=8))
def test_the_exclude_matcher_agrees_with_fnmatch(patterns: list[str], name: str) -> None:
    matcher = tree._name_matcher(tuple(patterns))
    assert matcher(name) == any(fnmatch.fnmatchcase(name, p) for p in patterns)


def test_worker_processes_find_what_one_process_finds(tmp_path: Path) -> None:
    """A tree big enough for worker processes gives the same report, in the same order, as
    checking it in this process: per-file findings, cross-file duplicate names, files that
    are not specs, broken files."""
    bundled = sorted((ROOT / "templates").glob("*.yaml"))
    count = 0
    while count < tree.PARALLEL_FROM + 6:
        for source in bundled:
            text = source.read_text("utf-8")
            if count % 5 == 0:  # a distinct name for some copies; the rest are duplicates
                text = text.replace("name: ", f"name: copy{count}-", 1)
            (tmp_path / f"{count:03d}-{source.name}").write_text(text, "utf-8")
            count += 1
    (tmp_path / "broken.yaml").write_text("message: {text: [unclosed\n", "utf-8")
    (tmp_path / "other.yaml").write_text("just: data\n", "utf-8")

    def summary(jobs: int) -> list[tuple[object, ...]]:
        report = tree.check_tree([str(tmp_path)], jobs=jobs, keep_outputs=False)
        return [(f.path, f.name, f.not_a_spec, [d.to_dict() for d in f.diagnostics])
                for f in report.files] + [("tree", [d.to_dict() for d in report.diagnostics])]

    alone = summary(1)
    assert any(d for f in alone[:-1] for d in f[3] if d["rule"] == "duplicate-name")
    assert summary(2) == alone
    assert summary(3) == alone
