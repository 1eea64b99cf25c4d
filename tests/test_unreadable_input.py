"""Unreadable input and failed writes exit 2 with the file and the operating system's reason
(issue 11, items 5 and 14): never exit 1 as if the file were a bad spec, never exit 3 as if
msgc had a bug."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_cli

from compiler.source import MAX_BYTES

SPEC = "message: {text: hi}\ntargets: {viber: {rate_type: Transactional}}\n"
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = run_cli(args, cwd, env)
    return result.exit_code, result.stdout + result.stderr


def write_broken(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.yaml"
    if kind == "latin1":
        path.write_bytes(b"message: {text: 'caf\xe9'}\ntargets: {viber: {rate_type: Transactional}}\n")
    else:
        with path.open("wb") as fh:
            fh.write(b"message:\n  text: '" + b"x" * (MAX_BYTES + 10) + b"'\n")
    return path


@pytest.mark.parametrize("kind", ["latin1", "huge"])
@pytest.mark.parametrize("command", ["validate", "build", "render"])
def test_a_spec_that_cannot_be_read_as_text_exits_2(tmp_path: Path, kind: str,
                                                     command: str) -> None:
    path = write_broken(tmp_path, kind)
    args = {"validate": ["validate", path.name],
            "build": ["build", path.name, "-o", "out"],
            "render": ["render", path.name, "-p", "viber", "--to", "79001234567"]}[command]
    code, output = run(args, tmp_path)
    assert code == 2, output
    rule = "encoding" if kind == "latin1" else "file-too-large"
    assert f"[{rule}]" in output and path.name in output


def test_validate_exits_2_for_an_unreadable_spec_among_good_ones(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "good.yaml").write_text(SPEC, encoding="utf-8")
    write_broken(tmp_path / "specs", "latin1")
    code, output = run(["validate", "specs"], tmp_path)
    assert code == 2, output
    assert "good.yaml" not in output  # the good one was checked and is clean


def test_check_payload_exits_2_for_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_bytes(b'{"type": "text", "text": {"body": "caf\xe9"}}')
    code, output = run(["check-payload", "-p", "whatsapp", "p.json"], tmp_path)
    assert code == 2, output
    assert "p.json" in output and "[encoding]" in output


# -- item 5: failed writes -----------------------------------------------------------------

#: Two ways a folder cannot be written to: below a regular file (works for every user) and
#: without write permission (root ignores permissions, so that case is skipped as root).
UNWRITABLE = [
    pytest.param("not-a-folder", "Not a directory", id="below-a-file"),
    pytest.param("read-only", "Permission denied", id="read-only",
                 marks=pytest.mark.skipif(ROOT_USER, reason="root ignores file permissions")),
]


def unwritable(tmp_path: Path, how: str) -> Path:
    if how == "not-a-folder":
        (tmp_path / "plain-file").write_text("x")
        return tmp_path / "plain-file"
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@pytest.mark.parametrize(("how", "reason"), UNWRITABLE)
def test_schema_into_an_unwritable_folder_names_the_file_and_the_reason(
        tmp_path: Path, how: str, reason: str) -> None:
    folder = unwritable(tmp_path, how)
    code, output = run(["schema", "-o", str(folder / "sub")], tmp_path)
    assert code == 2, output
    assert "internal error" not in output
    assert str(folder / "sub") in output and reason in output


@pytest.mark.parametrize(("how", "reason"), UNWRITABLE)
def test_build_into_an_unwritable_folder(tmp_path: Path, how: str, reason: str) -> None:
    (tmp_path / "a.yaml").write_text(SPEC, encoding="utf-8")
    folder = unwritable(tmp_path, how)
    code, output = run(["build", "a.yaml", "-o", str(folder / "dist")], tmp_path)
    assert code == 2, output
    assert reason in output and str(folder / "dist") in output


@pytest.mark.parametrize(("how", "reason"), UNWRITABLE)
def test_send_results_in_an_unwritable_folder(tmp_path: Path, how: str, reason: str) -> None:
    (tmp_path / "a.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "people.csv").write_text("phone\n79001234567\n", encoding="utf-8")
    folder = unwritable(tmp_path, how)
    env = {"NXCLOUD_ACCESS_KEY": "k" * 8, "NXCLOUD_ACCESS_SECRET": "s" * 8,
           "NXCLOUD_APPKEY": "app", "MSGC_NXCLOUD_BASE_URL": "http://127.0.0.1:9"}
    code, output = run(["send", "a.yaml", "-p", "viber", "--recipients", "people.csv",
                        "--results", str(folder / "out.jsonl")], tmp_path, env)
    assert code == 2, output
    assert str(folder / "out.jsonl") in output and reason in output
    assert "another msgc send" not in output


@pytest.mark.parametrize(("how", "reason"), UNWRITABLE)
def test_fake_server_record_file_in_an_unwritable_folder(tmp_path: Path, how: str,
                                                         reason: str) -> None:
    folder = unwritable(tmp_path, how)
    code, output = run(["fake-server", "--record", str(folder / "x.jsonl")], tmp_path)
    assert code == 2, output
    assert str(folder / "x.jsonl") in output and reason in output
    assert "cannot listen" not in output


def test_vars_file_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "vars").mkdir()
    code, output = run(["render", "a.yaml", "-p", "viber", "--to", "79001234567",
                        "--vars", "vars"], tmp_path)
    assert code == 2, output
    assert "vars" in output and "internal error" not in output


def test_any_other_os_error_names_its_file(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """The last line of defence: an OSError nobody handled still exits 2 with the file."""
    from compiler import cli as cli_module

    def boom(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied", "/somewhere/file.txt")

    monkeypatch.setattr("compiler.commands.validate.check_tree", boom)
    with pytest.raises(SystemExit) as exc:
        cli_module.main(["validate", "."])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "/somewhere/file.txt" in err and "Permission denied" in err
    assert "internal error" not in err

