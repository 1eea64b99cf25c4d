"""`msgc send` to one recipient, end to end through real sockets against the fake provider:
every message type of both providers, the located errors, credentials, dry runs, and no
secret in any output."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from send_support import (
    SECRETS,
    SEND_ENV,
    URL,
    assert_no_secrets,
    fake_servers,
    msgc,
    write_spec,
)

from compiler.sending.fake_server import Faults, Reject

_fake = pytest.fixture(name="fake")(fake_servers)

VIBER = {
    "text": ({"text": "Hi {{ name }}"}, {"rate_type": "Transactional"}),
    "image": ({"image": f"{URL}/a.jpg"}, {"rate_type": "Promotional"}),
    "text_image": ({"text": "Hi {{ name }}", "image": f"{URL}/a.jpg"}, {}),
    "text_image_button": ({"text": "Hi {{ name }}", "image": f"{URL}/a.jpg",
                           "buttons": [{"title": "Open", "url": URL}]}, {}),
    "text_button": ({"text": "Hi {{ name }}", "buttons": [{"title": "Open", "url": URL}]}, {}),
    "file": ({"document": {"url": f"{URL}/a.pdf", "filename": "{{ name }}.pdf"}},
             {"rate_type": "Transactional"}),
    "video": ({"video": {"url": f"{URL}/v.mp4", "thumbnail": f"{URL}/t.jpg", "size": 1024,
                         "duration": 10}}, {}),
    "video_text": ({"text": "Hi {{ name }}", "video": {"url": f"{URL}/v.mp4",
                    "thumbnail": f"{URL}/t.jpg", "size": 1024, "duration": 10}}, {}),
    "video_text_button": ({"text": "Hi {{ name }}", "video": {
        "url": f"{URL}/v.mp4", "thumbnail": f"{URL}/t.jpg", "size": 1024, "duration": 10},
        "buttons": [{"title": "Open", "url": URL}]}, {}),
    "list": ({"text": "Pick, {{ name }}", "choices": ["A", "B"]}, {}),
    "carousel": ({"text": "See, {{ name }}", "carousel": [
        {"title": "One", "image": f"{URL}/1.jpg", "buttons": [{"title": "Go", "url": URL}]},
        {"title": "Two", "image": f"{URL}/2.jpg", "buttons": [{"title": "Go", "url": URL}]}]},
        {}),
    "otp": ({"otp": {"template": 1, "params": {"pin": "{{ name }}"}, "language": "en"}}, {}),
}
WHATSAPP = {
    "text": ({"text": "Hi {{ name }}"}, {}),
    "image": ({"text": "Hi {{ name }}", "image": f"{URL}/a.jpg"}, {}),
    "video": ({"video": {"url": f"{URL}/v.mp4"}}, {}),
    "document": ({"document": {"url": f"{URL}/a.pdf", "filename": "{{ name }}.pdf"}}, {}),
    "audio": ({"audio": f"{URL}/a.mp3"}, {}),
    "sticker": ({"sticker": f"{URL}/s.webp"}, {}),
    "location": ({"location": {"latitude": 1.5, "longitude": 2.5, "name": "{{ name }}",
                               "address": "Main St 1"}}, {}),
    "contacts": ({"contacts": [{"name": {"formatted_name": "Ann"}}]}, {}),
    "interactive/button": ({"text": "Hi {{ name }}?", "buttons": [
        {"title": "Yes", "id": "y"}, {"title": "No", "id": "n"}]}, {}),
    "interactive/list": ({"text": "Pick, {{ name }}", "menu": {"button": "Open", "sections": [
        {"title": "S", "rows": [{"id": "1", "title": "One"}]}]}}, {}),
    "interactive/location_request_message": ({"text": "Where, {{ name }}?",
                                              "request_location": True}, {}),
    "interactive/carousel": ({"text": "See, {{ name }}", "carousel": [
        {"image": f"{URL}/1.jpg", "text": "One", "buttons": [{"title": "Go", "url": URL}]},
        {"image": f"{URL}/2.jpg", "text": "Two", "buttons": [{"title": "Go", "url": URL}]}]},
        {}),
}

CASES = [("viber", k, *v) for k, v in VIBER.items()] + [
    ("whatsapp", k, *v) for k, v in WHATSAPP.items()]
TEXT = {"text": "Hi {{ name }}"}


@pytest.mark.parametrize(("provider", "kind", "message", "settings"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_one_message_of_each_type(fake: Any, tmp_path: Path, provider: str, kind: str,
                                  message: dict[str, Any], settings: dict[str, Any]) -> None:
    server = fake()
    spec = write_spec(tmp_path, message, provider, settings=settings)
    run = msgc(["send", str(spec), "-p", provider, "--to", "+7 900 123-45-67",
                "--var", "name=Zoë", "--base-url", server.base_url], cwd=tmp_path)
    assert run.code == 0, run.output
    [got] = server.received()
    assert got.accepted and run.stdout.strip() == got.message_id
    payload = got.payload
    if provider == "viber":
        expected = "text" if kind == "otp" else kind
        assert payload["functionType"] == expected
        assert (payload["phone"], payload["appkey"]) == ("79001234567", "app-test")
    else:
        subtype = payload.get("interactive", {}).get("type")
        assert payload["type"] + (f"/{subtype}" if subtype else "") == kind
        assert (payload["recipient"], payload["appId"], payload["businessPhone"]) == (
            "79001234567", "wa-test", "12025550100")
    assert "Zoë" in json.dumps(payload, ensure_ascii=False) or kind in (
        "image", "video", "audio", "sticker", "contacts")
    assert_no_secrets(run.stdout, run.stderr)


def test_bad_signature_is_reported_located(fake: Any, tmp_path: Path) -> None:
    server = fake()
    spec = write_spec(tmp_path, TEXT, "viber", settings={"rate_type": "Transactional"})
    env = {**SEND_ENV, "NXCLOUD_ACCESS_SECRET": "not-the-secret"}
    run = msgc(["send", str(spec), "-p", "viber", "--to", "79001234567", "--var", "name=A",
                "--base-url", server.base_url], env=env, cwd=tmp_path)
    assert run.code == 1
    assert f"{spec}: error: (viber) the message was rejected: [1003] Authentication " \
           "failed: invalid signature" in run.stderr
    assert "hint: check NXCLOUD_ACCESS_KEY and NXCLOUD_ACCESS_SECRET" in run.stderr
    assert run.stdout == "" and server.stats["requests"] == 1
    assert "not-the-secret" not in run.output
    assert_no_secrets(run.stdout, run.stderr)


@pytest.mark.parametrize(("provider", "code"), [("viber", "1004"), ("whatsapp", "-16")])
def test_expired_timestamp(fake: Any, tmp_path: Path, provider: str, code: str) -> None:
    server = fake(clock=lambda: time.time() + 3600)  # the provider's clock is an hour ahead
    spec = write_spec(tmp_path, TEXT, provider, settings=(
        {"rate_type": "Transactional"} if provider == "viber" else {}))
    run = msgc(["send", str(spec), "-p", provider, "--to", "79001234567", "--var", "name=A",
                "--base-url", server.base_url], cwd=tmp_path)
    assert run.code == 1 and f"[{code}]" in run.stderr and "expired" in run.stderr
    assert "clock" in run.stderr  # the hint
    assert server.stats["requests"] == 1  # not retried


def test_a_business_error_through_the_cli(fake: Any, tmp_path: Path) -> None:
    server = fake(Faults(reject=[Reject("-68")], seed=1))
    spec = write_spec(tmp_path, TEXT, "whatsapp")
    run = msgc(["send", str(spec), "-p", "whatsapp", "--to", "79001234567", "--var",
                "name=A", "--base-url", server.base_url], cwd=tmp_path)
    assert run.code == 1 and "[-68] insufficient balance" in run.stderr
    assert server.stats["requests"] == 1


def test_unknown_outcome_is_exit_1_and_said_so(fake: Any, tmp_path: Path) -> None:
    server = fake(Faults(lose_answer_rate=1.0, seed=1))
    spec = write_spec(tmp_path, TEXT, "whatsapp")
    run = msgc(["send", str(spec), "-p", "whatsapp", "--to", "79001234567", "--var",
                "name=A", "--base-url", server.base_url], cwd=tmp_path)
    assert run.code == 1 and "may or may not have been accepted" in run.stderr
    assert server.accepted == 1 and server.stats["requests"] == 1


@pytest.mark.parametrize(("provider", "missing"), [
    ("viber", "NXCLOUD_ACCESS_SECRET"), ("viber", "NXCLOUD_ACCESS_KEY"),
    ("whatsapp", "ITNIO_API_KEY"), ("whatsapp", "ITNIO_API_SECRET")])
def test_missing_credential_is_a_usage_error_before_sending(
        fake: Any, tmp_path: Path, provider: str, missing: str) -> None:
    server = fake()
    spec = write_spec(tmp_path, TEXT, provider, settings=(
        {"rate_type": "Transactional"} if provider == "viber" else {}))
    env = {k: v for k, v in SEND_ENV.items() if k != missing}
    run = msgc(["send", str(spec), "-p", provider, "--to", "79001234567", "--var", "name=A",
                "--base-url", server.base_url], env=env, cwd=tmp_path)
    assert run.code == 2
    assert f"{missing} is not set" in run.stderr and "Traceback" not in run.output
    assert server.stats["requests"] == 0
    assert_no_secrets(run.stdout, run.stderr)


def test_credentials_from_the_config_file(fake: Any, tmp_path: Path) -> None:
    server = fake()
    (tmp_path / "msgc.toml").write_text(
        "[credentials]\n" + "".join(f'{k} = "{v}"\n' for k, v in SECRETS.items()))
    spec = write_spec(tmp_path, TEXT, "whatsapp")
    env = {k: v for k, v in SEND_ENV.items() if k not in SECRETS}
    run = msgc(["send", str(spec), "-p", "whatsapp", "--to", "79001234567", "--var",
                "name=A", "--base-url", server.base_url], env=env, cwd=tmp_path)
    assert run.code == 0, run.output
    # The environment wins over the file.
    env["ITNIO_API_SECRET"] = "from-the-environment"
    run = msgc(["send", str(spec), "-p", "whatsapp", "--to", "79001234567", "--var",
                "name=A", "--base-url", server.base_url], env=env, cwd=tmp_path)
    assert run.code == 1 and "[-1] authentication error" in run.stderr


def test_base_url_from_the_environment(fake: Any, tmp_path: Path) -> None:
    server = fake()
    spec = write_spec(tmp_path, TEXT, "whatsapp")
    run = msgc(["send", str(spec), "-p", "whatsapp", "--to", "79001234567", "--var",
                "name=A"], env={**SEND_ENV, "MSGC_ITNIO_BASE_URL": server.base_url},
               cwd=tmp_path)
    assert run.code == 0 and server.accepted == 1
    bad = msgc(["send", str(spec), "-p", "whatsapp", "--to", "79001234567", "--var",
                "name=A", "--base-url", "ftp://127.0.0.1"], cwd=tmp_path)
    assert bad.code == 2 and "--base-url must be an http(s) URL" in bad.stderr


@pytest.mark.parametrize("provider", ["viber", "whatsapp"])
def test_dry_run_shows_the_exact_request_with_secrets_masked(
        fake: Any, tmp_path: Path, provider: str) -> None:
    server = fake()
    spec = write_spec(tmp_path, TEXT, provider, settings=(
        {"rate_type": "Transactional"} if provider == "viber" else {}))
    run = msgc(["send", str(spec), "-p", provider, "--to", "79001234567", "--var", "name=A",
                "--base-url", server.base_url, "--dry-run"], cwd=tmp_path)
    assert run.code == 0 and server.stats["requests"] == 0
    head, _, body = run.stdout.partition("\n\n")
    lines = head.splitlines()
    assert lines[0] == f"POST {server.base_url}" + (
        "/api/viber/mt" if provider == "viber" else "/wa/custom/sendMsg")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    secret_headers = ("accessKey", "sign") if provider == "viber" else ("Api-Key", "Sign")
    assert all(headers[h] == "***" for h in secret_headers)
    assert ("ts" if provider == "viber" else "Timestamp") in headers
    assert json.loads(body)  # the exact body, as sent
    assert_no_secrets(run.stdout, run.stderr)


def test_verbose_logs_retries_without_secrets(fake: Any, tmp_path: Path) -> None:
    server = fake(Faults(fail_rate=1.0, fail_statuses=(503,), seed=1))
    spec = write_spec(tmp_path, TEXT, "whatsapp")
    run = msgc(["send", str(spec), "-p", "whatsapp", "--to", "79001234567", "--var",
                "name=A", "--base-url", server.base_url, "-v", "--retries", "2",
                "--backoff", "0.01"], cwd=tmp_path)
    assert run.code == 1
    assert run.stderr.count("retrying in") == 2 and "giving up after 3 attempts" in run.stderr
    assert_no_secrets(run.stdout, run.stderr)


@pytest.mark.parametrize(("args", "text"), [
    (["--to", "12ab"], "is not a phone number"),
    ([], "give exactly one of --to PHONE and --recipients FILE"),
    (["--to", "79001234567", "--resume"], "--resume applies to campaigns"),
    (["--recipients", "r.csv"], "a campaign needs --results FILE"),
])
def test_usage_errors(tmp_path: Path, args: list[str], text: str) -> None:
    spec = write_spec(tmp_path, TEXT, "whatsapp")
    run = msgc(["send", str(spec), "-p", "whatsapp", "--var", "name=A", *args], cwd=tmp_path)
    assert run.code == 2 and text in run.stderr and "Traceback" not in run.output


def test_a_spec_error_is_exit_1_and_nothing_is_sent(fake: Any, tmp_path: Path) -> None:
    server = fake()
    spec = write_spec(tmp_path, {"text": "Hi {{ name }}"}, "whatsapp",
                      variables={"name": {"example": "Ann", "max_length": 3}})
    run = msgc(["send", str(spec), "-p", "whatsapp", "--to", "79001234567", "--var",
                "name=Alexandra", "--base-url", server.base_url], cwd=tmp_path)
    assert run.code == 1 and "max_length" in run.stderr
    assert server.stats["requests"] == 0
