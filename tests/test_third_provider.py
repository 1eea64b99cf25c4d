"""A third provider, defined in tests/sms_gateway/ alone (a module and its two schemas),
registered at run time: msgc validates, renders, checks, sends it to the fake server and
resumes its campaign, with no file outside that folder knowing it exists.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sms_gateway
from send_support import SEND_ENV, msgc, phones, read_results, write_csv

from compiler import catalog, providers
from compiler.sending.fake_server import FakeServer, Faults
from compiler.sending.outcome import Disposition

TOKEN = "smsTOKEN4f2a9e"
ENV = {**SEND_ENV, "SMS_TOKEN": TOKEN}
SPEC = """\
variables:
  order_id: {type: string, max_length: 12, example: A-1029}
message:
  text: "Order {{ order_id }} shipped"
targets:
  sms: {sender: ACME}
"""


@pytest.fixture
def sms() -> Iterator[providers.Provider]:
    with providers.registered(sms_gateway.PROVIDER) as provider:
        yield provider


@pytest.fixture
def fake(sms: Any) -> Iterator[Any]:
    servers: list[FakeServer] = []

    def start(faults: Faults | None = None) -> FakeServer:
        server = FakeServer({"SMS_TOKEN": TOKEN}, faults or Faults(seed=3))
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_nothing_outside_its_folder_knows_the_provider() -> None:
    """The whole provider is tests/sms_gateway/: nothing in msgc names it."""
    root = Path(__file__).resolve().parents[1] / "compiler"
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                   and isinstance(n.value, str)}
        assert not strings & {"sms", "SMS_TOKEN", "--sender", "/sms/send"}, path
    folder = Path(sms_gateway.__file__).parent
    assert sorted(p.name for p in folder.glob("*.py")) == [
        "__init__.py", "api.py", "catalog.py", "codes.py", "emulation.py"]
    assert sorted(p.name for p in (folder / "schemas").iterdir()) == [
        "sms.payload.schema.json", "sms.target.schema.json"]


def test_registered_it_is_a_provider_like_the_others(sms: Any) -> None:
    assert "sms" in providers.names()
    assert {r.id for r in catalog.catalog().values() if r.providers == ("sms",)} >= {
        "sms-text-only", "sms-text-length", "sms-send-failed"}
    run = msgc(["rules", "--provider", "sms", "--format", "json"], ENV)
    assert run.code == 0 and {r["id"] for r in json.loads(run.stdout)} >= {"sms-sender"}
    run = msgc(["render", "--help"], ENV)
    assert "--sender" in run.stdout and "sms" in run.stdout
    providers.unregister("sms")
    assert "sms" not in providers.names() and catalog.get("sms-text-only") is None
    providers.register(sms_gateway.PROVIDER)


def test_validate_finds_its_limits_at_the_spec_line(sms: Any, tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(SPEC, "utf-8")
    (tmp_path / "long.yaml").write_text(
        SPEC.replace("Order {{ order_id }} shipped", "{{ order_id }} " + "x" * 155), "utf-8")
    (tmp_path / "image.yaml").write_text(
        SPEC.replace('  text: "Order', '  image: "https://cdn.example.com/a.png"\n  text: "Order'),
        "utf-8")
    run = msgc(["validate", "--format", "json", "-q", str(tmp_path)], ENV, cwd=tmp_path)
    found = {(Path(d["file"]).name, d["rule"], d.get("line")) for d in json.loads(run.stdout)}
    assert run.code == 1
    assert found == {("long.yaml", "sms-text-length", 4), ("image.yaml", "sms-text-only", 4)}


def test_render_takes_its_own_envelope_option(sms: Any, tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC, "utf-8")
    run = msgc(["render", str(spec), "-p", "sms", "--to", "+7 900 123-45-67",
                "--var", "order_id=A-1", "--compact"], ENV)
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout) == {"from": "ACME", "to": "79001234567",
                                      "text": "Order A-1 shipped"}
    run = msgc(["render", str(spec), "-p", "sms", "--to", "79001234567", "--sender", "Shop",
                "--var", "order_id=A-1", "--compact"], ENV)
    assert json.loads(run.stdout)["from"] == "Shop"


def test_check_payload_uses_its_schema_and_catalog(sms: Any, tmp_path: Path) -> None:
    body = tmp_path / "b.json"
    body.write_text('{"from": "ACME", "to": "+1", "text": "Hi"}', "utf-8")
    run = msgc(["check-payload", "-p", "sms", "--format", "json", str(body)], ENV)
    (finding,) = json.loads(run.stdout)
    assert run.code == 1 and finding["rule"] == "sms-phone-digits"
    assert finding["summary"] == catalog.get("sms-phone-digits").summary  # type: ignore[union-attr]


def test_send_one_to_the_fake_server(fake: Any, tmp_path: Path) -> None:
    server = fake()
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC, "utf-8")
    run = msgc(["send", str(spec), "-p", "sms", "--to", "79001234567", "--var",
                "order_id=A-1", "--base-url", server.base_url], ENV)
    assert run.code == 0, run.stderr
    assert server.accepted_by_phone() == {"79001234567": 1}
    assert TOKEN not in run.output
    assert sms_gateway.PROVIDER.parse_response(200, b'{"error": "503"}').disposition \
        is Disposition.RETRY


def test_a_wrong_token_is_refused_by_the_emulation(fake: Any, tmp_path: Path) -> None:
    server = fake()
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC, "utf-8")
    run = msgc(["send", str(spec), "-p", "sms", "--to", "79001234567", "--var",
                "order_id=A-1", "--base-url", server.base_url], {**ENV, "SMS_TOKEN": "wrong"})
    assert run.code == 1 and "[sms-send-failed]" in run.stderr and "bad token" in run.stderr


def test_a_campaign_resumes_and_sends_every_row_exactly_once(fake: Any, tmp_path: Path
                                                             ) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(SPEC, "utf-8")
    numbers = phones(30)
    people = write_csv(tmp_path / "people.csv", ["phone", "order_id"],
                       [[p, f"A-{i}"] for i, p in enumerate(numbers)])
    results = tmp_path / "out.jsonl"
    flaky = fake(Faults(seed=5, fail_rate=0.4, fail_statuses=(503,)))
    args = ["send", str(spec), "-p", "sms", "--recipients", str(people), "--results",
            str(results), "--retries", "0", "--no-progress"]
    first = msgc([*args, "--base-url", flaky.base_url], ENV)
    assert first.code == 1, first.stderr
    failed = [r for r in read_results(results) if r["status"] == "failed"]
    assert failed, "the flaky fake refused some rows"
    steady = fake()
    resumed = msgc([*args, "--base-url", steady.base_url, "--resume", "--retry-failed"], ENV)
    assert resumed.code == 0, resumed.stderr
    final = read_results(results)
    assert len(final) == 30 and {r["status"] for r in final} == {"sent"}
    accepted = flaky.accepted_by_phone() + steady.accepted_by_phone()
    assert accepted == {p: 1 for p in numbers}
    assert set(steady.accepted_by_phone()) == {r["phone"] for r in failed}
