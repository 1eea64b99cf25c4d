"""Start-up stays light: `msgc --help` and `msgc validate` never import the sender stack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("httpx", "httpcore", "compiler.sending", "compiler.commands.send",
         "compiler.commands.fake_server")

PROBE = """
import sys
from compiler.cli import main
try:
    main({args!r})
except SystemExit:
    pass
loaded = [m for m in {heavy!r} if m in sys.modules]
print("LOADED:" + ",".join(loaded), file=sys.stderr)
"""


def loaded_modules(args: list[str]) -> list[str]:
    code = PROBE.format(args=args, heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    line = [x for x in result.stderr.splitlines() if x.startswith("LOADED:")][-1]
    return [m for m in line[len("LOADED:"):].split(",") if m]


def test_help_imports_no_sender_module() -> None:
    assert loaded_modules(["--help"]) == []


def test_validate_one_file_imports_no_sender_module() -> None:
    assert loaded_modules(["validate", "-q", "templates/order-shipped.yaml"]) == []


def test_help_does_not_import_jsonschema_or_jinja() -> None:
    code = ("import sys\nfrom compiler.cli import main\ntry:\n    main(['--help'])\n"
            "except SystemExit:\n    pass\n"
            "print([m for m in ('jsonschema', 'jinja2', 'yaml') if m in sys.modules], "
            "file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.stderr.strip().splitlines()[-1] == "[]"


def test_validating_a_valid_spec_does_not_load_jsonschema() -> None:
    """jsonschema only explains rejected documents; the validity gate decides. (A spec
    with findings does load it, to explain them.)"""
    code = ("import sys\nfrom compiler.cli import main\ntry:\n"
            "    main(['validate', '-q', '--no-cache', 'templates/order-shipped.yaml'])\n"
            "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
            "print([m for m in ('jsonschema', 'referencing') if m in sys.modules], "
            "file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr


@pytest.mark.parametrize("spec", ["promo-carousel.yaml", "order-shipped.yaml"])
def test_simple_templates_never_load_jinja(spec: str) -> None:
    """A spec whose templates are all plain (text and {{ name }}: promo-carousel) or in the
    subset template_subset reads (order-shipped's `'day' if eta_days == 1 else 'days'`) is
    parsed, checked (worst case included) and rendered without importing Jinja or the
    sandbox."""
    code = ("import sys\nfrom compiler.cli import main\ntry:\n"
            f"    main(['validate', '-q', '--no-cache', 'templates/{spec}'])\n"
            "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
            "print([m for m in ('jinja2', 'compiler.sandbox') if m in sys.modules], "
            "file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr


def test_a_warm_validate_loads_neither_yaml_nor_jinja(tmp_path: Path) -> None:
    """With every result cached, validate reads and hashes the files and prints."""
    env = {**os.environ, "MSGC_CACHE_DIR": str(tmp_path)}
    code = ("import sys\nfrom compiler.cli import main\ntry:\n"
            "    main(['validate', '-q', 'templates/'])\n"
            "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
            "print([m for m in ('yaml', 'jinja2', 'jsonschema', 'jsonschema_rs') "
            "if m in sys.modules], file=sys.stderr)")
    for expected in (None, "[]"):  # the first run fills the cache
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                                text=True, timeout=120, env=env)
        assert expected is None or result.stderr.strip().splitlines()[-1] == expected, \
            result.stderr
