"""Start-up stays light: `msgc --help` and `msgc validate` never import the sender stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
