"""Sending compiled messages: signed provider clients, bulk campaigns and a fake provider.

Everything here is provider-agnostic: the transport facts of each provider (URL, signing,
answer codes) live in its module under ``compiler/providers``. Data flows one way: this
package imports from the compiler, never the reverse. httpx is imported only by the
modules that need it (``client``), and only when ``msgc send`` runs.

Modules, one job each:

* ``access``      credentials, API address, keeping secrets out of every output
* ``client``      one HTTP connection pool, retries with backoff, outcome classification
* ``transport``   the constant-cost connection pool and asyncio network backend
* ``ratelimit``   the token bucket behind ``--rate``
* ``recipients``  streaming CSV / JSON Lines recipients reader
* ``journal``     the SQLite journal that makes ``--resume`` exact
* ``results``     the JSON Lines results file
* ``progress``    the terminal progress line
* ``bulk``        the campaign pipeline (read -> render -> journal -> send -> record)
* ``fake_server`` a loopback HTTP server that keeps both providers' contracts
"""
