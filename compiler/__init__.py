"""msgc: compile provider-neutral YAML message specs into validated provider payloads.

The public API, in pipeline order (load -> check -> render -> lower -> validate)::

    from compiler import load_spec, render, validate_payload

    spec = load_spec("templates/order-shipped.yaml")
    result = render(spec, "viber", {"order_id": "A-1029"}, to="79001234567", examples=True)
    result.payload      # the provider payload, a dict
    result.body         # the exact bytes that would be sent

    problems = validate_payload("whatsapp", payload_dict)   # [] when valid

Names are imported lazily, so ``import compiler`` (and ``msgc --help``) stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = {"Plan", "Rendered", "Spec", "load_spec", "load_spec_text", "render", "serialize",
        "validate_payload"}
__all__ = sorted(_API | {"MsgcError", "Diagnostic", "__version__"})


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    if name in ("MsgcError", "Diagnostic"):
        from . import diagnostics

        return getattr(diagnostics, name)
    raise AttributeError(f"module 'compiler' has no attribute {name!r}")
