"""The plain-template parser builds Jinja's own tree, and variable discovery without Jinja's
code generator finds Jinja's variables (differential tests against Jinja itself)."""

from __future__ import annotations

from typing import Any

import jinja2
from hypothesis import event, given, settings
from hypothesis import strategies as st
from jinja2 import meta, nodes

from compiler.sandbox import environment
from compiler.template_parser import free_names, parse_plain
from compiler.templating import parse_template

_ENV = environment()


def dump(node: Any) -> Any:
    """A node with every field and every line number, for exact comparison."""
    if isinstance(node, nodes.Node):
        return (type(node).__name__, node.lineno,
                tuple((name, dump(value)) for name, value in node.iter_fields()))
    if isinstance(node, list):
        return [dump(n) for n in node]
    return node


NAMES = ["a", "b_1", "_x", "true", "None", "self", "loop", "range", "if", "not", "ж", "A9"]
FRAGMENTS = st.one_of(
    st.text(alphabet=list("ab {}%#-+\n\r\t\"'ж"), max_size=6),
    st.sampled_from(["\r\n", "\n\n", "{", "}", "}}", "{{", "{%", "{#", "#}", "%}"]),
    st.builds(lambda n, left, right: f"{{{{{left}{n}{right}}}}}", st.sampled_from(NAMES),
              st.sampled_from(["", " ", "  ", "\n", " \r\n ", "\t", "-", "- ", "+"]),
              st.sampled_from(["", " ", "\n", "\r", " -", "\n\n"])),
    st.sampled_from(["{{ a.b }}", "{{ a | upper }}", "{{ a ~ b }}", "{{ 'x' }}", "{{ 1 }}",
                     "{% if a %}x{% endif %}", "{# note #}", "{% raw %}{{ a }}{% endraw %}",
                     "{{ a }}{{ b }}", "{{ a,b }}", "{{ }}"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(FRAGMENTS, max_size=8).map("".join))
def test_plain_parser_builds_jinjas_tree_with_jinjas_line_numbers(source: str) -> None:
    try:
        expected = _ENV.parse(source)
    except jinja2.TemplateSyntaxError:
        expected = None
    got = parse_plain(source)
    if got is None:
        event("not plain")
        return
    event("plain")
    assert expected is not None, source
    assert dump(got) == dump(expected), source


def test_plain_parser_examples() -> None:
    ast = parse_plain("Hi {{ name }},\r\nyour order {{\n order }} ships")
    assert ast is not None
    assert dump(ast) == dump(_ENV.parse("Hi {{ name }},\r\nyour order {{\n order }} ships"))
    assert [n.lineno for n in ast.find_all(nodes.Name)] == [1, 3]
    for not_plain in ("{{ a.b }}", "{{- a }}", "{{ true }}", "{% if a %}{% endif %}",
                      "{{{ a }}", "a {# c #}", "{{ ж }}", "{{ self }}"):
        assert parse_plain(not_plain) is None, not_plain


# Templates over a grammar that also binds names (set, for, macro, with, call), so that
# free_names must step aside where only Jinja's code generator can tell.
EXPR = st.sampled_from(["a", "b", "a ~ b", "a | default(c)", "a.x", "b[0]", "range(3)",
                        "loop.index", "x", "caller()", "varargs", "self", "1 if a else c",
                        "[a, b]", "{'k': a}", "a is defined", "not b", "(a, c)"])
BLOCK = st.deferred(lambda: st.one_of(
    EXPR.map(lambda e: f"{{{{ {e} }}}}"),
    st.just("text "),
    st.tuples(EXPR, BODY).map(lambda t: f"{{% if ({t[0]}) %}}{t[1]}{{% endif %}}"),
    st.tuples(EXPR, BODY).map(lambda t: f"{{% for x in ({t[0]}) %}}{t[1]}{{% endfor %}}"),
    st.tuples(EXPR).map(lambda t: f"{{% set x = {t[0]} %}}"),
    BODY.map(lambda b: f"{{% macro m(a) %}}{b}{{% endmacro %}}"),
    BODY.map(lambda b: f"{{% with x = a %}}{b}{{% endwith %}}"),
    BODY.map(lambda b: f"{{% filter upper %}}{b}{{% endfilter %}}"),
))
BODY = st.lists(BLOCK, max_size=3).map("".join)


@settings(max_examples=150, deadline=None)
@given(BODY)
def test_free_names_are_jinjas_undeclared_variables(source: str) -> None:
    try:
        ast = _ENV.parse(source)
    except jinja2.TemplateSyntaxError:
        return
    expected = meta.find_undeclared_variables(ast)
    names = free_names(ast)
    if names is None:
        event("binds names: Jinja decides")
    else:
        event("walked")
        assert names - set(_ENV.globals) == expected, source
    assert parse_template(source)[1] == frozenset(expected) - {"range"}


FREE_BLOCK = st.deferred(lambda: st.one_of(
    EXPR.map(lambda e: f"{{{{ {e} }}}}"),
    st.just("text\n"),
    st.tuples(EXPR, FREE_BODY, FREE_BODY).map(
        lambda t: f"{{% if ({t[0]}) %}}{t[1]}{{% else %}}{t[2]}{{% endif %}}"),
))
FREE_BODY = st.lists(FREE_BLOCK, max_size=3).map("".join)


@settings(max_examples=300, deadline=None)
@given(FREE_BODY)
def test_free_names_walk_templates_that_bind_nothing(source: str) -> None:
    ast = _ENV.parse(source)
    names = free_names(ast)
    assert names is not None or "self" in source
    if names is not None:
        assert names - set(_ENV.globals) == meta.find_undeclared_variables(ast), source


PLAIN_FRAGMENTS = st.one_of(
    st.text(alphabet=list("ab }{\n\r\t.ж😀"), max_size=8).filter(
        lambda t: "{{" not in t and "{%" not in t and "{#" not in t),
    st.builds(lambda n, left, right: f"{{{{{left}{n}{right}}}}}", st.sampled_from(["a", "b_1", "_x", "A9"]),
              st.sampled_from(["", " ", "\n", " \r\n ", "\t\r"]),
              st.sampled_from(["", " ", "\n", "\r", "\n\n"])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAIN_FRAGMENTS, min_size=1, max_size=8).map("".join))
def test_plain_templates_parse_like_jinja(source: str) -> None:
    """Templates meant to be plain (the common case) take the plain parser, or are ones a
    text fragment turned into something else ("{" before "{{")."""
    got = parse_plain(source)
    try:
        expected = _ENV.parse(source)
    except jinja2.TemplateSyntaxError:
        assert got is None
        return
    if got is not None:
        event("plain")
        assert dump(got) == dump(expected), source


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAIN_FRAGMENTS, min_size=1, max_size=8).map("".join),
       st.dictionaries(st.sampled_from(["a", "b_1", "_x", "A9"]), st.sampled_from([
           {"type": "string", "max_length": 12}, {"type": "string"}, {"type": "date"},
           {"type": "integer", "minimum": 1, "maximum": 300}, {"type": "number"},
           {"type": "string", "enum": ["x", "long one"]}])))
def test_bounds_of_plain_pieces_equal_bounds_of_jinjas_tree(
        source: str, decls: dict[str, dict[str, Any]]) -> None:
    from compiler.analysis import bound_pieces, bound_template
    from compiler.template_parser import plain_ast, scan_plain
    from compiler.variables import Variable

    pieces = scan_plain(source)
    if pieces is None:
        return
    variables = {name: Variable.from_decl(name, decl) for name, decl in decls.items()}
    assert bound_pieces(pieces, variables) == bound_template(plain_ast(pieces), variables)


def test_the_parsing_environment_has_the_sandboxs_syntax_and_globals() -> None:
    """Non-plain templates are parsed by a plain environment (cheaper to build than the
    sandbox); its lexer settings and globals must be the sandbox's."""
    from compiler.sandbox import parser_environment

    parsing, sandbox = parser_environment(), environment()
    for attribute in ("block_start_string", "block_end_string", "variable_start_string",
                      "variable_end_string", "comment_start_string", "comment_end_string",
                      "line_statement_prefix", "line_comment_prefix", "trim_blocks",
                      "lstrip_blocks", "newline_sequence", "keep_trailing_newline"):
        assert getattr(parsing, attribute) == getattr(sandbox, attribute), attribute
    assert parsing.extensions.keys() == sandbox.extensions.keys()
    assert parsing.globals.keys() == sandbox.globals.keys()
    source = "{% if a %}\n  x {{ b | upper }}{% endif %}\n{# c #}{{ range(2) }}"
    assert dump(parsing.parse(source)) == dump(sandbox.parse(source))
