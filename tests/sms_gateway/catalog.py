"""The gateway's rules in the rule catalog."""

from __future__ import annotations

from compiler.catalog import PAYLOAD, SEND, SPEC, Kind, Rule
from compiler.catalog.text import para, payload, shell, spec
from compiler.diagnostics import Severity

_P = ("sms",)

RULES = (
    Rule("sms-text-only", "An SMS carries text only",
         para("A plain SMS is text: media, buttons and the other fields have no place in it."),
         spec("""
             message: {text: Hi, image: "https://cdn.example.com/a.png"}
             targets: {sms: {sender: ACME}}
         """),
         spec("""
             message: {text: Hi}
             targets: {sms: {sender: ACME}}
         """),
         kind=Kind.UNSUPPORTED, providers=_P),
    Rule("sms-text-length", "An SMS text is empty or longer than 160 characters",
         para("The gateway sends one SMS of at most 160 characters."),
         spec("""
             message: {text: ""}
             targets: {sms: {sender: ACME}}
         """),
         spec("""
             message: {text: Hi}
             targets: {sms: {sender: ACME}}
         """),
         kind=Kind.LIMIT, providers=_P, found_by=SPEC + PAYLOAD),
    Rule("sms-sender", "The SMS sender id is not 1-11 letters and digits",
         para("A sender id is what the recipient's phone shows instead of a number."),
         spec("""
             message: {text: Hi}
             targets: {sms: {sender: "ACME Shop"}}
         """),
         spec("""
             message: {text: Hi}
             targets: {sms: {sender: ACMEShop}}
         """),
         kind=Kind.LIMIT, providers=_P, found_by=SPEC + PAYLOAD),
    Rule("sms-phone-digits", "The SMS recipient is not 7-15 digits",
         para("The gateway takes the recipient's number as digits."),
         payload('{"from": "ACME", "to": "+1", "text": "Hi"}'),
         payload('{"from": "ACME", "to": "79001234567", "text": "Hi"}'),
         kind=Kind.LIMIT, providers=_P, found_by=("render", "send", "check-payload")),
    Rule("sms-text-may-exceed", "An SMS text can exceed 160 characters for some allowed values",
         para("The variables' declared bounds allow a text longer than 160 characters."),
         spec("""
             variables: {body: {type: string, max_length: 200, example: Hi}}
             message: {text: "{{ body }}"}
             targets: {sms: {sender: ACME}}
         """),
         spec("""
             variables: {body: {type: string, max_length: 160, example: Hi}}
             message: {text: "{{ body }}"}
             targets: {sms: {sender: ACME}}
         """),
         severity=Severity.WARNING,
         kind=Kind.ADVICE, providers=_P, found_by=("validate", "build")),
    *(Rule(rule, summary, para(summary + "."), shell("$ msgc send s.yaml -p sms ..."),
           shell("$ msgc send s.yaml -p sms ..."), kind=kind, providers=_P, found_by=SEND)
      for rule, summary, kind in (
          ("sms-send-failed", "The gateway refused the message", Kind.OPERATION),
          ("sms-send-unknown", "No readable answer came back from the gateway",
           Kind.OPERATION),
          ("sms-additional-properties", "An SMS setting or body field the gateway does not know",
           Kind.INPUT),
          ("sms-type", "An SMS setting or body field has the wrong type", Kind.INPUT),
          ("sms-required", "A required field of the SMS body is missing", Kind.LIMIT))),
)
