"""WhatsApp through ITNIO Tech (``POST /wa/custom/sendMsg``): the provider's declaration.

Everything msgc knows about this provider is in this folder: the declaration below (name,
schemas, envelope fields and their options, credentials, endpoint, the 24-hour session
window), :mod:`.lowering` (a neutral message as an ITNIO body), :mod:`.rules` (checks the
schema cannot state), :mod:`.codes` and :mod:`.api` (answer codes, signing, reading
answers), :mod:`.emulation` (what ``msgc fake-server`` answers in ITNIO's name),
:mod:`.callbacks` (receipts and replies), :mod:`.preview` (the WhatsApp-like chat screen)
and :mod:`.catalog` (its rules).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...schemas import Finding
from ..base import EnvelopeField, Lowered, Provider
from . import lowering, rules


class WhatsApp(Provider):
    name = "whatsapp"
    label = "WhatsApp"
    payload_schema = "whatsapp.payload.schema.json"
    target_schema = "whatsapp.target.schema.json"
    semantic_fields = rules.SEMANTIC_FIELDS
    envelope = (
        EnvelopeField("appId", "app_id", "ITNIO_APP_ID", "--app-id", "APPID",
                      help="ITNIO appId (WhatsApp)."),
        EnvelopeField("businessPhone", "business_phone", "ITNIO_BUSINESS_PHONE",
                      "--business-phone", "10000000000", is_phone=True,
                      help="WhatsApp sending number (businessPhone)."),
        EnvelopeField("recipient", None, None, "--to", "10000000001", is_recipient=True,
                      is_phone=True, help="Recipient phone number."),
    )
    default_base_url = "https://api.itniotech.com"
    endpoint_path = "/wa/custom/sendMsg"
    base_url_env = "MSGC_ITNIO_BASE_URL"
    credential_names = ("ITNIO_API_KEY", "ITNIO_API_SECRET")
    secret_headers = ("Api-Key", "Sign")
    #: Undocumented for ITNIO; the fake holds it to NXCloud's 60 s, so a client that passes
    #: the fake passes a more lenient server too.
    timestamp_skew = 60.0
    #: "Custom (free-form) messages may only be sent within 24 h of the user's last
    #: message" (AUTH.md): the custom API refuses them outside that window.
    session_window = 24 * 3600.0
    session_account = "businessPhone"

    def lower(self, message: Mapping[str, Any], settings: Mapping[str, Any],
              envelope: Mapping[str, str]) -> Lowered:
        return lowering.lower(message, settings, envelope)

    def check_payload(self, payload: Any) -> list[Finding]:
        return rules.check_payload(payload)

    def refine(self, findings: list[Finding]) -> list[Finding]:
        return rules.refine(findings)


PROVIDER = WhatsApp()
