"""The fast path: render many recipients of one plan without redoing per-spec work.

A :class:`FastPlan` is built once per plan. It lowers the message with a *sentinel* in place
of every variable-dependent string (each template leaf and each envelope field), so it
learns the payload's fixed skeleton and the *sites* where rendered text lands, including
fields that lowering composes from several leaves, and values lowering computes from a
leaf's text (declared with :func:`compiler.providers.lowering.computed`: the generated
function computes them per recipient with the same function). It validates the skeleton once, and for
each site extracts from the provider's JSON Schema the string checks that apply there.
Per recipient it then only renders the leaves (plain ``{{ name }}`` templates without
Jinja), runs those site checks and the provider's semantic rules, and splices the
JSON-escaped values into the pre-serialized skeleton.

It is exactly as strict as full validation:

* it is only used when every step of the derivation is verified: lowering passes each
  sentinel through unchanged, the skeleton has no error outside the sites, and, for each
  site, probe values (empty, long, boundary lengths, non-URLs, equal values at every site)
  get the same verdict from the extracted checks as from the full schema;
* it only ever *accepts*; anything it would reject is rendered again by the slow path,
  which produces the diagnostics;
* a differential property test (tests/test_fastpath.py) compares it with "render, then
  validate the whole payload with the schema" on random specs and values.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from . import pointer as jp
from .providers.base import Lowered, LoweringError, Provider
from .providers.lowering import Trace, as_number, deriving
from .schemas import validator as schema_validator
from .templating import MAX_RENDERED_CHARS, TemplateLeaf

if TYPE_CHECKING:
    from .schemas import DispatchingValidator as Validator

_SENTINEL = " \x1e{}Ab\x1f "
#: What lowering gets back for a value it computes from a sentinel (see _Computed).
_COMPUTED = " \x1e{}Cm\x1f "
#: A sentinel (Ab) or a computed value's marker (Cm), in lowered text.
_MARK_RE = re.compile(" \x1e(\\d+)(Ab|Cm)\x1f ")
_SAFE_KEYWORDS = frozenset({
    "type", "maxLength", "minLength", "pattern", "enum", "const", "description", "x-rule", "x-hint",
    "title", "$comment", "examples", "default", "format",
})


class Unsupported(Exception):
    """This plan cannot use the fast path; the slow path is used instead."""


# -- string checks extracted from a schema -------------------------------------------------

def _check_code(subschemas: Sequence[Mapping[str, Any]], s: str = "s", c: str = "c"
                ) -> tuple[str, list[Any]]:
    """Python source of one predicate over the variable ``s`` for every string check the
    subschemas make, and the constants it reads as ``c[i]``."""
    terms: list[str] = []
    consts: list[Any] = []
    for sub in subschemas:
        extra = set(sub) - _SAFE_KEYWORDS
        if extra:
            raise Unsupported(f"keywords {sorted(extra)} at a site")
        t = sub.get("type")
        if t is not None and t != "string" and not (isinstance(t, list) and "string" in t):
            terms.append("False")
        if "maxLength" in sub:
            terms.append(f"len({s}) <= {int(sub['maxLength'])}")
        if "minLength" in sub:
            terms.append(f"len({s}) >= {int(sub['minLength'])}")
        if "pattern" in sub:
            consts.append(re.compile(sub["pattern"]).search)
            terms.append(f"{c}[{len(consts) - 1}]({s}) is not None")
        if "enum" in sub:
            consts.append(frozenset(a for a in sub["enum"] if type(a) is str))
            terms.append(f"{s} in {c}[{len(consts) - 1}]")
        if "const" in sub:
            consts.append(sub["const"] if type(sub["const"]) is str else None)
            terms.append(f"{s} == {c}[{len(consts) - 1}]")
    return " and ".join(terms) if terms else "True", consts


def _checker(subschemas: Sequence[Mapping[str, Any]]) -> Callable[[str], bool]:
    """One generated predicate for every string check the subschemas make."""
    source, consts = _check_code(subschemas)
    check: Callable[[str], bool] = eval("lambda s: " + source, {"c": consts})
    return check


def _number(text: str, integer: bool) -> int | float | None:
    """The number lowering makes of a rendered text (:func:`as_number`), or None."""
    trace = Trace()
    number = as_number(text, "", "", trace, integer=integer)
    return None if trace.errors else number


def _number_checker(subschemas: Sequence[Mapping[str, Any]]) -> Callable[[Any], bool]:
    checks: list[Callable[[Any], bool]] = []
    for sub in subschemas:
        extra = set(sub) - _SAFE_KEYWORDS - {"minimum", "maximum", "exclusiveMinimum",
                                              "exclusiveMaximum", "multipleOf"}
        if extra or "multipleOf" in sub or "pattern" in sub or "maxLength" in sub:
            raise Unsupported("unsupported keywords at a numeric site")
        types = sub.get("type")
        types = [types] if isinstance(types, str) else (types or [])
        if types:
            checks.append(_type_check(tuple(types)))
        for key, op in _NUMBER_BOUNDS.items():
            if key in sub:
                checks.append(_bound_check(op, sub[key]))
        if "enum" in sub or "const" in sub:
            allowed = tuple(sub.get("enum", ())) + ((sub["const"],) if "const" in sub else ())
            checks.append(_enum_check(allowed))
    return lambda x: all(check(x) for check in checks)


_NUMBER_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {
    "minimum": operator.ge, "maximum": operator.le,
    "exclusiveMinimum": operator.gt, "exclusiveMaximum": operator.lt,
}


def _type_check(types: tuple[str, ...]) -> Callable[[Any], bool]:
    return lambda x: (("integer" in types and (isinstance(x, int) or float(x).is_integer()))
                      or "number" in types)


def _bound_check(op: Callable[[Any, Any], bool], bound: Any) -> Callable[[Any], bool]:
    return lambda x: op(x, bound)


def _enum_check(allowed: tuple[Any, ...]) -> Callable[[Any], bool]:
    return lambda x: any(x == a and not isinstance(a, (bool, str)) for a in allowed)


def _number_probes(v: Validator, skeleton: Any, site: _Site) -> list[Any]:
    probes: list[Any] = [0, 1, -1, 1.5, 10**12, 2.0]
    for sub in _site_subschemas(v, skeleton, site):
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key in sub:
                b = sub[key]
                probes += [b - 1, b, b + 1, b - 0.5, b + 0.5]
    return probes


@dataclass(slots=True)
class _Site:
    path: tuple[str | int, ...]
    pieces: tuple[str | int, ...]     # literal text or a leaf index
    check: Callable[[Any], bool]
    numeric: bool = False             # the leaf's text is converted to a number here
    subschemas: Sequence[Mapping[str, Any]] = ()  # what the check checks (string sites)


@dataclass(slots=True)
class _Computed:
    """A payload value lowering computes from variable-dependent text (see
    :func:`compiler.providers.lowering.computed`): the function, and each input as literal
    text and value indexes (or a constant that does not vary)."""

    fn: Callable[..., Any]
    inputs: tuple[tuple[str | int, ...] | str | None, ...]


_NUMBER_BASE = 987_654_000
#: A value of a type no message field takes, so every typed subschema at a site reports
#: itself with a "type" error when it is put there.
_TYPE_PROBE = [None]


def _walk_numbers(node: Any, path: tuple[str | int, ...] = ()
                  ) -> Iterator[tuple[tuple[str | int, ...], int]]:
    if isinstance(node, int) and not isinstance(node, bool):
        if _NUMBER_BASE <= node < _NUMBER_BASE + 1000:
            yield path, node
    elif isinstance(node, Mapping):
        for k, v in node.items():
            yield from _walk_numbers(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk_numbers(v, (*path, i))


def _walk_strings(node: Any, path: tuple[str | int, ...] = ()
                  ) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, Mapping):
        for k, v in node.items():
            yield from _walk_strings(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk_strings(v, (*path, i))


def _set(tree: Any, path: Sequence[str | int], value: Any) -> Any:
    """A copy of ``tree`` with ``value`` at ``path``; only containers on the path are copied."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(tree, list):
        index = int(head)
        out_list = list(tree)
        out_list[index] = _set(tree[index], rest, value)
        return out_list
    out = dict(tree)
    out[head] = _set(tree[head], rest, value)
    return out


def _errors_by_path(v: Validator, payload: Any) -> set[tuple[tuple[Any, ...], str]]:
    return {(tuple(e.absolute_path), str(e.validator)) for e in v.iter_errors(payload)}


class FastPlan:
    """Per-recipient rendering for one plan; see the module docstring."""

    def __init__(self, provider: Provider, message: Any, leaves: Mapping[str, TemplateLeaf],
                 settings: Mapping[str, Any], envelope_keys: Sequence[str]) -> None:
        self.provider = provider
        self.leaf_ptrs = list(leaves)
        self.leaves = [leaves[p] for p in self.leaf_ptrs]
        self.envelope_keys = list(envelope_keys)
        n_leaves = len(self.leaf_ptrs)
        sentinels = [_SENTINEL.format(i) for i in range(n_leaves + len(self.envelope_keys))]
        envelope = {k: sentinels[n_leaves + j] for j, k in enumerate(self.envelope_keys)}
        lowered = self._lower_with_sentinels(message, settings, envelope, sentinels)
        self.kind = lowered.kind
        skeleton = self.skeleton = lowered.payload
        sites = self._find_sites(skeleton, len(sentinels))
        self._refuse_computed_fields(lowered.origins, sites)
        v = schema_validator(provider.payload_schema)
        self._extract_checks(v, skeleton, sites)
        self.sites = sites
        self.build_payload = _compile_builder(skeleton, [s.path for s in sites])
        self.semantic = _needs_semantic_check(provider, sites)
        if provider.check_payload(skeleton):
            raise Unsupported("the skeleton breaks a semantic rule")
        self.body_chunks = self._body_chunks(skeleton, len(sentinels))
        self._render = self._generate()

    # -- derivation -----------------------------------------------------------------------

    def _lower_with_sentinels(self, message: Any, settings: Mapping[str, Any],
                              envelope: Mapping[str, str], sentinels: list[str]) -> Lowered:
        """Lower the message with a sentinel in every leaf and envelope field. Leaves that
        lowering turns into numbers (video.size, OTP codeValidityTime, ...) get a numeric
        sentinel instead, and whether they must be whole numbers is probed too
        (``self.numeric``: leaf index -> whole numbers only)."""
        n_leaves = len(self.leaf_ptrs)
        self.numeric: dict[int, bool] = {}
        for _ in range(n_leaves + 1):
            failing = self._lower_failures(message, settings, envelope, sentinels)
            if isinstance(failing, dict):
                lowered: Lowered = failing["lowered"]
                self.computed: list[_Computed] = failing["computed"]
                return lowered
            if not failing or not failing.issubset(range(n_leaves)) or failing & set(self.numeric):
                raise Unsupported("lowering rejects sentinels")
            for index in failing:
                self.numeric[index] = False
            for index in failing:
                probe = self._lower_failures(message, settings, envelope, sentinels,
                                             fractional=index)
                if isinstance(probe, dict):
                    self.numeric[index] = False      # fractions pass: any number
                elif probe == {index}:
                    self.numeric[index] = True       # whole numbers only
                else:
                    raise Unsupported("cannot tell how lowering reads a number")
        raise Unsupported("lowering rejects sentinels")

    def _find_sites(self, skeleton: Any, count: int) -> list[_Site]:
        """The places in the skeleton where the ``count`` sentinels landed: numeric leaves
        as numbers, the others inside strings (possibly several, with fixed text between)."""
        sites: list[_Site] = []
        seen: set[int] = set()
        for path, number in _walk_numbers(skeleton):
            index = number - _NUMBER_BASE
            if index in self.numeric:
                sites.append(_Site(path, (index,), lambda s: True, numeric=True))
                seen.add(index)
        for path, text in _walk_strings(skeleton):
            if "\x1e" not in text:
                continue
            pieces = _split_marks(text, count, len(self.computed))
            seen.update(p for p in pieces if isinstance(p, int))
            sites.append(_Site(path, pieces, lambda s: True))
        for k, value in enumerate(self.computed):  # its inputs reach the payload through it
            if count + k in seen:
                seen.update(i for arg in value.inputs if isinstance(arg, tuple)
                            for i in arg if isinstance(i, int))
        if len(seen) != count + len(self.computed):
            raise Unsupported("a variable-dependent value does not reach the payload verbatim")
        return sites

    def _recorder(self, computed: list[_Computed], count: int
                  ) -> Callable[[Callable[..., Any], tuple[Any, ...]], Any]:
        """What lowering calls, while it lowers sentinels, for a value it computes
        (:func:`compiler.providers.lowering.computed`): from text that holds no sentinel,
        the value itself; else a marker, and the computation is kept for the generated
        function to make per recipient. Inputs other than text are not served."""
        def record(fn: Callable[..., Any], values: tuple[Any, ...]) -> Any:
            if any(not (v is None or isinstance(v, str)) for v in values):
                raise Unsupported("a computed value reads more than text")
            if not any(v is not None and "\x1e" in v for v in values):
                return fn(*values)
            inputs = tuple(v if v is None or "\x1e" not in v
                           else _split_marks(v, count, len(computed)) for v in values)
            computed.append(_Computed(fn, inputs))
            return _COMPUTED.format(len(computed) - 1)

        return record

    def _refuse_computed_fields(self, origins: Mapping[str, str], sites: list[_Site]) -> None:
        """A field lowering computes from a leaf's text without declaring it (with
        :func:`compiler.providers.lowering.computed`, as Viber's fileType is) would be frozen
        at what lowering made of the sentinel."""
        leaf_inputs = {"/message" + p for p in self.leaf_ptrs}
        site_ptrs = {jp.from_parts(s.path) for s in sites}
        if any(origin in leaf_inputs and ptr not in site_ptrs
               for ptr, origin in origins.items()):
            raise Unsupported("a field is computed from a variable-dependent value")

    def _extract_checks(self, v: Validator, skeleton: Any, sites: list[_Site]) -> None:
        """Give each site the schema's checks at that place, once the skeleton is known to
        be valid everywhere else, and verify them against the full schema on probes."""
        site_paths = {s.path for s in sites}
        static = [e for e in v.iter_errors(skeleton) if tuple(e.absolute_path) not in site_paths]
        if static:
            raise Unsupported("the skeleton has errors outside the sites")
        for site in sites:
            site.check = self._extract(v, skeleton, site, site_paths)
        self._self_check(v, skeleton, sites)

    def _lower_failures(self, message: Any, settings: Mapping[str, Any],
                        envelope: Mapping[str, str], sentinels: list[str],
                        fractional: int | None = None) -> Any:
        """Lower with sentinels: ``{"lowered": ...}``, or the leaf indexes it rejected."""
        probe = message
        for i, ptr in enumerate(self.leaf_ptrs):
            if i in self.numeric:
                value: Any = "1.5" if i == fractional else _NUMBER_BASE + i
            else:
                value = sentinels[i]
            probe = _set(probe, _parts(ptr), value)
        computed: list[_Computed] = []
        try:
            with deriving(self._recorder(computed, len(sentinels))):
                lowered = self.provider.lower(probe, settings, envelope)
            return {"lowered": lowered, "computed": computed}
        except LoweringError as exc:
            index = {"/message" + p: i for i, p in enumerate(self.leaf_ptrs)}
            return {index.get(f.pointer, -1) for f in exc.findings
                    if f.rule.startswith("message-")} | (
                {-1} if any(not f.rule.startswith("message-") for f in exc.findings) else set())

    def _extract(self, v: Validator, skeleton: Any, site: _Site,
                 site_paths: set[tuple[Any, ...]]) -> Callable[[Any], bool]:
        probed = _set(skeleton, site.path, _TYPE_PROBE)
        subschemas: list[Any] = []
        for error in v.iter_errors(probed):
            path = tuple(error.absolute_path)
            if path == site.path:
                if error.validator not in ("type", "enum", "const"):
                    raise Unsupported(f"unexpected {error.validator} at a site")
                subschemas.append(error.schema)
            elif path not in site_paths:
                raise Unsupported("a site's value changes validation elsewhere")
        if site.numeric:
            return _number_checker(subschemas)
        site.subschemas = subschemas
        return _checker(subschemas)

    def _self_check(self, v: Validator, skeleton: Any, sites: list[_Site]) -> None:
        """Compare the extracted checks with the full schema on probe values."""
        site_paths = {s.path for s in sites}
        for site in sites:
            probes: list[Any] = (_number_probes(v, skeleton, site) if site.numeric
                                 else _probes(v, skeleton, site))
            for probe in probes:
                payload = _set(skeleton, site.path, probe)
                full_ok = not any(tuple(e.absolute_path) == site.path
                                  for e in v.iter_errors(payload))
                if full_ok != site.check(probe):
                    raise Unsupported("extracted checks disagree with the schema")
        for probe in ("x", "https://example.com/x", ""):
            payload = skeleton
            for site in sites:
                payload = _set(payload, site.path, 1 if site.numeric else probe)
            for path, _ in _errors_by_path(v, payload):
                if path not in site_paths:
                    raise Unsupported("equal values at every site break a collection rule")

    def _body_chunks(self, skeleton: Any, count: int) -> list[str | int]:
        """The skeleton's JSON text as literal chunks and value indexes (JSON escaping is per
        character, so escaped values splice in exactly)."""
        text = json.dumps(skeleton, ensure_ascii=False, separators=(",", ":"))
        escaped = {encode_basestring(_SENTINEL.format(i))[1:-1]: i for i in range(count)
                   if i not in self.numeric}
        escaped.update({encode_basestring(_COMPUTED.format(k))[1:-1]: count + k
                        for k in range(len(self.computed))})
        escaped.update({str(_NUMBER_BASE + i): i for i in self.numeric})
        pattern = re.compile("|".join(re.escape(k) for k in escaped))
        out: list[str | int] = []
        pos = 0
        for m in pattern.finditer(text):
            if m.start() > pos:
                out.append(text[pos:m.start()])
            out.append(escaped[m.group(0)])
            pos = m.end()
        if pos < len(text):
            out.append(text[pos:])
        return out

    # -- per recipient --------------------------------------------------------------------

    def _generate(self) -> Callable[[Mapping[str, Any], Mapping[str, str]], Any]:
        """Generate the per-recipient function: straight-line code that renders each leaf
        inline (plain leaves by joining literal chunks and values, each variable turned into
        text and JSON-escaped once), checks each site inline, and joins the body from
        literal JSON chunks and escaped values. No loops, no dispatch on kinds."""
        g: dict[str, Any] = {
            "K": [s.check for s in self.sites], "MAX": MAX_RENDERED_CHARS,
            "build": self.build_payload, "check_payload": self.provider.check_payload,
            "esc": encode_basestring, "dumps": json.dumps, "number": _number, "str": str,
            "join": "".join,
        }
        n_leaves = len(self.leaves)
        lines = ["def render(v, env):", " try:"]
        add = lines.append
        texts: dict[str, str] = {}      # variable -> local holding str(value)
        escapes: dict[str, str] = {}    # variable -> local holding its JSON-escaped text
        #: per value index: its escaped text as literal chunks (str) and expressions (_Code)
        escaped: list[list[str | _Code]] = []

        def text_of(name: str) -> str:
            if name not in texts:
                texts[name] = f"x{len(texts)}"
                add(f"  {texts[name]} = str(v[{name!r}])")
            return texts[name]

        def escape_of(name: str) -> _Code:
            if name not in escapes:
                escapes[name] = f"e{len(escapes)}"
                add(f"  {escapes[name]} = esc({text_of(name)})[1:-1]")
            return _Code(escapes[name])

        def source(parts: list[str | _Code]) -> str:
            """Join literal chunks (merged, as named constants) and expressions."""
            terms: list[str] = []
            literal = ""
            for part in parts:
                if isinstance(part, _Code):
                    if literal:
                        terms.append(constant(literal))
                        literal = ""
                    terms.append(part.source)
                else:
                    literal += part
            if literal or not terms:
                terms.append(constant(literal))
            return _join(terms)

        def constant(value: str) -> str:
            name = f"L{len(g)}"
            g[name] = value
            return name

        for i, leaf in enumerate(self.leaves):
            if leaf.pieces is not None and i not in self.numeric:
                add(f"  t{i} = " + source([p if isinstance(p, str) else _Code(text_of(p.name))
                                           for p in leaf.pieces]))
                add(f"  if len(t{i}) > MAX: return None")
                escaped.append([encode_basestring(p)[1:-1] if isinstance(p, str)
                                else escape_of(p.name) for p in leaf.pieces])
                continue
            if leaf.code is not None:
                add(f"  t{i} = {leaf.code}")
            else:
                g[f"R{i}"] = leaf.renderer(self.leaf_ptrs[i])
                add(f"  t{i} = R{i}(v)")
            add(f"  if len(t{i}) > MAX: return None")
            escaped.append([_Code(f"esc(t{i})[1:-1]")])
        for j, key in enumerate(self.envelope_keys):
            i = n_leaves + j
            add(f"  t{i} = env.get({key!r})")
            add(f"  if t{i}.__class__ is not str: return None")
            escaped.append([_Code(f"esc(t{i})[1:-1]")])
        for k, value in enumerate(self.computed):  # what lowering computes, from the texts
            i = n_leaves + len(self.envelope_keys) + k
            g[f"F{k}"] = _guarded(value.fn)
            args = ["None" if arg is None else constant(arg) if isinstance(arg, str)
                    else source([p if isinstance(p, str) else _Code(f"t{p}") for p in arg])
                    for arg in value.inputs]
            add(f"  t{i} = F{k}({', '.join(args)})")
            add(f"  if t{i}.__class__ is not str: return None")
            escaped.append([_Code(f"esc(t{i})[1:-1]")])
        for k, site in enumerate(self.sites):
            index = site.pieces[0]
            if site.numeric and isinstance(index, int):
                add(f"  s{k} = number(t{index}, {self.numeric[index]!r})")
                add(f"  if s{k} is None or not K[{k}](s{k}): return None")
                escaped[index] = [_Code(f"dumps(s{k})")]
                continue
            add(f"  s{k} = " + source([p if isinstance(p, str) else _Code(f"t{p}")
                                       for p in site.pieces]))
            check, consts = _check_code(site.subschemas, f"s{k}", f"C{k}")
            g[f"C{k}"] = consts
            add(f"  if not ({check}): return None")
        site_list = f"[{', '.join(f's{k}' for k in range(len(self.sites)))}]"
        if self.semantic:
            add(f"  payload = build({site_list})")
            add("  if check_payload(payload): return None")
        else:  # built only if someone asks for the dict (a sender needs just the bytes)
            add(f"  payload = lambda: build({site_list})")
        body: list[str | _Code] = []
        for chunk in self.body_chunks:
            body.extend([chunk] if isinstance(chunk, str) else escaped[chunk])
        add(f"  return payload, {source(body)}.encode()")
        add(" except KeyError:  # a value is missing: the slow path names it")
        add("  return None")
        exec("\n".join(lines), g)
        function: Callable[[Mapping[str, Any], Mapping[str, str]], Any] = g["render"]
        self.source = "\n".join(lines)
        return function

    def render(self, values: Mapping[str, Any], envelope: Mapping[str, str]
               ) -> tuple[dict[str, Any] | Callable[[], dict[str, Any]], bytes] | None:
        """The payload (or a function building it) and its bytes, or None when the slow
        path must decide."""
        result: tuple[dict[str, Any] | Callable[[], dict[str, Any]], bytes] | None = \
            self._render(values, envelope)
        return result


@dataclass(frozen=True, slots=True)
class _Code:
    """A Python expression in generated code (as opposed to literal text)."""

    source: str


def _split_marks(text: str, count: int, computed: int) -> tuple[str | int, ...]:
    """``text`` as literal chunks and value indexes: a sentinel's leaf or envelope index,
    or ``count + k`` for the marker of computed value ``k`` (of the ``computed`` so far)."""
    pieces: list[str | int] = []
    pos = 0
    for m in _MARK_RE.finditer(text):
        if m.start() > pos:
            pieces.append(text[pos:m.start()])
        index = int(m.group(1))
        if m.group(2) == "Cm":
            if index >= computed:
                raise Unsupported("a computed value's marker is not one lowering was given")
            index += count
        elif index >= count:
            raise Unsupported("a sentinel was altered by lowering")
        pieces.append(index)
        pos = m.end()
    if pos < len(text):
        pieces.append(text[pos:])
    if any(isinstance(p, str) and ("\x1e" in p or "\x1f" in p) for p in pieces):
        raise Unsupported("a sentinel was altered by lowering")
    return tuple(pieces)


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, with None (the slow path decides) where it raises."""
    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except Exception:
            return None

    return call


def _join(terms: list[str]) -> str:
    """Python source joining string expressions (one needs no join)."""
    if len(terms) == 1:
        return terms[0]
    return "join((" + ", ".join(terms) + "))"


def _compile_builder(skeleton: Any, paths: list[tuple[str | int, ...]]
                     ) -> Callable[[list[Any]], Any]:
    """Generate ``build(values) -> payload``: the skeleton with ``values[j]`` at ``paths[j]``.

    The function is generated as one Python expression (a dict/list display), so a payload
    costs one allocation per container that holds a site. Containers without a site are
    shared between payloads: treat rendered payloads as read-only.
    """
    where = {path: j for j, path in enumerate(paths)}
    constants: list[Any] = []

    def holds_site(path: tuple[str | int, ...]) -> bool:
        return any(p[:len(path)] == path for p in where)

    def expr(node: Any, path: tuple[str | int, ...]) -> str:
        if path in where:
            return f"v[{where[path]}]"
        if not holds_site(path):
            constants.append(node)
            return f"c[{len(constants) - 1}]"
        if isinstance(node, dict):
            items = ", ".join(f"{k!r}: {expr(val, (*path, k))}" for k, val in node.items())
            return "{" + items + "}"
        if isinstance(node, list):
            return "[" + ", ".join(expr(val, (*path, i)) for i, val in enumerate(node)) + "]"
        raise Unsupported("a site inside a scalar")  # pragma: no cover - walk finds leaves

    source = f"lambda v: {expr(skeleton, ())}"
    builder: Callable[[list[Any]], Any] = eval(source, {"c": constants})
    return builder


def _needs_semantic_check(provider: Provider, sites: list[_Site]) -> bool:
    """Whether the provider's semantic rules read any variable-dependent field."""
    patterns = provider.semantic_fields
    if patterns is None:
        return True
    compiled = [re.compile(p) for p in patterns]
    for site in sites:
        pointer = "".join(f"/{t}" for t in site.path)
        if any(rx.search(pointer) for rx in compiled):
            return True
    return False


def _probes(v: Validator, skeleton: Any, site: _Site) -> list[str]:
    probes = ["", "x", " ", "x" * 100_001, "http://x", "https://example.com/a b", "Ab1", "0",
              "1234567", "12345678901234567", "ж" * 30]
    for sub in _site_subschemas(v, skeleton, site):
        for key in ("maxLength", "minLength"):
            if key in sub:
                n = int(sub[key])
                probes += ["x" * max(n - 1, 0), "x" * n, "x" * (n + 1), "😀" * n, "😀" * (n + 1)]
        for value in sub.get("enum", []) + ([sub["const"]] if "const" in sub else []):
            if isinstance(value, str):
                probes += [value, value + "x", value.upper()]
    return probes


def _site_subschemas(v: Validator, skeleton: Any, site: _Site) -> list[Mapping[str, Any]]:
    probed = _set(skeleton, site.path, _TYPE_PROBE)
    return [e.schema for e in v.iter_errors(probed)
            if tuple(e.absolute_path) == site.path and isinstance(e.schema, Mapping)]


def _parts(pointer: str) -> list[str | int]:
    from . import pointer as jp

    return list(jp.split(pointer))
