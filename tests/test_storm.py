"""Alert storms are bounded (issue 13): copies of one story that each add a figure make one
update per cycle (folded), at most ``max_updates_per_hour`` per hour, then one summary held to
the end of the hour that says how many times the story moved; an update stores what changed,
not the whole story, so the state grows linearly with the copies.

Before: 10,000 new items in one cycle gave 5,806 alerts from 66 stories and 208 MB of state.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from tests.support.feeds import Article, NewsSite, edited, load_articles, read_alerts, write_config

from monitor.config.load import load_config
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.store import Store, utcnow

BASE = load_articles()["victory-figure"]


def copy(number: int) -> Article:
    """The same report with its own troop figure: it joins the story and adds a claim."""
    figure = str(350 + 40 * number)
    return edited(
        BASE,
        id=f"copy-{number}",
        title=BASE.title.replace("350", figure),
        body=BASE.body.replace("350", figure),
    )


def monitor(tmp_path: Path, site: NewsSite) -> Runtime:
    path = write_config(tmp_path, site.sources(), monitor="alert_on_first_run = true")
    return Runtime(config=load_config(path), store=Store.open(tmp_path / "state"))


def stored_updates(rt: Runtime) -> list[tuple[str, int, object]]:
    rows = rt.store.conn.execute(
        "SELECT a.content, o.next_attempt_at FROM alerts a JOIN outbox o ON o.alert_id = a.id"
        " WHERE a.kind = 'story_update' ORDER BY a.created_at"
    ).fetchall()
    return [(r[0], len(r[0].encode()), r[1]) for r in rows]


def test_copies_in_one_cycle_fold_into_one_update_and_the_hour_is_capped(
    tmp_path: Path, server: object
) -> None:
    site = NewsSite(server)  # type: ignore[arg-type]
    site.publish("dijla", [load_articles()["victory-wire"]])
    rt = monitor(tmp_path, site)
    try:
        assert run_cycle(rt).alerts == 1  # the story

        # One cycle, twelve copies that each add a figure: one update, moved 12 times.
        site.publish("copies", [copy(i) for i in range(12)])
        rt = _reload(rt, tmp_path, site)
        burst = run_cycle(rt)
        assert burst.alerts == 1 and burst.stories_updated == 1
        updates = [a for a in read_alerts(tmp_path) if a["type"] == "story.update"]
        assert len(updates) == 1
        moved = updates[0]["updates"]
        assert moved >= 5  # the copies whose figure is new to the story
        assert len(updates[0]["outlets"]) == moved  # the copies that moved it, not the story
        assert updates[0]["outlet_count"] == 2  # the story's outlets

        # Three more cycles, one copy each: the hour allows 3 updates; the 4th is held back.
        for i in range(12, 15):
            site.publish("copies", [copy(j) for j in range(i + 1)])
            run_cycle(rt)
        sent = [a for a in read_alerts(tmp_path) if a["type"] == "story.update"]
        assert len(sent) == 3  # the burst and two more; the third would be the 4th this hour
        held = [u for u in stored_updates(rt) if u[2] is not None]
        assert len(held) == 1 and held[0][2] > utcnow().isoformat()  # type: ignore[operator]

        # Another copy folds into the held summary; at the end of the hour it goes, once.
        site.publish("copies", [copy(j) for j in range(16)])
        assert run_cycle(rt).alerts == 0
        report = rt.dispatcher().dispatch(utcnow() + timedelta(minutes=61))
        assert report.sent == 1
        final = [a for a in read_alerts(tmp_path) if a["type"] == "story.update"]
        assert len(final) == 4 and final[-1]["updates"] == 2

        # Each update stores what changed: sizes stay flat, not growing with the story.
        sizes = [u[1] for u in stored_updates(rt)]
        assert max(sizes[1:]) < 3 * min(sizes[1:]), sizes
    finally:
        rt.store.close()


def _reload(rt: Runtime, tmp_path: Path, site: NewsSite) -> Runtime:
    """A config that lists every outlet published so far (a new outlet means a new source)."""
    rt.store.close()
    path = write_config(tmp_path, site.sources(), monitor="alert_on_first_run = true")
    return Runtime(config=load_config(path), store=Store.open(tmp_path / "state"))


def test_an_update_payload_counts_what_it_left_out() -> None:
    payload_schema = json.loads(
        (Path(__file__).parents[1] / "docs/webhook.schema.json").read_text()
    )
    props = payload_schema["properties"]
    assert props["claims"]["maxItems"] == 30
    assert {"claims_omitted", "updates"} <= set(props)
