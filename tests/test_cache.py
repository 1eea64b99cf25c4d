"""The result cache of validate and build: output with it is byte-identical to output
without it, it misses whenever something that can change a verdict changed, and a damaged,
locked or unwritable cache never fails a run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import compiler.cache
import compiler.tree
from compiler.cache import DATABASE, ResultCache, code_fingerprint, entry_key
from compiler.cli import cli

ROOT = Path(__file__).resolve().parent.parent

SPEC = """\
name: {name}
description: spec {name}
variables:
  order_id: {{type: string, max_length: 12, example: "A-1029"}}
  who: {{type: string, example: "Ann"}}
  unused: {{type: string, example: "x"}}
message:
  text: "Order {{{{ order_id }}}} for {{{{ who }}}} shipped"
  buttons: [{{title: Track, url: "https://t.example.com/{{{{ order_id }}}}"}}]
  image: https://cdn.example.com/a.jpg
targets:
  viber: {{rate_type: Promotional}}
  whatsapp: {{message: {{buttons: null}}}}
locales:
  ru: {{message: {{text: "Заказ {{{{ order_id }}}} для {{{{ who }}}}"}}}}
"""
LONG = """\
variables:
  body: {type: string, max_length: 990, example: "x"}
  tail: {type: string, max_length: 20, example: "y"}
message: {text: "{{ body }} {{ tail }}"}
targets: {viber: {rate_type: Promotional}}
"""
BROKEN = "message:\n  text: \"Hi {{ nobody }}\"\ntargets: {viber: {rate_type: Transactional}}\n"


def write_tree(root: Path) -> Path:
    specs = root / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    for i in range(3):
        (specs / f"s{i}.yaml").write_text(SPEC.format(name=f"spec-{i}"), "utf-8")
    (specs / "dup.yaml").write_text(SPEC.format(name="spec-1"), "utf-8")  # duplicate name
    (specs / "long.yaml").write_text(LONG, "utf-8")                         # worst case
    (specs / "broken.yaml").write_text(BROKEN, "utf-8")
    (specs / "nested").mkdir(exist_ok=True)
    (specs / "nested" / "bad.yaml").write_text("message: [\ntargets: {}\n", "utf-8")
    return specs


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def entries() -> int:
    cache = ResultCache()
    try:
        return cache.stats()[0]
    finally:
        cache.close()


FORMATS = [["--format", "text"], ["--format", "json"], ["--format", "sarif"],
           ["--format", "github", "--strict"], ["--no-worst-case", "--format", "json"]]


@pytest.mark.parametrize("flags", FORMATS, ids=lambda f: " ".join(f))
def test_validate_output_is_byte_identical_with_and_without_the_cache(
        tmp_path: Path, flags: list[str]) -> None:
    specs = write_tree(tmp_path)
    args = ["validate", *flags, "specs"]
    reference = run([*args, "--no-cache"], tmp_path)
    assert reference[0] == 1 and "duplicate-name" in reference[1] + reference[2]
    assert entries() == 0  # --no-cache writes nothing
    cold = run(args, tmp_path)
    assert entries() == 7  # every readable file (the unreadable YAML too: it is a verdict)
    warm = run(args, tmp_path)
    assert cold == reference
    assert warm == reference
    # One file changes: its result is recomputed, the others come from the cache.
    (specs / "s0.yaml").write_text(SPEC.format(name="spec-0").replace("Ann", "Bob"), "utf-8")
    assert run(args, tmp_path) == run([*args, "--no-cache"], tmp_path)


def test_cross_file_rules_are_recomputed_from_cached_results(tmp_path: Path) -> None:
    specs = write_tree(tmp_path)
    args = ["validate", "--format", "json", "specs"]
    run(args, tmp_path)

    def duplicates() -> list[tuple[str, str]]:
        out = json.loads(run(args, tmp_path)[1])
        assert out == json.loads(run([*args, "--no-cache"], tmp_path)[1])
        return [(Path(d["file"]).name, d["message"]) for d in out if d["rule"] == "duplicate-name"]

    assert [f for f, _ in duplicates()] == ["s1.yaml"]  # dup.yaml comes first
    (specs / "dup.yaml").unlink()
    assert duplicates() == []
    (specs / "s2.yaml").write_text(SPEC.format(name="spec-0"), "utf-8")  # now s0 and s2 clash
    assert [f for f, _ in duplicates()] == ["s2.yaml"]


def test_a_cached_result_is_not_checked_again(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path)
    first = run(["validate", "specs"], tmp_path)
    real = compiler.tree.check_file
    checked: list[str] = []

    def counting(path: Path, *args: object, **kwargs: object) -> compiler.tree.FileReport:
        checked.append(path.name)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(compiler.tree, "check_file", counting)
    assert run(["validate", "specs"], tmp_path) == first
    assert checked == []
    (tmp_path / "specs" / "long.yaml").write_text(LONG.replace("990", "900"), "utf-8")
    run(["validate", "specs"], tmp_path)
    assert checked == ["long.yaml"]


def build_tree(tmp_path: Path, out: str, *extra: str) -> dict[str, bytes]:
    code, _, err = run(["build", "specs", "-o", out, *extra], tmp_path)
    assert code == 0, err
    folder = tmp_path / out
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_output_is_byte_identical_with_and_without_the_cache(tmp_path: Path) -> None:
    specs = write_tree(tmp_path)
    for name in ("dup.yaml", "broken.yaml", "long.yaml"):
        (specs / name).unlink()
    shutil.rmtree(specs / "nested")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.msgc.envelope]\nappkey = "config-key"\n', "utf-8")
    reference = build_tree(tmp_path, "ref", "--no-cache")
    assert build_tree(tmp_path, "cold") == reference
    assert build_tree(tmp_path, "warm") == reference
    assert b"config-key" in reference["spec-0/viber.json"]
    # The config's envelope defaults are part of the key: a change shows at once.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.msgc.envelope]\nappkey = "other-key"\n', "utf-8")
    changed = build_tree(tmp_path, "changed")
    assert b"other-key" in changed["spec-0/viber.json"]
    assert changed == build_tree(tmp_path, "changed-ref", "--no-cache")


def test_validate_results_do_not_stand_in_for_build_results(tmp_path: Path) -> None:
    specs = write_tree(tmp_path)
    for name in ("dup.yaml", "broken.yaml", "long.yaml"):
        (specs / name).unlink()
    shutil.rmtree(specs / "nested")
    run(["validate", "specs"], tmp_path)  # stores findings only, no payloads
    built = build_tree(tmp_path, "dist")
    assert built == build_tree(tmp_path, "ref", "--no-cache")
    assert "spec-2/whatsapp.ru.json" in built


def test_the_key_covers_path_content_context_and_code(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    base = entry_key("a.yaml", b"x", {"worst_case": True})
    assert entry_key("b.yaml", b"x", {"worst_case": True}) != base   # the name defaults
    assert entry_key("a.yaml", b"y", {"worst_case": True}) != base
    assert entry_key("a.yaml", b"x", {"worst_case": False}) != base
    # msgc's schemas (and code) are part of the fingerprint
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    monkeypatch.setattr("compiler.schemas.schema_dir", lambda: schemas)
    monkeypatch.setattr(compiler.cache, "_FINGERPRINT", None)
    before = code_fingerprint()
    path = schemas / "viber.payload.schema.json"
    path.write_text(path.read_text("utf-8").replace("1000", "999"), "utf-8")
    monkeypatch.setattr(compiler.cache, "_FINGERPRINT", None)
    assert code_fingerprint() != before
    assert any(name.startswith(("jinja2-", "pyyaml-")) for name in
               compiler.cache._dependency_versions())


def test_a_damaged_cache_is_replaced_and_never_fails_a_run(tmp_path: Path) -> None:
    write_tree(tmp_path)
    reference = run(["validate", "specs", "--no-cache"], tmp_path)
    folder = Path(os.environ["MSGC_CACHE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DATABASE).write_bytes(b"this is not a database" * 100)
    assert run(["validate", "specs"], tmp_path) == reference
    assert run(["validate", "specs"], tmp_path) == reference
    assert entries() == 7


def test_entries_msgc_did_not_write_are_ignored(tmp_path: Path) -> None:
    write_tree(tmp_path)
    reference = run(["validate", "specs"], tmp_path)
    import sqlite3

    db = sqlite3.connect(Path(os.environ["MSGC_CACHE_DIR"]) / DATABASE)
    db.execute("UPDATE results SET value = ?", ('{"diagnostics": [[1]]}',))
    db.commit()
    db.close()
    assert run(["validate", "specs"], tmp_path) == reference


def test_an_unusable_cache_folder_means_no_cache(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path)
    reference = run(["validate", "specs", "--no-cache"], tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", "utf-8")
    monkeypatch.setenv("MSGC_CACHE_DIR", str(blocker / "cache"))
    assert run(["validate", "specs"], tmp_path) == reference


def test_cache_clean_and_info(tmp_path: Path) -> None:
    write_tree(tmp_path)
    run(["validate", "specs"], tmp_path)
    code, out, _ = run(["cache", "info"], tmp_path)
    assert code == 0 and "entries: 7" in out and os.environ["MSGC_CACHE_DIR"] in out
    code, out, _ = run(["cache", "clean"], tmp_path)
    assert code == 0 and "removed 7 cached results" in out
    assert entries() == 0
    assert not (Path(os.environ["MSGC_CACHE_DIR"]) / DATABASE).exists()
    assert run(["cache", "clean"], tmp_path)[1].startswith("removed 0 cached results")


def test_concurrent_runs_share_the_cache_safely(tmp_path: Path) -> None:
    specs = write_tree(tmp_path)
    for i in range(3, 40):
        (specs / f"s{i}.yaml").write_text(SPEC.format(name=f"spec-{i}"), "utf-8")
    command = [str(Path(sys.executable).with_name("msgc")), "validate", "--format", "json",
               "specs"]
    env = dict(os.environ)
    reference = subprocess.run([*command, "--no-cache"], cwd=tmp_path, env=env,
                               capture_output=True, timeout=300)
    assert reference.returncode == 1 and b"duplicate-name" in reference.stdout
    procs = [subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(4)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == reference.returncode, err
        assert out == reference.stdout
        assert err == reference.stderr
    assert entries() == 44
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=300)
    assert again.stdout == reference.stdout
