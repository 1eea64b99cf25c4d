"""The payload serializer (json's C encoder, made once) writes exactly what
``json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))`` writes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.frozen import freeze
from compiler.pipeline import serialize

_REFERENCE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(), st.sampled_from(["\u2028", "\x00", "é", "😀", "\ud800", '"\\/'])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=25)


def _outcome(encode: Any, value: Any) -> tuple[str, Any]:
    try:
        return "bytes", encode(value)
    except UnicodeEncodeError:  # a lone surrogate is no UTF-8, whoever encodes it
        return "not UTF-8", None


@settings(max_examples=300)
@given(value=_JSON)
def test_serialize_writes_what_the_reference_encoder_writes(value: Any) -> None:
    assert _outcome(serialize, value) == \
        _outcome(lambda v: _REFERENCE.encode(v).encode("utf-8"), value)


def test_read_only_payloads_serialize_alike() -> None:
    payload = {"a": [1, 2.5, {"b": "é"}], "c": None}
    assert serialize(freeze(payload)) == serialize(payload) == \
        _REFERENCE.encode(payload).encode("utf-8")
