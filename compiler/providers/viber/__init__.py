"""Viber through NXCloud (``POST /api/viber/mt``): the provider's declaration.

Everything msgc knows about this provider is in this folder: the declaration below (name,
schemas, envelope fields and their options, credentials, endpoint), :mod:`.lowering` (a
neutral message as an NXCloud body), :mod:`.rules` (checks the schema cannot state),
:mod:`.codes` and :mod:`.api` (answer codes, signing, reading answers), :mod:`.emulation`
(what ``msgc fake-server`` answers in NXCloud's name), :mod:`.callbacks` (receipts and
replies), :mod:`.preview` (the Viber-like chat screen) and :mod:`.catalog` (its rules).

Choices made where the NXCloud document is silent or inconsistent (see README, "Provider
notes"): the example's ``"carsoucel"`` is a typo for ``carousel``; 200 MB is read as
200 MiB.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...schemas import Finding
from ..base import EnvelopeField, Lowered, Provider
from . import lowering, rules


class Viber(Provider):
    name = "viber"
    label = "Viber"
    payload_schema = "viber.payload.schema.json"
    target_schema = "viber.target.schema.json"
    semantic_fields = rules.SEMANTIC_FIELDS
    envelope = (
        EnvelopeField("appkey", "appkey", "NXCLOUD_APPKEY", "--appkey", "APPKEY",
                      help="NXCloud appkey (Viber)."),
        EnvelopeField("phone", None, None, "--to", "10000000000", is_recipient=True,
                      is_phone=True, help="Recipient phone number."),
    )
    default_base_url = "https://api2.nxcloud.com"
    endpoint_path = "/api/viber/mt"
    base_url_env = "MSGC_NXCLOUD_BASE_URL"
    credential_names = ("NXCLOUD_ACCESS_KEY", "NXCLOUD_ACCESS_SECRET")
    secret_headers = ("accessKey", "sign")
    timestamp_skew = 60.0

    def lower(self, message: Mapping[str, Any], settings: Mapping[str, Any],
              envelope: Mapping[str, str]) -> Lowered:
        return lowering.lower(message, settings, envelope)

    def check_payload(self, payload: Any) -> list[Finding]:
        return rules.check_payload(payload)


PROVIDER = Viber()
