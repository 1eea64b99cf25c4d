"""Small helpers the catalog modules write their entries with (dedented text, examples)."""

from __future__ import annotations

import textwrap

from . import Example


def para(text: str) -> str:
    """Dedented prose: a paragraph's lines are joined, paragraphs stay apart, and a block
    of ``- `` items or indented lines keeps its line breaks."""
    blocks = textwrap.dedent(text).strip().split("\n\n")
    return "\n\n".join(b if _keeps_lines(b) else " ".join(x.strip() for x in b.splitlines())
                       for b in blocks)


def _keeps_lines(block: str) -> bool:
    return any(line.startswith(("- ", "    ")) for line in block.splitlines())


def spec(text: str) -> Example:
    """A complete spec file."""
    return Example(textwrap.dedent(text).strip("\n") + "\n", "yaml")


def payload(text: str) -> Example:
    """A complete provider payload (request body)."""
    return Example(textwrap.dedent(text).strip("\n") + "\n", "json")


def shell(text: str) -> Example:
    """A command line, and what it prints."""
    return Example(textwrap.dedent(text).strip("\n") + "\n", "shell")


def toml(text: str) -> Example:
    """A config file."""
    return Example(textwrap.dedent(text).strip("\n") + "\n", "toml")


def plain(text: str) -> Example:
    """Anything else, shown as is."""
    return Example(textwrap.dedent(text).strip("\n") + "\n", "text")
