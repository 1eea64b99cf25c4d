"""What every way of handling a template shares: its limits, the names the environment
provides, and the problem it reports (so plain templates need no Jinja import)."""

from __future__ import annotations

#: Longest text one string leaf may render to; far above any provider limit.
MAX_RENDERED_CHARS = 65_536
#: Largest template source (four times the longest provider field), and deepest nesting
#: of its syntax tree.
MAX_TEMPLATE_CHARS = 16_384
MAX_TEMPLATE_DEPTH = 48
#: The names templates get from the sandbox's environment rather than from the spec's
#: variables (compiler.sandbox checks that its globals are exactly these).
GLOBAL_NAMES = frozenset({"range"})


class RenderProblem(Exception):
    """A template could not be compiled or rendered; ``pointer`` is in the message tree."""

    def __init__(self, pointer: str, rule: str, message: str, *, line_in_template: int | None
                 = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.rule = rule
        self.message = message
        self.line_in_template = line_in_template
        self.hint = hint
