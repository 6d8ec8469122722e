"""Alert delivery: routing, the durable outbox dispatcher, digests and the channel kinds.

The pipeline calls ``route(alert, channels)`` and ``store.enqueue_alert(alert, routes)`` in the
transaction that saves the story; ``Dispatcher(...).dispatch(now)`` then delivers. Channel
kinds: console and JSON-Lines (``console.py``), email (``email.py``), webhook (``webhook.py``,
payload documented in ``docs/webhook.md``), Apprise (``apprise_channel.py``, optional).
Rendering for people lives in ``render.py``; every kind uses it.
"""
