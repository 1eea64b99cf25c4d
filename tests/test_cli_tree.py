"""`msgc validate`, `build` and `schema` as a user runs them: exit codes, determinism,
config, the pre-commit hook, and a tree where one broken file does not hide the others."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from compiler.cli import cli, main

ROOT = Path(__file__).resolve().parent.parent
GOOD = """\
name: {name}
variables:
  order_id: {{type: string, max_length: 12, example: "A-1029"}}
message:
  text: "Order {{{{ order_id }}}} shipped"
targets:
  viber: {{rate_type: Transactional}}
  whatsapp: {{}}
locales:
  ru: {{message: {{text: "Заказ {{{{ order_id }}}} отправлен"}}}}
"""
BROKEN = """\
message:
  text: "Hi {{ nobody }}"
targets: {viber: {rate_type: Transactional}}
"""


def write_tree(root: Path, good: int = 2, broken: bool = False) -> None:
    (root / "specs").mkdir(parents=True, exist_ok=True)
    for i in range(good):
        (root / "specs" / f"good{i}.yaml").write_text(GOOD.format(name=f"good-{i}"), "utf-8")
    if broken:
        (root / "specs" / "broken.yaml").write_text(BROKEN, "utf-8")


def invoke(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run the CLI in ``cwd`` (config files are found from the working directory)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_validate_clean_tree_exits_0(tmp_path: Path) -> None:
    write_tree(tmp_path)
    code, out, err = invoke(["validate", "specs"], tmp_path)
    assert code == 0, out + err
    assert "0 errors, 0 warnings, 0 notes in 2 files" in err


def test_broken_file_does_not_hide_the_others(tmp_path: Path) -> None:
    write_tree(tmp_path, good=1, broken=True)
    (tmp_path / "specs" / "long.yaml").write_text(
        "message: {text: '" + "x" * 1001 + "'}\ntargets: {viber: {rate_type: Promotional}}\n")
    code, out, _ = invoke(["validate", "--format", "json", "specs"], tmp_path)
    assert code == 1
    found = {(Path(d["file"]).name, d["rule"]) for d in json.loads(out)}
    assert ("broken.yaml", "undeclared-variable") in found
    assert ("long.yaml", "viber-text-length") in found


def test_exit_codes(tmp_path: Path) -> None:
    write_tree(tmp_path)
    assert invoke(["validate", "nowhere"], tmp_path)[0] == 2
    assert invoke(["validate", "--format", "xml"], tmp_path)[0] == 2
    (tmp_path / "specs" / "warn.yaml").write_text(
        "variables: {x: {type: string, max_length: 3, example: a}}\n"
        "message: {text: hi}\ntargets: {viber: {rate_type: Promotional}}\n")
    assert invoke(["validate", "specs"], tmp_path)[0] == 0          # a warning only
    assert invoke(["validate", "--strict", "specs"], tmp_path)[0] == 1


def test_internal_error_is_exit_3_without_traceback(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import compiler.tree

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(compiler.tree, "check_tree", boom)
    monkeypatch.setattr("compiler.commands.validate.check_tree", boom)
    with pytest.raises(SystemExit) as exc:
        main(["validate", "."])
    assert exc.value.code == 3
    err = capsys.readouterr().err
    assert "internal error" in err and "Traceback" not in err


def test_build_is_deterministic_and_complete(tmp_path: Path) -> None:
    write_tree(tmp_path)
    code, _, err = invoke(["build", "specs", "-o", "dist"], tmp_path)
    assert code == 0, err
    files = sorted(p.relative_to(tmp_path / "dist").as_posix()
                   for p in (tmp_path / "dist").rglob("*") if p.is_file())
    assert files == [
        "good-0/viber.json", "good-0/viber.ru.json", "good-0/whatsapp.json",
        "good-0/whatsapp.ru.json", "good-1/viber.json", "good-1/viber.ru.json",
        "good-1/whatsapp.json", "good-1/whatsapp.ru.json", "manifest.json",
    ]
    first = {f: (tmp_path / "dist" / f).read_bytes() for f in files}
    manifest = json.loads(first["manifest.json"])
    assert [s["name"] for s in manifest["specs"]] == ["good-0", "good-1"]
    assert manifest["specs"][0]["outputs"][1]["locale"] == "ru"
    assert json.loads(first["good-0/viber.ru.json"])["messageData"]["text"] == "Заказ A-1029 отправлен"
    assert invoke(["build", "specs", "-o", "dist"], tmp_path)[0] == 0
    second = {f: (tmp_path / "dist" / f).read_bytes() for f in files}
    assert first == second


def test_build_writes_nothing_when_a_spec_fails(tmp_path: Path) -> None:
    write_tree(tmp_path, broken=True)
    code, _, err = invoke(["build", "specs", "-o", "dist"], tmp_path)
    assert code == 1
    assert "nothing written" in err
    assert not (tmp_path / "dist").exists()


def test_build_removes_outputs_of_deleted_specs_only(tmp_path: Path) -> None:
    write_tree(tmp_path)
    assert invoke(["build", "specs", "-o", "dist"], tmp_path)[0] == 0
    (tmp_path / "dist" / "notes.txt").write_text("mine")
    (tmp_path / "specs" / "good1.yaml").unlink()
    assert invoke(["build", "specs", "-o", "dist"], tmp_path)[0] == 0
    assert not (tmp_path / "dist" / "good-1").exists()
    assert (tmp_path / "dist" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("name", ["../../escape", "a/b", "..", "x\\y"])
def test_build_cannot_write_outside_its_folder(tmp_path: Path, name: str) -> None:
    write_tree(tmp_path, good=0)
    (tmp_path / "specs" / "evil.yaml").write_text(
        f"name: {json.dumps(name)}\nmessage: {{text: hi}}\n"
        "targets: {viber: {rate_type: Promotional}}\n")
    code, out, err = invoke(["build", "specs", "-o", "dist"], tmp_path)
    assert code == 1
    assert "spec-name" in out + err
    assert not any(p.is_file() for p in tmp_path.rglob("*.json"))


def test_config_file_sets_paths_and_strictness(tmp_path: Path) -> None:
    write_tree(tmp_path)
    (tmp_path / "specs" / "warn.yaml").write_text(
        "variables: {x: {type: string, max_length: 3, example: a}}\n"
        "message: {text: hi}\ntargets: {viber: {rate_type: Promotional}}\n")
    (tmp_path / "pyproject.toml").write_text('[tool.msgc]\npaths = ["specs"]\nstrict = true\n')
    code, out, err = invoke(["validate"], tmp_path)
    assert code == 1, out + err
    assert "unused-variable" in out
    assert invoke(["validate", "--no-strict"], tmp_path)[0] == 0      # the flag wins
    (tmp_path / "msgc.toml").write_text('paths = ["specs/good0.yaml"]\n')  # msgc.toml wins
    assert invoke(["validate"], tmp_path)[0] == 0


def test_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "msgc.toml").write_text("paths = [\n")
    code, _, err = invoke(["validate"], tmp_path)
    assert code == 2
    assert "invalid TOML" in err


def test_schema_export_validates_the_bundled_templates(tmp_path: Path) -> None:
    code, _, _ = invoke(["schema", "-o", "out"], tmp_path)
    assert code == 0
    schema = json.loads((tmp_path / "out" / "msgc-spec.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    specs = sorted((ROOT / "templates").rglob("*.yaml"))
    assert specs
    for path in specs:
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text("utf-8"))))
        assert not errors, (path, errors[0].message)
    bad = {"message": {"text": "x"}, "targets": {"viber": {"rate_typ": "Promotional"}}}
    assert list(validator.iter_errors(bad))


def test_pre_commit_hook_on_a_sample_repository(tmp_path: Path) -> None:
    """Run the hook the way pre-commit would: its entry, in a git repo, without filenames."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "msgc-validate")
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write_tree(tmp_path, good=1, broken=True)
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "ci.yml").write_text("on: push\njobs: {}\n")  # not a spec
    entry = shlex.split(hook["entry"])
    exe = Path(sys.executable).with_name(entry[0])
    command = [str(exe), *entry[1:], *hook.get("args", [])]
    failed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert failed.returncode == 1
    assert "broken.yaml" in failed.stdout and "ci.yml" not in failed.stdout
    (tmp_path / "specs" / "broken.yaml").unlink()
    passed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert passed.returncode == 0, passed.stdout + passed.stderr
