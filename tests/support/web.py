"""A state made by the real demo cycle, and clients for the web pages over it.

``demo_state(dir)`` runs the bundled demo feeds through ``run_cycle`` (served on 127.0.0.1 by
``monitor.demo.server``, as ``monitor demo`` does) into ``dir`` and returns the config that
points at it: seven stories, three conflicting claims, a milestone completed, an update alert.
``client(config)`` is a Starlette ``TestClient`` on the pages, addressed as 127.0.0.1.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from monitor.config.load import Config, default_config
from monitor.demo.server import serve_demo
from monitor.models import Source, StoryFilter
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.store import Store, utcnow
from monitor.stories.claims import absorb_claims
from monitor.web.app import WebContext, create_app


def demo_state(state_dir: Path) -> Config:
    """Run the demo cycle into ``state_dir``; the config of that state (demo sources kept)."""
    with serve_demo() as site:
        base = default_config(state_dir)
        config = replace(
            base,
            sources=tuple(Source(id=f.id, url=f.url, name=f.name) for f in site.feeds),
            alert_on_first_run=True,
            http=replace(base.http, allow_private_addresses=True),
        )
        rt = Runtime(config=config, store=Store.open(state_dir), console=io.StringIO(), demo=True)
        try:
            run_cycle(rt, alert_on_first_run=True)
        finally:
            rt.store.close()
    return config


def client(config: Config, **context: Any) -> TestClient:
    """A test client on the pages over ``config``'s state (healthy unless told otherwise)."""
    context.setdefault("healthy", lambda: (True, "ok: test"))
    ctx = WebContext(config, **context)
    return TestClient(create_app(ctx), base_url="http://127.0.0.1:8080")


def join_two_stories(config: Config) -> tuple[str, str]:
    """Join two stories of ``config``'s state as the story desk does when a later report shows
    two open stories are one development: the older keeps both (``Store.absorb_story``, then
    the merged claims saved). The two most recent stories; returns (kept, absorbed)."""
    store = Store.open(config.state_dir, lock=False)
    try:
        recent = [store.load_story(s.id) for s in store.story_summaries(StoryFilter(), limit=2)]
        keep, gone = sorted(
            (s for s in recent if s is not None), key=lambda s: (s.first_seen, s.id)
        )
        with store.transaction():
            store.absorb_story(keep.id, gone.id, utcnow())
            store.save_story_claims(keep.id, absorb_claims(keep.claims, gone.claims))
    finally:
        store.close()
    return keep.id, gone.id
