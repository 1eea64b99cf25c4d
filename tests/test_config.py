"""Config lookup, merging and checking (issue 11, items 1 and 9).

A user file (``$XDG_CONFIG_HOME/msgc/config.toml``) and the project file merge key by key;
flags > environment > project > user; ``--config FILE`` / ``MSGC_CONFIG`` replace the
project file; a credential inside a git work tree is warned about; ``msgc config`` shows
where everything came from. Every mistake in a config file is an error with its line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from compiler.cli import cli
from compiler.config_file import key_lines

SPEC = """\
message: {text: hi}
targets:
  viber: {rate_type: Transactional, appkey: app}
  whatsapp: {app_id: wa, business_phone: "12025550100"}
"""
SECRETS = {"NXCLOUD_ACCESS_KEY": "userKEY4d1f", "NXCLOUD_ACCESS_SECRET": "userSECRET9c2a"}
ENV_NAMES = ("NXCLOUD_ACCESS_KEY", "NXCLOUD_ACCESS_SECRET", "ITNIO_API_KEY", "ITNIO_API_SECRET",
             "NXCLOUD_APPKEY", "ITNIO_APP_ID", "ITNIO_BUSINESS_PHONE", "MSGC_CONFIG",
             "MSGC_NXCLOUD_BASE_URL", "MSGC_ITNIO_BASE_URL")


class Env:
    """A project folder and a user config folder, and msgc run in the project."""

    def __init__(self, root: Path) -> None:
        self.project = root / "repo"
        self.project.mkdir()
        self.xdg = root / "xdg"
        (self.xdg / "msgc").mkdir(parents=True)
        (self.project / "spec.yaml").write_text(SPEC, encoding="utf-8")

    def user(self, text: str) -> Path:
        path = self.xdg / "msgc" / "config.toml"
        path.write_text(text, encoding="utf-8")
        return path

    def write(self, name: str, text: str) -> Path:
        path = self.project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def run(self, args: list[str], env: dict[str, str] | None = None,
            cwd: Path | None = None) -> tuple[int, str, str]:
        full: dict[str, str | None] = {name: None for name in ENV_NAMES}
        full["XDG_CONFIG_HOME"] = str(self.xdg)
        full.update(env or {})
        old = os.getcwd()
        os.chdir(cwd or self.project)
        try:
            result = CliRunner().invoke(cli, args, env=full)
        finally:
            os.chdir(old)
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit), result.output
        return result.exit_code, result.stdout, result.stderr

    def settings(self, args: list[str] | None = None, env: dict[str, str] | None = None
                 ) -> dict[str, dict[str, Any]]:
        code, out, err = self.run([*(args or []), "config", "--format", "json"], env)
        assert code in (0, 1), err
        return {row["key"]: row for row in json.loads(out)["settings"]}


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path)


def toml_credentials(values: dict[str, str]) -> str:
    return "[credentials]\n" + "".join(f'{k} = "{v}"\n' for k, v in values.items())


# -- item 1: the lookup users expect --------------------------------------------------------

def test_user_credentials_are_read_when_the_project_has_tool_msgc(env: Env) -> None:
    """The reported dead end: [tool.msgc] in pyproject.toml hid the credentials file."""
    env.write("pyproject.toml", '[project]\nname = "x"\n\n[tool.msgc]\npaths = ["."]\n')
    env.user(toml_credentials(SECRETS))
    code, out, err = env.run(["send", "spec.yaml", "-p", "viber", "--to", "79001234567",
                              "--dry-run"])
    assert code == 0, err
    assert "POST" in out and SECRETS["NXCLOUD_ACCESS_KEY"] not in out + err


def test_precedence_env_over_project_over_user(env: Env) -> None:
    env.user(toml_credentials(SECRETS) + 'ITNIO_API_KEY = "userITKEY"\n')
    env.write("msgc.toml", '[credentials]\nNXCLOUD_ACCESS_SECRET = "projSECRET77"\n')
    rows = env.settings(env={"NXCLOUD_ACCESS_KEY": "envKEY12345"})
    assert rows["credentials.NXCLOUD_ACCESS_KEY"]["source"] == "environment NXCLOUD_ACCESS_KEY"
    assert rows["credentials.NXCLOUD_ACCESS_SECRET"]["source"].startswith(
        f"project file {env.project / 'msgc.toml'}:2")
    assert rows["credentials.ITNIO_API_KEY"]["source"].startswith(
        f"user file {env.xdg / 'msgc' / 'config.toml'}:4")
    assert rows["credentials.ITNIO_API_SECRET"]["value"] is None
    assert {rows[k]["value"] for k in rows if k.startswith("credentials.")} <= {"***", None}


def test_project_settings_win_over_personal_defaults_and_flags_win_over_both(env: Env) -> None:
    env.user('strict = true\nlocale = "ru"\n[envelope]\nappkey = "user-app"\n')
    env.write("msgc.toml", 'strict = false\n')
    rows = env.settings()
    assert rows["strict"]["value"] is False and rows["strict"]["source"].startswith("project")
    assert rows["locale"]["value"] == "ru" and rows["locale"]["source"].startswith("user")
    assert rows["envelope.appkey"]["value"] == "user-app"
    assert env.settings(env={"NXCLOUD_APPKEY": "env-app"})["envelope.appkey"]["source"] == \
        "environment NXCLOUD_APPKEY"
    (env.project / "w.yaml").write_text(
        "variables: {x: {type: string, max_length: 3, example: a}}\n"
        "message: {text: hi}\ntargets: {viber: {rate_type: Promotional}}\n")
    env.user("strict = true\n")
    env.write("msgc.toml", "")
    assert env.run(["validate", "w.yaml"])[0] == 1                # the user's strict applies
    assert env.run(["validate", "--no-strict", "w.yaml"])[0] == 0  # the flag wins


def test_user_envelope_defaults_reach_render(env: Env) -> None:
    env.user('[envelope]\napp_id = "user-wa"\n')
    code, out, err = env.run(["render", "spec.yaml", "-p", "whatsapp", "--to", "79001234567",
                              "--examples"])
    assert code == 0, err
    assert '"appId": "wa"' in out  # the spec's own target block wins over the user file
    env.write("spec.yaml", SPEC.replace("app_id: wa, ", ""))
    code, out, err = env.run(["render", "spec.yaml", "-p", "whatsapp", "--to", "79001234567",
                              "--examples"])
    assert code == 0, err
    assert '"appId": "user-wa"' in out


@pytest.mark.parametrize("where", ["before", "after", "env"])
def test_an_explicit_config_file_replaces_the_project_file(env: Env, where: str) -> None:
    env.write("msgc.toml", 'locale = "pt-BR"\n')
    other = env.write("ci/msgc-ci.toml", 'locale = "ru"\n')
    if where == "before":
        rows = env.settings(["--config", str(other)])
    elif where == "after":
        code, out, err = env.run(["config", "--config", str(other), "--format", "json"])
        assert code == 0, err
        rows = {r["key"]: r for r in json.loads(out)["settings"]}
    else:
        rows = env.settings(env={"MSGC_CONFIG": str(other)})
    assert rows["locale"]["value"] == "ru"
    assert str(other) in rows["locale"]["source"]


def test_the_flag_wins_over_msgc_config(env: Env) -> None:
    a = env.write("a.toml", 'locale = "ru"\n')
    b = env.write("b.toml", 'locale = "de"\n')
    rows = env.settings(["--config", str(b)], env={"MSGC_CONFIG": str(a)})
    assert rows["locale"]["value"] == "de"


@pytest.mark.parametrize("how", ["flag", "env"])
def test_a_missing_explicit_config_file_is_a_usage_error(env: Env, how: str) -> None:
    missing = env.project / "nope.toml"
    if how == "flag":
        code, _, err = env.run(["validate", "--config", str(missing), "spec.yaml"])
    else:
        code, _, err = env.run(["validate", "spec.yaml"], env={"MSGC_CONFIG": str(missing)})
    assert code == 2
    assert str(missing) in err and "No such file or directory" in err


def git_init(folder: Path) -> None:
    subprocess.run(["git", "init", "-q", str(folder)], check=True)


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_credentials_inside_a_git_work_tree_are_warned_about(env: Env) -> None:
    git_init(env.project)
    env.write("msgc.toml", 'strict = false\n\n' + toml_credentials(SECRETS))
    code, out, err = env.run(["validate", "spec.yaml"])
    assert code == 0, err
    assert f"{env.project / 'msgc.toml'}:3:1: warning:" in err
    assert "[config-credentials-in-repository]" in err and "config.toml" in err
    assert SECRETS["NXCLOUD_ACCESS_SECRET"] not in out + err


@needs_git
def test_no_warning_for_a_git_ignored_file_or_the_user_file(env: Env) -> None:
    git_init(env.project)
    env.write(".gitignore", "msgc.toml\n")
    env.write("msgc.toml", toml_credentials(SECRETS))
    env.user(toml_credentials(SECRETS))
    code, _, err = env.run(["validate", "spec.yaml"])
    assert code == 0 and "config-credentials-in-repository" not in err, err


def test_msgc_config_shows_sources_and_masks_secrets(env: Env) -> None:
    env.user(toml_credentials(SECRETS))
    env.write("pyproject.toml", '[tool.msgc]\npaths = ["specs"]\n')
    code, out, err = env.run(["config"])
    assert code == 0, err
    assert SECRETS["NXCLOUD_ACCESS_KEY"] not in out and SECRETS["NXCLOUD_ACCESS_SECRET"] not in out
    lines = {line.split()[0]: line for line in out.splitlines() if line and line[0] != " "}
    assert "***" in lines["credentials.NXCLOUD_ACCESS_KEY"]
    assert f"user file {env.xdg / 'msgc' / 'config.toml'}:2" in lines[
        "credentials.NXCLOUD_ACCESS_KEY"]
    assert str(env.project / "specs") in lines["paths"]
    assert f"project file {env.project / 'pyproject.toml'}:2" in lines["paths"]
    assert "default" in lines["strict"]
    assert "(not set)" in lines["credentials.ITNIO_API_KEY"]


def test_msgc_config_reports_an_unusable_credential_without_showing_it(env: Env) -> None:
    code, out, _ = env.run(["config"], env={"NXCLOUD_ACCESS_KEY": "ab…cd"})
    assert code == 1
    assert "NXCLOUD_ACCESS_KEY contains U+2026" in out and "ab…cd" not in out


def test_a_missing_credential_points_at_the_user_file(env: Env) -> None:
    code, _, err = env.run(["send", "spec.yaml", "-p", "viber", "--to", "79001234567"])
    assert code == 2
    assert "NXCLOUD_ACCESS_KEY is not set" in err
    assert str(env.xdg / "msgc" / "config.toml") in err


# -- item 9: mistakes in a config file are errors with their line -----------------------------

@pytest.mark.parametrize(("name", "text", "line", "words"), [
    ("msgc.toml", '[tool.msgc]\nstrict = true\n', 1, "[tool.msgc] table belongs in pyproject"),
    ("msgc.toml", 'paths = ["."]\nstrikt = true\n', 2, "did you mean 'strict'?"),
    ("msgc.toml", 'locale = 5\n', 1, "locale must be a locale name in quotes, not the integer 5"),
    ("msgc.toml", 'locale = "english language"\n', 1, "locale name"),
    ("msgc.toml", 'strict = "yes"\n', 1, "strict must be true or false, not the string 'yes'"),
    ("msgc.toml", 'paths = 3\n', 1, "paths must be a path or a list of paths"),
    ("msgc.toml", '\n[envelope]\napp_key = "x"\n', 3, "did you mean 'appkey'?"),
    ("msgc.toml", '[envelope]\nbusiness_phone = 91856321321\n', 2,
     'quote it: business_phone = "91856321321"'),
    ("msgc.toml", 'envelope.appkey = 5\n', 1, "envelope.appkey must be a string"),
    ("msgc.toml", '[credentials]\nNXCLOUD_ACCESS_KYE = "x"\n', 2,
     "did you mean 'NXCLOUD_ACCESS_KEY'?"),
    ("msgc.toml", '[credentials]\nNXCLOUD_ACCESS_KEY = 12345\n', 2,
     "credentials.NXCLOUD_ACCESS_KEY must be a string, not an integer"),
    ("msgc.toml", 'envelope = "x"\n', 1, "envelope must be a table"),
    ("msgc.toml", 'paths = [\n', 2, "invalid TOML"),
    ("pyproject.toml", '[project]\nname = "x"\n\n[tool.msgc]\npahts = ["t"]\n', 5,
     "did you mean 'paths'?"),
    ("pyproject.toml", '[tool.msgc.envelope]\n"appkey" = 1\n', 2, "envelope.appkey must be"),
])
def test_config_mistakes_are_located_errors(env: Env, name: str, text: str, line: int,
                                            words: str) -> None:
    path = env.write(name, text)
    code, _, err = env.run(["validate", "spec.yaml"])
    assert code == 2, err
    assert f"{path}:{line}:" in err, err
    assert words in err, err
    assert "12345" not in err  # a secret of the wrong type is not shown either


def test_paths_in_the_user_file_is_refused(env: Env) -> None:
    user = env.user('\npaths = ["templates"]\n')
    code, _, err = env.run(["validate", "spec.yaml"])
    assert code == 2
    assert f"{user}:2:1: error: paths belongs in a project's config" in err


def test_every_mistake_of_a_file_is_reported_at_once(env: Env) -> None:
    env.write("msgc.toml", 'strikt = true\nlocale = 5\n[envelope]\nappkey = 1\n')
    code, _, err = env.run(["validate", "spec.yaml"])
    assert code == 2
    assert err.count(": error: ") == 3, err


def test_key_lines_skip_multiline_strings_and_find_dotted_and_quoted_keys() -> None:
    text = ('a = """\nb = 1\n"""\n[t]\n"q k" = 1\nx.y = 2\n[[arr]]\nz = 3\n'
            "s = '''one\n'''\nlast = 1\n")
    lines = key_lines(text)
    assert lines[("a",)] == (1, 1)
    assert ("b",) not in lines and ("t", "b") not in lines
    assert lines[("t",)] == (4, 1)
    assert lines[("t", "q k")] == (5, 1)
    assert lines[("t", "x", "y")] == (6, 1)
    assert lines[("arr", "z")] == (8, 1)
    assert lines[("arr", "last")] == (11, 1)
