"""Generate a tree of realistic specs for the `validate` benchmark (two targets, two locales)."""

from __future__ import annotations

import sys
from pathlib import Path

SPEC = """\
name: bench-{i:04d}
description: Generated spec {i} for the validate benchmark.
variables:
  customer_name: {{type: string, max_length: 40, example: "Ann Lee"}}
  order_id: {{type: string, max_length: 12, pattern: "[A-Z]-[0-9]+", example: "A-{i}"}}
  eta_days: {{type: integer, minimum: 1, maximum: 30, example: 3}}
message:
  text: "Hi {{{{ customer_name }}}}, order {{{{ order_id }}}} arrives in {{{{ eta_days }}}} days."
  image: "https://cdn.example.com/parcel-{i}.jpg"
targets:
  viber:
    rate_type: Promotional
    message:
      buttons:
        - {{title: Track, url: "https://t.example.com/{{{{ order_id }}}}"}}
  whatsapp: {{}}
locales:
  ru:
    message:
      text: >-
        Здравствуйте, {{{{ customer_name }}}}! Заказ {{{{ order_id }}}} прибудет
        через {{{{ eta_days }}}} дн.
  de:
    message:
      text: "Hallo {{{{ customer_name }}}}, Bestellung {{{{ order_id }}}} kommt in {{{{ eta_days }}}} Tagen."
"""


def generate(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"spec-{i:04d}.yaml").write_text(SPEC.format(i=i), encoding="utf-8")


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
