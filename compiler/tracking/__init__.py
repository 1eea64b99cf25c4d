"""After sending: what happened to each message.

``store`` keeps the callback events the webhook receives (one SQLite database), ``matching``
links them to campaign rows through the provider ids the send journals record, ``funnel``
computes a campaign's report from both, ``render`` prints it (text, JSON, CSV, HTML), and
``sessions`` answers "has this recipient written recently?" for ``msgc send``.
"""
