"""The rule catalog holds to the code in both directions, and says true things.

* Every rule id the code or the schemas can report is catalogued: the ids read from the
  source (tests/rule_scan.py), every id the schemas can produce, the worst-case warnings
  derived from length limits, and the send-answer rules of every provider that sends.
* Every catalogued id can be reported by one of those.
* Each entry's examples do what they claim: a bad spec gets the rule from ``validate``, its
  fix gets no finding at all; a bad payload gets it from ``validate_payload``, its fix none.
* A provider-document source quotes its document word for word.

(conftest.py also makes every finding created during the whole suite name a catalogued
rule.)
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
from rule_scan import Scan, scan

from compiler import catalog, providers
from compiler.api import validate_payload
from compiler.catalog import PAYLOAD, Kind, Rule
from compiler.diagnostics import Severity
from compiler.file_check import may_exceed_rule
from compiler.schemas import rule_ids
from compiler.spec import SPEC_SCHEMA
from compiler.tree import check_tree

ROOT = Path(__file__).resolve().parents[1]
#: The provider documents are kept next to the repository (``../shared/seeds``), not in it.
SEEDS = next((a / "shared" / "seeds" for a in ROOT.parents if (a / "shared" / "seeds").is_dir()),
             ROOT.parent / "shared" / "seeds")
#: Where each provider's documents are kept in this workspace (outside the repository).
DOCUMENTS = {
    "NXCloud Viber API document": SEEDS / "000_6fa3ff04e9745620.txt",
    "ITNIO WhatsApp custom message API document": SEEDS / "001_d9cc832b8f6677a5.txt",
}
COMMANDS = {"validate", "build", "render", "send", "check-payload", "fake-server", "preview",
            "config", "webhook", "report", "cache"}
RULES = catalog.catalog()


@functools.cache
def source_scan() -> Scan:
    """The scan of compiler/ (about 2 s), made once and only by a worker that needs it."""
    return scan(ROOT / "compiler")

#: f-strings that build rule ids, and the ids each can build.
DYNAMIC = {
    r'f"{provider\.name}-send-{.*failed.*unknown.*}"':
        {f"{p.name}-send-{what}" for p in providers.registry().values() if p.can_send
         for what in ("failed", "unknown")},
}


def reportable() -> dict[str, str]:
    """Every id msgc can report, and how we know."""
    found = {rule: "code: " + where[0] for rule, where in source_scan().literals.items()}
    for rule in rule_ids(SPEC_SCHEMA, "spec"):
        found.setdefault(rule, f"schema {SPEC_SCHEMA}")
    for p in providers.registry().values():
        for schema in (p.payload_schema, p.target_schema):
            for rule in rule_ids(schema, p.name):
                found.setdefault(rule, f"schema {schema}")
        for rule in rule_ids(p.payload_schema, p.name, frozenset({"maxLength"})):
            found.setdefault(may_exceed_rule(rule), f"worst case of {rule}")
    for ids in DYNAMIC.values():
        for rule in ids:
            found.setdefault(rule, "built by an f-string")
    return found


def test_every_id_the_code_or_the_schemas_can_report_is_catalogued() -> None:
    missing = {rule: how for rule, how in reportable().items() if rule not in RULES}
    assert not missing, f"add these to compiler/catalog: {missing}"


def test_every_catalogued_id_can_be_reported() -> None:
    dead = sorted(set(RULES) - set(reportable()))
    assert not dead, f"nothing can report these catalogued rules: {dead}"


def test_rule_ids_are_built_from_strings_only_where_the_tests_know_what_they_build() -> None:
    unknown = [(where, text) for where, text in source_scan().dynamic
               if not any(re.fullmatch(pattern, text) for pattern in DYNAMIC)]
    assert not unknown, ("a rule id built at run time: use a literal (or a table named "
                         f"*_RULES), or teach DYNAMIC what it builds: {unknown}")
    assert all(any(re.fullmatch(p, text) for _, text in source_scan().dynamic) for p in DYNAMIC)


def test_the_scan_finds_ids_in_each_way_they_are_written() -> None:
    """The scanner itself: literals, constants, tables, `a or "b"`, keywords."""
    for rule in ("yaml-syntax",               # _RULE = "yaml-syntax" in source.py
                 "recipients-duplicate-phone",  # printed: f"... [recipients-duplicate-phone]"
                 "viber-unsupported-menu",    # _UNSUPPORTED_RULES table
                 "recipients-row",            # rec.rule or "recipients-row"
                 "recipients-json",           # rule="recipients-json"
                 "recipients-bad-phone",      # Recipient(..., "recipients-bad-phone")
                 "whatsapp-reply-button-unique-id"):
        assert rule in source_scan().literals, rule


# -- the entries ------------------------------------------------------------------------------

def test_entries_are_well_formed() -> None:
    labels = set(providers.names())
    for rule in RULES.values():
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", rule.id), rule.id
        assert rule.summary and "\n" not in rule.summary, rule.id
        assert not rule.summary.endswith("."), rule.id
        assert rule.summary[0].isupper() or rule.summary[0] == "`", rule.id
        assert len(rule.explanation) > 60, rule.id
        assert set(rule.found_by) <= COMMANDS, rule.id
        assert set(rule.providers) <= labels, rule.id
        if rule.providers:
            assert all(rule.id.startswith(p + "-") for p in rule.providers), rule.id
        assert rule.bad.text != rule.fixed.text, rule.id
        if rule.kind is Kind.ADVICE:  # advice is never an error; errors are never advice
            assert rule.severity is not Severity.ERROR, rule.id
        elif rule.severity is not Severity.ERROR:  # a warning about a run, not a spec
            assert rule.kind is Kind.OPERATION and not rule.in_specs, rule.id
        assert rule.tunable == (rule.why_fixed() is None), rule.id
        assert rule.help_uri is None or rule.help_uri.startswith("https://"), rule.id
        if rule.source is not None:
            assert rule.source.document in DOCUMENTS, rule.id


def test_each_provider_catalogues_its_own_rules() -> None:
    """A provider's entries live in its package and name it (and only it)."""
    for name, p in providers.registry().items():
        module = p.part("catalog")
        assert module is not None, name
        assert module.RULES and all(r.providers == (name,) for r in module.RULES), name


def _examples(language: str) -> list[Rule]:
    return [r for r in RULES.values() if r.bad.language == language]


#: Rules a spec can break that are shown without a spec: each needs more than one small file.
NOT_SHOWN_AS_A_SPEC = {
    "duplicate-name": "two files",
    "file-too-large": "an 8 MiB file",
    "encoding": "bytes that are not UTF-8",
    "spec-too-large": "2,001 template tags",
    "template-timeout": "a template that runs 10 seconds",
}


def test_examples_are_the_kind_the_tests_can_check() -> None:
    for rule in RULES.values():
        if rule.in_specs:
            assert (rule.bad.language == "yaml") != (rule.id in NOT_SHOWN_AS_A_SPEC), rule.id
        elif rule.found_by == PAYLOAD and rule.id != "json-syntax":
            assert rule.bad.language == "json", rule.id


def _validate(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    report = check_tree([str(path)], jobs=1)
    return [(d.rule, d.severity.value) for d in report.all_diagnostics()]


@pytest.mark.parametrize("rule_id", [r.id for r in _examples("yaml")])
def test_a_spec_example_gets_its_rule_and_its_fix_is_clean(rule_id: str, tmp_path: Path) -> None:
    rule = RULES[rule_id]
    bad = _validate(tmp_path, rule.bad.text)
    assert rule_id in {r for r, _ in bad}, bad
    assert (rule_id, rule.severity.value) in bad, "reported at its default severity"
    assert rule.fixed.language == "yaml"
    assert _validate(tmp_path, rule.fixed.text) == []


@pytest.mark.parametrize("rule_id", [r.id for r in _examples("json")])
def test_a_payload_example_gets_its_rule_and_its_fix_is_valid(rule_id: str) -> None:
    rule = RULES[rule_id]
    (provider,) = rule.providers
    bad = validate_payload(provider, json.loads(rule.bad.text))
    assert rule_id in {d.rule for d in bad}, bad
    assert validate_payload(provider, json.loads(rule.fixed.text)) == []


@pytest.mark.skipif(not all(p.exists() for p in DOCUMENTS.values()),
                    reason="the provider documents are not in this workspace")
def test_sources_quote_the_provider_documents_word_for_word() -> None:
    texts = {name: _squash(path.read_text("utf-8")) for name, path in DOCUMENTS.items()}
    for rule in RULES.values():
        if rule.source is not None:
            assert _squash(rule.source.quote) in texts[rule.source.document], rule.id


def _squash(text: str) -> str:
    """The documents are tables flattened to text: compare without line breaks and with
    runs of blanks as one."""
    return re.sub(r"\s+", " ", text.replace("|\n", "| "))


def test_limits_cite_their_source_where_the_document_states_one() -> None:
    """Every length or count limit that the documents state carries its source."""
    for rule in RULES.values():
        if rule.kind is Kind.LIMIT and re.search(r"-(length|count)$", rule.id):
            assert rule.source is not None, rule.id


def test_a_mistyped_id_gets_a_suggestion() -> None:
    assert catalog.suggest("viber-txt-length") == "viber-text-length"
    assert catalog.suggest("zzzz") is None
