"""One phone normaliser (issue 11, item 4): `render --to`, `send --to`, the recipients
file, `phone` variables, the envelope settings and the Python API accept exactly the same
numbers and turn them into the same digits, with one short error."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st

from compiler import render
from compiler.diagnostics import MsgcError
from compiler.phone import normalize_phone, phone_problem
from compiler.sending import recipients
from compiler.spec import load_spec_text
from compiler.variables import Problem, Variable

SPEC = """\
variables:
  who: {type: phone, example: "79001234567"}
message: {text: "Call {{ who }}"}
targets:
  viber: {rate_type: Transactional, appkey: app}
  whatsapp: {app_id: wa, business_phone: "12025550100"}
"""

GOOD = {
    "+7 (900) 123-45-67": "79001234567",
    "7.900.123.45.67": "79001234567",
    "  +79001234567\t": "79001234567",
    "7 900 123 45 67": "79001234567",
    "1234567": "1234567",
    "123456789012345": "123456789012345",
}
BAD = ["", "   ", "123456", "1234567890123456", "+7 900 abc 45 67", "7+9001234567",
       "++79001234567", "٧٩٠٠١٢٣٤٥٦٧", "7900123456７", "79001234567#", "tel:79001234567"]


@pytest.mark.parametrize(("given_text", "digits"), GOOD.items())
def test_accepted_forms(given_text: str, digits: str) -> None:
    assert normalize_phone(given_text) == digits
    assert phone_problem(given_text) is None


@pytest.mark.parametrize("given_text", BAD)
def test_refused_forms_have_a_short_reason(given_text: str) -> None:
    assert normalize_phone(given_text) is None
    problem = phone_problem(given_text)
    assert problem is not None and len(problem) < 90
    assert problem.isascii() or any(ord(c) > 127 for c in given_text)


def test_the_reason_says_what_is_wrong() -> None:
    assert "6 digits" in str(phone_problem("123456"))
    assert "16 digits" in str(phone_problem("1234567890123456"))
    assert "'a'" in str(phone_problem("+7 900 abc 45 67"))
    assert "'+'" in str(phone_problem("7+9001234567"))
    assert "empty" in str(phone_problem(""))


def test_the_recipients_file_uses_the_same_function() -> None:
    assert recipients.normalize_phone is normalize_phone


def api_phone(spec_text: str, provider: str, value: str) -> str | None:
    spec = load_spec_text(spec_text, "p.yaml")
    try:
        payload = render(spec, provider, examples=True, to=value).payload
    except MsgcError:
        return None
    return str(payload["phone" if provider == "viber" else "recipient"])


def variable_phone(value: str) -> str | None:
    try:
        return str(Variable.from_decl("who", {"type": "phone"}).coerce(value))
    except Problem:
        return None


_ALPHABET = st.sampled_from(list("0123456789") * 4 + list(" -().+\tx٧"))


@given(st.text(_ALPHABET, max_size=22))
def test_every_entry_point_agrees(value: str) -> None:
    expected = normalize_phone(value)
    assert variable_phone(value) == expected
    assert api_phone(SPEC, "viber", value) == expected
    if expected is None or len(expected) <= 14:  # ITNIO allows at most 14 digits
        assert api_phone(SPEC, "whatsapp", value) == expected


def cli_run(args: list[str], cwd: Path, env: dict[str, str] | None = None
            ) -> tuple[int, str, str]:
    result = run_cli(args, cwd, {"NXCLOUD_ACCESS_KEY": "key12345",
                                 "NXCLOUD_ACCESS_SECRET": "sec12345", **(env or {})})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", ["render", "send"])
@pytest.mark.parametrize(("given_text", "digits"), [("+7 (900) 123-45-67", "79001234567"),
                                                     ("7.900.123.45.67", "79001234567")])
def test_render_and_send_accept_the_same_number(tmp_path: Path, command: str, given_text: str,
                                                digits: str) -> None:
    (tmp_path / "s.yaml").write_text(SPEC, encoding="utf-8")
    extra = ["--dry-run", "--var", "who=79001234567"] if command == "send" else ["--examples"]
    code, out, err = cli_run([command, "s.yaml", "-p", "viber", "--to", given_text, *extra],
                             tmp_path)
    assert code == 0, out + err
    assert f'"phone": "{digits}"' in out or f'"phone":"{digits}"' in out


@pytest.mark.parametrize("command", ["render", "send"])
def test_a_bad_number_is_one_short_usage_error(tmp_path: Path, command: str) -> None:
    (tmp_path / "s.yaml").write_text(SPEC, encoding="utf-8")
    extra = ["--dry-run", "--var", "who=79001234567"] if command == "send" else ["--examples"]
    code, out, err = cli_run([command, "s.yaml", "-p", "viber", "--to", "+7 900 12", *extra],
                             tmp_path)
    assert code == 2, out + err
    assert "--to" in err and "+7 900 12" in err and "6 digits" in err
    assert len(err) < 200, err
    assert err.isascii(), err  # no quotation of the provider document


def test_a_business_phone_with_blanks_is_normalised_too(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SPEC, encoding="utf-8")
    code, out, err = cli_run(["render", "s.yaml", "-p", "whatsapp", "--to", "79001234567",
                              "--business-phone", "+1 (202) 555-0100", "--examples"], tmp_path)
    assert code == 0, err
    assert '"businessPhone": "12025550100"' in out


def test_a_bad_business_phone_names_where_it_came_from(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SPEC.replace('"12025550100"', '"555-01"'),
                                     encoding="utf-8")
    code, _, err = cli_run(["render", "s.yaml", "-p", "whatsapp", "--to", "79001234567",
                            "--examples"], tmp_path)
    assert code == 1, err
    assert "s.yaml:6:" in err and "business_phone" in err and len(err) < 250


def test_a_bad_business_phone_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SPEC.replace(', business_phone: "12025550100"', ""),
                                     encoding="utf-8")
    code, _, err = cli_run(["render", "s.yaml", "-p", "whatsapp", "--to", "79001234567",
                            "--examples"], tmp_path, {"ITNIO_BUSINESS_PHONE": "+1 202 55"})
    assert code == 2, err
    assert "ITNIO_BUSINESS_PHONE '+1 202 55' is not a phone number" in err


def test_the_payload_schema_hint_is_short() -> None:
    from compiler import validate_payload

    diags = validate_payload("viber", {"appkey": "a", "phone": "7(900)1234567",
                                       "functionType": "text",
                                       "messageData": {"rateType": "Transactional",
                                                       "text": "hi"}})
    phone = [d for d in diags if d.path == "/phone"]
    assert phone and phone[0].hint and len(phone[0].hint) < 100 and phone[0].hint.isascii()
