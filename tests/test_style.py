"""The code base stays ruff- and mypy --strict-clean (run as part of the suite, so CI checks
it too), and every module says what it is for."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a dev dependency: pip install -e '.[dev]'"
    result = subprocess.run([ruff, "check", "--output-format", "concise", "compiler", "tests",
                             "bench"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_module_has_a_docstring() -> None:
    import ast

    missing = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "compiler").rglob("*.py"))
               if ast.get_docstring(ast.parse(p.read_text("utf-8"))) is None]
    assert not missing, f"modules without a docstring: {missing}"


def test_mypy_strict_clean() -> None:
    # Strictness and the checked files come from [tool.mypy] in pyproject.toml.
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")
    assert mypy, "mypy is a dev dependency: pip install -e '.[dev]'"
    result = subprocess.run([mypy, "--no-error-summary"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_type_ignore_names_its_error_code() -> None:
    bare = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "compiler").rglob("*.py"))
            for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
            if "# type: ignore" in line and "# type: ignore[" not in line]
    assert not bare, f"type: ignore without an error code: {bare}"
