"""``msgc preview``: every spec drawn as the recipient's app would show it.

Modules, in the order data flows through them: :mod:`.values` (examples, worst case, the
user's values), :mod:`.model` (the pipeline's public outputs per target × locale: lowered
payloads and validate's findings), the drawers — :mod:`.base` here, and each provider's own
in its package (``compiler/providers/<name>/preview.py``) — with :mod:`.textfmt` for message
text,
:mod:`.pages` (HTML through the escaping builder in :mod:`.html`), :mod:`.site` (the site
in memory and on disk) and :mod:`.serve` (``--serve``, with live reload), which uses
:mod:`.watch` (noticing edits) and :mod:`.rebuild` (building again only what an edit
changes).
"""
