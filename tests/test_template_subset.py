"""The Jinja-free reader of the subset (compiler/template_subset.py) against Jinja itself:
on every generated template it accepts, its tree is Jinja's (node classes' names, fields,
values and line numbers), and a template's variables, pieces, generated code, first lines
of its variables and worst-case bound are what the Jinja path gives. Templates outside the
subset are left to Jinja."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from jinja2 import TemplateSyntaxError

from compiler import sandbox, templating
from compiler.analysis import bound_template
from compiler.jinja_subset import template_code
from compiler.template_parser import plain_pieces
from compiler.template_subset import scan_subset
from compiler.variables import Variable


def dump(node: Any) -> Any:
    """A node as nested tuples: class name, line, and each field in order."""
    if hasattr(node, "fields") and hasattr(node, "iter_child_nodes"):
        return (type(node).__name__, node.lineno,
                tuple((f, dump(getattr(node, f))) for f in node.fields))
    if isinstance(node, list):
        return [dump(x) for x in node]
    return (type(node).__name__, node)


_SPACE = st.sampled_from(["", " ", "  ", "\n", " \n ", "\t", "\u00a0", "\r\n"])
_ATOMS = st.sampled_from([
    "name", "eta_days", "x1", "_y", "range", "self", "loop", "if", "and", "not", "имя",
    "'day'", '"days"', "''", "'it''s'", "'a}}b'", "'a\\nb'", "'\n'", "'é😀'", '"{{ x }}"',
    "0", "1", "42", "007", "1_000", "1.5", "-1",
    "true", "False", "none", "None", "TRUE",
])
_FILTERS = st.sampled_from(["upper", "lower", "capitalize", "trim", "title", "default",
                            "upper()", "e", "x.y"])
_COMPARE = st.sampled_from(["==", "!=", "<", ">", "<=", ">=", "in", "is", "not in", "="])


@st.composite
def expressions(draw: Any, depth: int = 0) -> str:
    choice = draw(st.integers(0, 6 if depth < 3 else 1))
    sp = draw(_SPACE)
    if choice <= 1:
        return draw(_ATOMS)
    if choice == 2:
        return f"{draw(expressions(depth + 1))}{sp}|{draw(_SPACE)}{draw(_FILTERS)}"
    if choice == 3:
        return (f"{draw(expressions(depth + 1))}{sp}{draw(_COMPARE)}{draw(_SPACE)}"
                f"{draw(expressions(depth + 1))}")
    if choice == 4:
        tail = draw(st.sampled_from(["else", "", "else"]))
        rest = f" {tail} {draw(expressions(depth + 1))}" if tail else ""
        return f"{draw(expressions(depth + 1))} if{sp}{draw(expressions(depth + 1))}{rest}"
    if choice == 5:
        return f"({sp}{draw(expressions(depth + 1))}{draw(_SPACE)})"
    return f"{draw(expressions(depth + 1))}, {draw(expressions(depth + 1))}"


@st.composite
def templates(draw: Any) -> str:
    out = []
    for _ in range(draw(st.integers(1, 4))):
        out.append(draw(st.sampled_from(["", "Hi ", "line\n", "a}b", "{ x }", "\n\n", "ж "])))
        if draw(st.booleans()):
            opener = draw(st.sampled_from(["{{", "{{", "{{", "{{-", "{%", "{#"]))
            closer = draw(st.sampled_from(["}}", "}}", "}}", "-}}", "} }"]))
            out.append(f"{opener}{draw(_SPACE)}{draw(expressions())}{draw(_SPACE)}{closer}")
    return "".join(out)


_IN_SUBSET = st.sampled_from(["name", "eta_days", "x1", "'day'", '"it\'s"', "''", "'a}}b'",
                              "'é😀'", "0", "7", "true", "None", "False"])
_SUBSET_SPACE = st.sampled_from(["", " ", "\n", "  \n\t"])


@st.composite
def subset_expressions(draw: Any, depth: int = 0) -> str:
    """Expressions of the subset's grammar only (some of them outside what the generated
    code takes: ordering a variable, a chained comparison)."""
    choice = draw(st.integers(0, 4 if depth < 3 else 0))
    sp = draw(_SUBSET_SPACE)
    if choice == 0:
        return draw(_IN_SUBSET)
    if choice == 1:
        filt = draw(st.sampled_from(["upper", "lower", "capitalize", "trim"]))
        return f"{draw(subset_expressions(depth + 1))}{sp}|{draw(_SUBSET_SPACE)}{filt}"
    if choice == 2:
        ops = draw(st.lists(st.sampled_from(["==", "!=", "<", ">", "<=", ">="]), min_size=1,
                            max_size=2))
        out = draw(subset_expressions(depth + 1))
        for op in ops:
            out += f"{sp}{op}{draw(_SUBSET_SPACE)}{draw(subset_expressions(depth + 1))}"
        return out
    if choice == 3:  # a conditional inside the test or the first branch needs parentheses
        def inner() -> str:
            text = draw(subset_expressions(depth + 1))
            return f"({text})" if " if " in text else text
        return (f"{inner()}{sp} if {inner()} else{draw(_SUBSET_SPACE)} "
                f"{draw(subset_expressions(depth + 1))}")
    return f"({sp}{draw(subset_expressions(depth + 1))}{draw(_SUBSET_SPACE)})"


@st.composite
def subset_templates(draw: Any) -> str:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        out.append(draw(st.sampled_from(["", "Hi ", "line\n", "a}b", "\r\n", "ж "])))
        out.append(f"{{{{{draw(_SUBSET_SPACE)}{draw(subset_expressions())}"
                   f"{draw(_SUBSET_SPACE)}}}}}")
    return "".join(out)


VARIABLES = {
    "name": Variable.from_decl("name", {"type": "string", "max_length": 20}),
    "eta_days": Variable.from_decl("eta_days", {"type": "integer", "minimum": 1,
                                                "maximum": 30}),
    "x1": Variable.from_decl("x1", {"type": "string"}),
}


def _bound(tree: Any) -> Any:
    bound = bound_template(tree, VARIABLES)
    return bound.chars, bound.unbounded, bound.drivers


def _jinja(source: str) -> Any:
    try:
        return sandbox.parse(source)
    except Exception as exc:
        return exc


def assert_like_jinja(source: str) -> bool:
    """When the reader takes ``source``, everything about it is Jinja's. True if taken."""
    tree = scan_subset(source)
    if tree is None:
        return False
    ast = _jinja(source)
    assert not isinstance(ast, Exception), (source, ast)
    assert dump(tree) == dump(ast), source
    assert template_code(tree) == template_code(ast), source
    assert plain_pieces(tree) == plain_pieces(ast), source
    assert _bound(tree) == _bound(ast), source
    if template_code(tree) is not None:  # what templating.parse keeps for the template
        parsed = templating.parse.__wrapped__(source)
        assert parsed.names == sandbox.variables_of(ast), source
        jinja_parsed = templating.Parsed(plain_pieces(ast), ast, sandbox.variables_of(ast))
        for name in parsed.names:
            assert parsed.line_of(name) == jinja_parsed.line_of(name), (source, name)
    return True


@settings(max_examples=600, deadline=None)
@given(templates())
@example("{{ 'day' if eta_days == 1 else 'days' }}")
@example("{{ 'a\\nb' }} {{ \"\\u00e9\" }}")
@example("{{\n  'a'\n  if name\n  ==\n  'b'\n  else\n  name|upper\n}} and {{ (x1) }}")
@example("x {{ name | trim | upper }}\n{{ 1 if (eta_days != 2) else (0) }}")
def test_the_subset_reads_what_jinja_reads(source: str) -> None:
    assert_like_jinja(source)


@settings(max_examples=500, deadline=None)
@given(subset_templates())
def test_the_subset_reads_its_own_grammar_as_jinja_does(source: str) -> None:
    assert assert_like_jinja(source), source  # its grammar, so always taken


@pytest.mark.parametrize("source", [
    "{{ 'day' if eta_days == 1 else 'days' }}",
    "Dear {{ name|capitalize }},\n{{ 'see you' if eta_days == 1 else 'soon' }}",
    "{{ (name) }}",
    "{{ true }} {{ none }} {{ 0 }}",
])
def test_common_templates_are_read_without_jinja(source: str) -> None:
    assert assert_like_jinja(source)


@pytest.mark.parametrize("source", [
    "{% if a %}x{% endif %}", "{# c #}", "{{- a }}", "{{ a -}}", "{{ a.b }}", "{{ a() }}",
    "{{ 'a\\'b' }}", "{{ 'a\\nb' }}", "{{ \"tab\\t\" }}", "{{ 1.5 }}", "{{ a ~ b }}",
    "{{ a if b }}", "{{ a < b }}",
    "{{ a|title }}", "{{ a|upper() }}", "{{ a, b }}", "{{ 'a' 'b' }}", "{{ range|upper }}",
    "{{ a is defined }}", "{{ a == b == c }}", "{{ имя }}", "{{ not a }}",
    "{{" + "(" * 20 + "a" + ")" * 20 + "}}", "{{ a" + "|upper" * 60 + " }}",
])
def test_outside_the_subset_jinja_reads_it(source: str) -> None:
    """Not read, or read but not renderable by generated code: either way templating
    parses it with Jinja."""
    tree = scan_subset(source)
    assert tree is None or template_code(tree) is None
    try:
        parsed = templating.parse.__wrapped__(source)
    except TemplateSyntaxError:
        return  # Jinja refuses it (nested too deeply), as it should
    assert type(parsed.tree).__module__ == "jinja2.nodes"
