"""The code base stays ruff-clean (run as part of the suite, so CI checks it too)."""

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
