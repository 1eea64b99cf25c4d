"""The YAML tree builder's inline path for plain scalars (``_Builder.run``) against its
general path (``_Builder.feed`` for every event): the same data, positions, key positions,
block scalars, "quote it" texts and directives, and the same error at the same place, for
the bundled specs, the fuzz corpus, hostile snippets and generated documents, with libyaml
and with the pure-Python parser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler import source
from compiler.diagnostics import MsgcError

ROOT = Path(__file__).resolve().parent.parent
LOADERS = [pytest.param(yaml.SafeLoader, id="python")]
if hasattr(yaml, "CSafeLoader"):
    LOADERS.append(pytest.param(yaml.CSafeLoader, id="libyaml"))


def _general(text: str, loader: type) -> source.Document:
    """What ``_build`` built before the inline path: every event through ``feed``."""
    builder = source._Builder("spec.yaml")
    parser = loader(text)
    try:
        while (event := parser.get_event()) is not None:
            builder.feed(event)
            if isinstance(event, yaml.StreamEndEvent):
                break
    finally:
        parser.dispose()
    return builder.result()


def _outcome(build: Any) -> tuple[Any, ...]:
    try:
        doc = build()
    except MsgcError as exc:
        return ("error", [(d.rule, d.message, d.line, d.column, d.hint)
                          for d in exc.diagnostics])
    except yaml.YAMLError as exc:
        return ("yaml", str(exc))
    return ("doc", repr(doc.data), doc.positions, doc.key_positions, doc.block_scalars,
            doc.plain_texts)


def _assert_same(text: str, loader: type) -> None:
    inline = _outcome(lambda: source._build(text, "spec.yaml", loader))
    general = _outcome(lambda: _general(text, loader))
    assert inline == general, text


SNIPPETS = [
    "a: 1\nb: [x, 'y', \"z\", 2.5, true, null, ~, 2024-01-31]\n",
    "a: 1\na: 2\n",                         # duplicate key
    "{a: 1, b: {a: 2, a: 3}}\n",             # duplicate key in flow style
    "1: one\n2.5: two\ntrue: three\n~: four\n",  # keys that are not text
    "<<: {a: 1}\n",                          # merge key
    "'<<': text\n",                          # a quoted chevron is text
    "a: &x [1, 2]\nb: *x\nc: &y text\nd: *y\n",  # anchors and aliases
    "a: !!str 12\nb: !!int '7'\nc: ! plain\n",   # tags
    "a: !custom x\n",
    "a: |\n  one\n  two\nb: >\n  folded\n  text\nc: |-\n  kept\n",
    "a/b: 1\n'~c': 2\nd: {e/f: [g~h]}\n",     # keys that need escaping in pointers
    "- a\n- - b\n  - c\n- {d: e}\n",
    "just text\n",
    "",
    "a: yes\nb: No\nc: 0x1F\nd: 1_000\ne: .inf\nf: 010\n",
    "[a, b]: c\n",                            # a complex key
    "a: 1\n---\nb: 2\n",                      # two documents
    "a: *missing\n",
    "a: [1, 2\n",                             # syntax error
]


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets_build_alike(text: str, loader: type) -> None:
    _assert_same(text, loader)


@pytest.mark.parametrize("loader", LOADERS)
def test_bundled_and_fuzz_specs_build_alike(loader: type) -> None:
    files = sorted((ROOT / "templates").glob("*.yaml")) + sorted(
        (ROOT / "tests" / "fuzz_corpus").glob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        _assert_same(path.read_text("utf-8"), loader)


def test_the_caps_are_reported_alike() -> None:
    many = "".join(f"k{i}: v\n" for i in range(source.MAX_NODES + 5))
    long = "a: " + "x" * 50 + "\n" + "".join(f"k{i}: " + "y" * 60_000 + "\n"
                                              for i in range(300))
    for text in (many, long):
        _assert_same(text, yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader)


_WORDS = st.sampled_from(["a", "b", "text", "yes", "No", "null", "~", "12", "1.5", "0x10",
                          "2024-01-31", "<<", "a/b", "t~1", "", " ", "-", "x: y", "#c",
                          "ünï", "{{ name }}", "on"])
_SCALARS = st.one_of(_WORDS, st.integers(-5, 5), st.booleans(), st.none(),
                     st.text(max_size=8))
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(_WORDS, st.integers(0, 3)), inner,
                                            max_size=4)),
    max_leaves=20)


@settings(max_examples=150)
@given(data=_DATA, flow=st.sampled_from([None, True, False]),
       style=st.sampled_from([None, "'", '"', "|"]))
def test_generated_documents_build_alike(data: Any, flow: bool | None, style: str | None
                                         ) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, default_style=style,
                          allow_unicode=True, sort_keys=False)
    for loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        _assert_same(text, loader)
        _assert_same(text + text, loader)  # every top-level key twice, or two documents
