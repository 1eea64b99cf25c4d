"""Reading YAML into plain Python data while remembering where every node came from.

msgc builds its own tree from the YAML *event* stream (libyaml's C parser when present),
instead of `yaml.safe_load`, for four reasons:

* every node's line and column is kept, keyed by JSON pointer, so any later finding can be
  reported at ``file:line:column``;
* duplicate keys are an error, not "last one wins";
* only plain data is accepted (no ``!!python/...`` or other tags, one document per file);
* the work is bounded: nesting depth and alias expansion (the "billion laughs") are capped,
  and the tree is built iteratively, so hostile input cannot exhaust the stack or memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import pointer as jp
from .diagnostics import Diagnostic, MsgcError
from .files import MAX_BYTES, RULE_ENCODING, RULE_TOO_LARGE, read_source
from .tuning import Directive, find_directives

try:  # libyaml's parser is several times faster; fall back to pure Python where missing.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_DEPTH = 64
MAX_NODES = 10_000  # the largest bundled spec has 64; each node costs ~0.1 ms to check
#: Text the data may hold once aliases are expanded (a file without aliases holds at most
#: MAX_BYTES): an alias of a long string is one node, but every later stage reads it again.
MAX_TEXT = 2 * MAX_BYTES

_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_KEEP_AS_TEXT = {"tag:yaml.org,2002:timestamp"}  # dates stay strings: "1995-01-11"
_RULE = "yaml-syntax"


@dataclass(slots=True)
class Document:
    """A parsed YAML file: its data and the position of each node, by JSON pointer."""

    data: Any
    filename: str
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    block_scalars: set[str] = field(default_factory=set)
    #: The source text of each unquoted scalar that YAML read as something other than a
    #: string (``Yes`` -> true, ``1.10`` -> 1.1, ``~`` -> null), for "quote it" hints.
    plain_texts: dict[str, str] = field(default_factory=dict)
    #: ``# msgc:`` comments (see :mod:`compiler.tuning`).
    directives: list[Directive] = field(default_factory=list)

    def quote_hint(self, pointer: str) -> str | None:
        """``YAML reads Yes as true (YAML 1.1); quote it: "Yes"`` when the node at
        ``pointer`` is an unquoted word that YAML did not read as text."""
        text = self.plain_texts.get(pointer)
        if text is None:
            return None
        try:
            value: Any = jp.resolve(self.data, pointer)
        except (KeyError, IndexError, ValueError, TypeError):
            return None
        if isinstance(value, bool):
            read = str(value).lower() + (" (YAML 1.1 booleans include yes/no and on/off)"
                                         if text.lower() not in ("true", "false") else "")
        elif value is None:
            read = "null"
        else:
            read = f"the number {value}"
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        return f'YAML reads {text} as {read}; to mean the text, quote it: "{escaped}"'

    def locate(self, pointer: str, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the node at ``pointer`` or its nearest ancestor."""
        if key and pointer in self.key_positions:
            return self.key_positions[pointer]
        for p in jp.ancestors(pointer):
            if p in self.positions:
                return self.positions[p]
        return None, None

    def diagnostic(self, pointer: str, rule: str, message: str, **extra: Any) -> Diagnostic:
        line, column = self.locate(pointer, key=extra.pop("at_key", False))
        return Diagnostic(
            rule=rule, message=message, file=self.filename, line=line, column=column,
            path=pointer, **extra,
        )


def load_file(path: str | Path, *, display_name: str | None = None) -> Document:
    return load_bytes(read_source(path, display_name=display_name),
                      display_name or str(path))


def load_bytes(raw: bytes, filename: str) -> Document:
    if len(raw) > MAX_BYTES:
        raise MsgcError([Diagnostic(
            RULE_TOO_LARGE, f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB", file=filename,
            line=1, column=1, hint="a message spec is a few kilobytes; is this the right file?",
        )])
    if raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark (the "utf-8-sig" codec would
        raw = raw[3:]                      # report error offsets past it, not in the file)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1  # columns count characters, not bytes
        column = len(raw[start:exc.start].decode("utf-8")) + 1
        raise MsgcError([Diagnostic(
            RULE_ENCODING, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            file=filename, line=line, column=column, hint="save the file as UTF-8",
        )]) from None
    return load_text(text, filename)


def load_text(text: str, filename: str = "<string>") -> Document:
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return _build(text, filename, _Loader)
    except yaml.MarkedYAMLError as exc:
        if _Loader is not yaml.SafeLoader and _is_libyaml_depth_error(exc):
            # libyaml (PyYAML >= 6.0.4) stops at its own nesting limit, possibly while
            # scanning ahead of the events msgc has seen. Walk the text again with the
            # pure-Python parser, which has no such limit, so msgc's own cap decides and
            # reports the line where nesting first passes it, whatever the PyYAML version.
            try:
                return _build(text, filename, yaml.SafeLoader)
            except yaml.MarkedYAMLError as again:
                raise _syntax_error(again, filename, text) from None
            except yaml.YAMLError as again:
                raise MsgcError([Diagnostic(_RULE, f"YAML error: {again}", file=filename)]) from None
        raise _syntax_error(exc, filename, text) from None
    except yaml.YAMLError as exc:
        raise MsgcError([Diagnostic(_RULE, f"YAML error: {exc}", file=filename)]) from None


def _build(text: str, filename: str, loader: type) -> Document:
    builder = _Builder(filename)
    parser = loader(text)  # its events one by one (yaml.parse's generator, less its cost)
    try:
        builder.run(parser.get_event)
    finally:
        parser.dispose()
    doc = builder.result()
    if "msgc:" in text:  # comments are not events: find them between the scalars
        spans = [(t.start_mark.index, t.end_mark.index) for t in yaml.scan(text, Loader=loader)
                 if isinstance(t, yaml.ScalarToken)]
        doc.directives = find_directives(text, spans)
    return doc


def _is_libyaml_depth_error(exc: yaml.MarkedYAMLError) -> bool:
    return "maximum nesting depth" in (exc.problem or "")


def _syntax_error(exc: yaml.MarkedYAMLError, filename: str, text: str) -> MsgcError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    hint = None
    tab = _indentation_tab(text, mark.line) if mark else None
    if tab is not None:
        problem, column = "YAML does not allow tabs for indentation", tab + 1
        hint = "indent with spaces (set your editor to insert spaces for YAML files)"
    return MsgcError([Diagnostic(_RULE, f"YAML syntax error: {problem}", file=filename,
                                 line=line, column=column, hint=hint)])


def _indentation_tab(text: str, line_index: int) -> int | None:
    """Where (0-based column) a tab sits in the indentation of a line, if one does."""
    lines = text.splitlines()
    if not 0 <= line_index < len(lines):
        return None
    line = lines[line_index]
    indent = line[:len(line) - len(line.lstrip(" \t"))]
    return indent.index("\t") if "\t" in indent else None


class _Builder:
    """Turns a YAML event stream into Python data, one event at a time (no recursion)."""

    def __init__(self, filename: str) -> None:
        self.doc = Document(data=None, filename=filename)
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.chars = 0
        self.documents = 0
        self.nodes = 0
        self.root_set = False

    def fail(self, event: Any, rule: str, message: str, hint: str | None = None) -> MsgcError:
        mark = event.start_mark
        return MsgcError([Diagnostic(
            rule, message, file=self.doc.filename, line=mark.line + 1, column=mark.column + 1,
            hint=hint,
        )])

    def run(self, get_event: Callable[[], Any]) -> None:
        """Build the tree from the parser's events.

        Most events are scalars without an anchor or a tag: a list item, a mapping key or a
        mapping value. Those are built here, inline; every other event, and any scalar that
        needs more than that (a key that is not text, a duplicate or merge key, an anchor,
        a tag), goes through :meth:`feed`, which builds and reports the very same."""
        feed, add, stack = self.feed, self.add, self.stack
        positions, key_positions = self.doc.positions, self.doc.key_positions
        while (event := get_event()) is not None:
            cls = event.__class__
            if cls is not _SCALAR or not stack or event.anchor is not None \
                    or event.tag is not None:
                feed(event)
                if cls is _STREAM_END:
                    break
                continue
            text = event.value
            style = event.style
            if style:  # quoted or block: a string
                value: Any = text
            else:
                value = text if _plain_is_text(text) else self.scalar(event)
            chars = len(text)
            frame = stack[-1]
            container = frame.value
            key = frame.pending_key
            if key is None and container.__class__ is dict:  # a mapping key
                if value.__class__ is not str or value == "<<" or value in container:
                    add(event, value, 1, chars)  # the general path accepts or explains it
                    continue
                self._count_scalar(event, chars)
                frame.size += 1
                frame.chars += chars
                frame.pending_key = value
                mark = event.start_mark
                key_positions[jp.child(frame.pointer, value)] = (mark.line + 1, mark.column + 1)
                continue
            self._count_scalar(event, chars)
            frame.size += 1
            frame.chars += chars
            if key is None:  # a list item
                ptr = f"{frame.pointer}/{len(container)}"
                container.append(value)
            else:
                ptr = jp.child(frame.pointer, key)
                container[key] = value
                frame.pending_key = None
            mark = event.start_mark
            positions[ptr] = (mark.line + 1, mark.column + 1)
            if style == "|" or style == ">":
                self.doc.block_scalars.add(ptr)
            elif not style and value.__class__ is not str:
                self.doc.plain_texts[ptr] = text  # for "quote it" hints

    def _count_scalar(self, event: Any, chars: int) -> None:
        nodes, total = self.nodes + 1, self.chars + chars
        if nodes > MAX_NODES or total > MAX_TEXT:
            self.count(event, 1, chars)  # raises, saying which cap
        self.nodes, self.chars = nodes, total

    def feed(self, event: Any) -> None:
        cls = event.__class__
        if cls is yaml.ScalarEvent:
            self.add(event, self.scalar(event), 1, len(event.value))
        elif cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
            frame = self.stack.pop()
            if frame.pending_key is not None:  # pragma: no cover - parser guarantees pairs
                raise self.fail(event, _RULE, "mapping key without a value")
            self.attach(frame.value, frame.pointer, frame.size, frame.anchor, frame.start,
                        frame.chars)
        elif cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent:
            mapping = cls is yaml.MappingStartEvent
            self.check_tag(event, "map" if mapping else "seq")
            if len(self.stack) >= MAX_DEPTH:
                raise self.fail(
                    event, "yaml-too-deep", f"nesting is deeper than {MAX_DEPTH} levels",
                )
            container: dict[str, Any] | list[Any] = {} if mapping else []
            ptr = self.child_pointer(event)
            self.record(ptr, event)
            self.stack.append(_Frame(container, ptr, event.anchor, event))
        elif cls is yaml.AliasEvent:
            if event.anchor not in self.anchors:
                raise self.fail(event, _RULE, f"unknown alias *{event.anchor}")
            value, size, chars = self.anchors[event.anchor]
            self.count(event, size, chars)
            self.add(event, value, size, chars)
        elif cls is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise self.fail(
                    event, "yaml-multiple-documents", "file holds more than one YAML document",
                    hint="keep one message spec per file",
                )

    # -- helpers -----------------------------------------------------------------------

    def count(self, event: Any, size: int, chars: int) -> None:
        self.nodes += size
        self.chars += chars
        if self.nodes > MAX_NODES or self.chars > MAX_TEXT:
            what = f"{MAX_NODES:,} nodes" if self.nodes > MAX_NODES else \
                f"{MAX_TEXT:,} characters of text"
            how = "expands to" if isinstance(event, yaml.AliasEvent) else "has"
            raise self.fail(
                event, "yaml-too-large",
                f"document {how} more than {what}" + (" (alias bomb?)" if self.anchors else ""),
                hint="a message spec has a few dozen nodes",
            )

    def check_tag(self, event: Any, kind: str) -> None:
        tag = getattr(event, "tag", None)
        if tag and tag not in ("!", f"tag:yaml.org,2002:{kind}"):
            raise self.fail(
                event, "yaml-tag", f"tag {tag} is not allowed in a message spec",
                hint="specs hold plain data: strings, numbers, booleans, lists and mappings",
            )

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        if tag in (None, "!"):
            if event.style is not None and event.style != "":  # quoted or block: a string
                return event.value
            # PyYAML's stubs leave Resolver.resolve untyped; it returns the tag (a str).
            tag = _RESOLVER.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, event.value, event.implicit)
            if tag == "tag:yaml.org,2002:merge":  # `<<`: text, or a merge key attach() rejects
                return event.value
        if tag in _KEEP_AS_TEXT or tag == "tag:yaml.org,2002:str":
            return event.value
        if tag not in _PLAIN_TAGS:
            raise self.fail(
                event, "yaml-tag", f"tag {tag} is not allowed in a message spec",
                hint="specs hold plain data: strings, numbers, booleans, lists and mappings",
            )
        # libyaml's events carry yaml._yaml.Mark, which the stubs do not list for ScalarNode;
        # the constructor only reads the marks' line and column for its error messages.
        node = yaml.ScalarNode(tag, event.value,
                               event.start_mark, event.end_mark,  # type: ignore[arg-type]
                               event.style)
        try:
            return _CONSTRUCTOR.construct_object(node)
        except (yaml.constructor.ConstructorError, ValueError) as exc:
            raise self.fail(event, _RULE, f"bad {tag.rsplit(':', 1)[-1]} value: {exc}") from None

    def child_pointer(self, event: Any) -> str:
        if not self.stack:
            return ""
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            return jp.join(frame.pointer, len(frame.value))
        if frame.pending_key is None:
            return "\0key"  # a complex key: rejected in attach()
        return jp.join(frame.pointer, frame.pending_key)

    def record(self, ptr: str, event: Any) -> None:
        if ptr != "\0key":
            self.doc.positions[ptr] = (event.start_mark.line + 1, event.start_mark.column + 1)

    def add(self, event: Any, value: Any, size: int, chars: int) -> None:
        scalar = event.__class__ is yaml.ScalarEvent
        if scalar:
            self.count(event, 1, chars)
        stack = self.stack
        if stack and stack[-1].pending_key is None and stack[-1].value.__class__ is dict:
            ptr = "\0key"  # a mapping key: attach() keeps its position in key_positions
        else:
            ptr = self.child_pointer(event)
            mark = event.start_mark
            self.doc.positions[ptr] = (mark.line + 1, mark.column + 1)
            if scalar and event.style in ("|", ">"):
                self.doc.block_scalars.add(ptr)
            if scalar and not event.style and not isinstance(value, str):
                self.doc.plain_texts[ptr] = event.value  # for "quote it" hints
        self.attach(value, ptr, size, event.anchor if scalar else None, event, chars)

    def attach(self, value: Any, ptr: str, size: int, anchor: str | None, event: Any,
               chars: int) -> None:
        if anchor:
            self.anchors[anchor] = (value, size, chars)
        if not self.stack:
            self.doc.data = value
            self.root_set = True
            return
        frame = self.stack[-1]
        frame.size += size
        frame.chars += chars
        if isinstance(frame.value, list):
            frame.value.append(value)
            return
        if frame.pending_key is None:
            if not isinstance(value, (str, int, float, bool)) or value is None:
                raise self.fail(event, _RULE, "mapping keys must be plain scalars")
            key = str(value) if not isinstance(value, str) else value
            if key == "<<":
                raise self.fail(
                    event, "yaml-merge-key", "YAML merge keys (<<) are not supported",
                    hint="write the keys out, or use per-target and per-locale overrides",
                )
            if key in frame.value:
                first = self.doc.key_positions.get(jp.join(frame.pointer, key))
                where = f" (first at line {first[0]})" if first else ""
                raise self.fail(event, "yaml-duplicate-key", f"duplicate key {key!r}{where}")
            frame.pending_key = key
            mark = event.start_mark
            self.doc.key_positions[jp.join(frame.pointer, key)] = (mark.line + 1, mark.column + 1)
            self.doc.positions.pop("\0key", None)
        else:
            frame.value[frame.pending_key] = value
            frame.pending_key = None

    def result(self) -> Document:
        if not self.root_set:
            self.doc.data = None
        return self.doc


_SCALAR = yaml.ScalarEvent
_STREAM_END = yaml.StreamEndEvent
_STR_TAG = "tag:yaml.org,2002:str"
#: Plain (unquoted) scalar texts already resolved, and whether YAML reads each as text:
#: keys and short values recur in every spec. Bounded; only short texts are kept.
_PLAIN_TEXT: dict[str, bool] = {}
_PLAIN_TEXT_MAX = 4096


def _plain_is_text(text: str) -> bool:
    """Whether YAML reads the plain scalar ``text`` as a string (not a number, a boolean,
    a null, a date or a merge key)."""
    known = _PLAIN_TEXT.get(text)
    if known is not None:
        return known
    # PyYAML's stubs leave Resolver.resolve untyped; it returns the tag (a str).
    tag: str = _RESOLVER.resolve(  # type: ignore[no-untyped-call]
        yaml.ScalarNode, text, (True, False))
    is_text = tag == _STR_TAG
    if len(text) <= 64:
        if len(_PLAIN_TEXT) >= _PLAIN_TEXT_MAX:
            _PLAIN_TEXT.clear()
        _PLAIN_TEXT[text] = is_text
    return is_text


@dataclass(slots=True)
class _Frame:
    value: Any
    pointer: str
    anchor: str | None
    start: Any
    pending_key: str | None = None
    size: int = 1
    chars: int = 0


_LINE_RE = re.compile(r"line (\d+)")
