"""msgc: compile provider-neutral YAML message specs into validated provider payloads.

The public API, in pipeline order (load -> check -> render -> lower -> validate):

    from compiler import load_spec, render, validate_payload

    spec = load_spec("templates/order-shipped.yaml")
    result = render(spec, "viber", variables={"order_id": "A-1"}, to="79100000730")
    result.payload      # the provider payload, a dict
    result.body         # the exact bytes to send

    findings = validate_payload("whatsapp", payload_dict)
"""

from __future__ import annotations

__version__ = "0.1.0"
