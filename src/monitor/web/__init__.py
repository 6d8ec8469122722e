"""The reading room: server-rendered pages over the state (stories, a story, the timeline,
sources, the outbox), plus /healthz and /metrics.

A Starlette app (``app.py``) under uvicorn (``server.py``), Jinja2 templates with autoescape,
one vendored stylesheet, no script. Served by the daemon and by ``monitor serve``; it reads the
state through read-only connections (SQLite WAL) and writes only for its two POST actions.
Everything shown comes from strangers' feeds: see ``security.py`` and ``text.py``.
"""
