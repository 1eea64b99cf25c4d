"""Shared helpers for the compiler tests: building specs from Python data, compiling them
through the public pipeline, and looking at the diagnostics of a failure.

Test modules import these helpers (``from conftest import ...``); pytest puts this folder on
``sys.path``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

from compiler.diagnostics import Diagnostic, MsgcError
from compiler.envelope import resolve
from compiler.pipeline import Plan, Rendered
from compiler.spec import Spec, load_spec, load_spec_text

# Hypothesis profiles. "ci" (chosen when CI=true) gives the same verdict on every run and
# every machine: examples are derived from each test's name (derandomize), nothing depends
# on timing (no deadline, no too-slow health check), and no example database carries state
# between runs. Local runs ("dev") keep exploring new examples each time. Tests that set
# their own max_examples keep it in both.
settings.register_profile(
    "ci", derandomize=True, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much])
settings.register_profile("dev", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("MSGC_HYPOTHESIS_PROFILE")
                      or ("ci" if os.environ.get("CI", "").lower() in ("1", "true") else "dev"))

def _only_catalogued_rules() -> None:
    """Every finding created anywhere in the suite names a catalogued rule: constructing a
    Diagnostic or a Finding with an unknown rule id fails the test that did it."""
    from compiler import catalog
    from compiler.schemas import Finding

    for cls in (Diagnostic, Finding):
        init = cls.__init__

        def checked(self: Any, *args: Any, _init: Any = init, _name: str = cls.__name__,
                    **kwargs: Any) -> None:
            _init(self, *args, **kwargs)
            if catalog.get(self.rule) is None:  # registered providers bring their own
                raise AssertionError(f"{_name} names rule {self.rule!r}, which is not in the "
                                     "rule catalog (compiler/catalog)")

        cls.__init__ = checked  # type: ignore[method-assign]


_only_catalogued_rules()

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "templates"
EXAMPLES = TEMPLATES / "examples"
SCHEMAS = REPO / "schemas"

@pytest.fixture(autouse=True)
def _private_result_cache(tmp_path_factory: pytest.TempPathFactory,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets an empty result cache of its own (never the user's)."""
    monkeypatch.setenv("MSGC_CACHE_DIR", str(tmp_path_factory.mktemp("msgc-cache")))


#: Envelopes that satisfy both providers' rules, for tests that do not care about them.
ENVELOPES: dict[str, dict[str, str]] = {
    "viber": {"appkey": "TexxxP6", "phone": "79001234567"},
    "whatsapp": {"appId": "DGziZf5u", "businessPhone": "91856321321",
                 "recipient": "91856321322"},
}


@pytest.fixture(autouse=True, scope="session")
def _no_personal_config(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """No test reads the developer's own msgc settings: the user-level config folder is an
    empty temporary one and ``MSGC_CONFIG`` is unset (subprocesses inherit both). A test
    that needs a user config points ``XDG_CONFIG_HOME`` at its own folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config-home")))
        mp.delenv("MSGC_CONFIG", raising=False)
        yield


def run_cli(args: list[str], cwd: Path, env: Mapping[str, str | None] | None = None) -> Any:
    """Run ``msgc ARGS`` in-process in ``cwd`` (config files are found from the working
    directory); returns click's ``Result`` (``exit_code``, ``stdout``, ``stderr``,
    ``output``). An exception other than an exit fails the calling test."""
    from click.testing import CliRunner

    from compiler.cli import cli

    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args, env=env)
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def spec_yaml(message: Mapping[str, Any], provider: str | None = None, *,
              settings: Mapping[str, Any] | None = None,
              variables: Mapping[str, Any] | None = None,
              targets: Mapping[str, Any] | None = None,
              locales: Mapping[str, Any] | None = None) -> str:
    """YAML text of a spec with ``message`` for one provider (or explicit ``targets``)."""
    data: dict[str, Any] = {}
    if variables:
        data["variables"] = dict(variables)
    data["message"] = dict(message)
    if targets is None:
        assert provider is not None
        targets = {provider: dict(settings or {})}
    data["targets"] = dict(targets)
    if locales:
        data["locales"] = dict(locales)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def make_spec(message: Mapping[str, Any], provider: str | None = None, **kw: Any) -> Spec:
    return load_spec_text(spec_yaml(message, provider, **kw), "test.yaml")


def render(spec: Spec, provider: str, values: Mapping[str, Any] | None = None, *,
           locale: str | None = None, envelope: Mapping[str, str] | None = None,
           samples: bool = False) -> Rendered:
    """``Plan.render`` with ``envelope`` passed as it is (phones as digits: the payload
    schema judges them) or, without one, the spec's target block and placeholders; with
    ``samples`` variables not given take their examples. (The public
    :func:`compiler.render` normalises ``to=`` and ``envelope=`` first.)"""
    plan = Plan(spec, provider, locale)
    given = plan.values(values, samples=samples)
    if envelope is None:
        envelope = resolve(plan.provider, plan.settings, {}, {}, {}, placeholders=True).values
    return plan.render(given, envelope)


def compile_message(message: Mapping[str, Any], provider: str, *,
                    settings: Mapping[str, Any] | None = None,
                    variables: Mapping[str, Any] | None = None,
                    values: Mapping[str, Any] | None = None,
                    envelope: Mapping[str, str] | None = None,
                    locale: str | None = None) -> Rendered:
    """Build a one-provider spec around ``message`` and render it (examples for values
    not given)."""
    spec = make_spec(message, provider, settings=settings, variables=variables)
    return render(spec, provider, values, locale=locale,
                  envelope=ENVELOPES[provider] if envelope is None else envelope, samples=True)


def compile_text(text: str, provider: str, values: Mapping[str, Any] | None = None, *,
                 locale: str | None = None, envelope: Mapping[str, str] | None = None,
                 samples: bool = True, filename: str = "test.yaml") -> Rendered:
    spec = load_spec_text(text, filename)
    return render(spec, provider, values, locale=locale,
                  envelope=ENVELOPES[provider] if envelope is None else envelope,
                  samples=samples)


def errors_of(call: Any, *args: Any, **kwargs: Any) -> list[Diagnostic]:
    """The error diagnostics of a call that must raise :class:`MsgcError`."""
    with pytest.raises(MsgcError) as info:
        call(*args, **kwargs)
    diags = [d for d in info.value.diagnostics if d.is_error]
    assert diags, "MsgcError without an error diagnostic"
    return diags


def rules(diags: list[Diagnostic]) -> set[str]:
    return {d.rule for d in diags}


def only(diags: list[Diagnostic], rule: str) -> Diagnostic:
    """The single diagnostic with ``rule`` (fails when there is none or several)."""
    found = [d for d in diags if d.rule == rule]
    assert len(found) == 1, f"expected one {rule!r}, got {[d.format() for d in diags]}"
    return found[0]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line of ``text`` containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} occurs {len(hits)} times"
    return hits[occurrence - 1]


def load_json_schema(provider: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{provider}.payload.schema.json").read_text(encoding="utf-8"))


def load_template(path: Path) -> Spec:
    return load_spec(path)
