"""Faults: ``kill -9`` in the middle of a cycle and in the middle of a delivery, and a cycle that
hangs. Afterwards the database is intact, no entry is half-recorded (it is recorded with its
story or not at all, so the next run processes it), no alert is lost and none is sent twice
(beyond the one repeat, with the same idempotency key, of a delivery cut mid-send)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.feeds import Article, NewsSite, article_page, load_articles, write_config
from tests.support.httpserver import HttpServer, Response
from tests.support.procs import GUARD_S, Monitor, query, run_monitor
from tests.support.webhook_receiver import Reply, WebhookReceiver

from monitor.config.load import load_config
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.store import Store

SEED = {"dijla": ["basra-dates"], "furat": ["mosul-library"]}
NEWS = {
    "dijla": ["basra-dates", "victory-wire", "erbil-plan", "gulf-markets"],
    "furat": ["mosul-library", "victory-gulf", "phase-one-done", "amman-rain"],
}
ALL = ("conflicting", "completed", "new", "consistent")


def articles(ids: list[str]) -> list[Article]:
    return [load_articles()[a] for a in ids]


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with HttpServer() as server:
        news = NewsSite(server)
        for outlet, ids in SEED.items():
            news.publish(outlet, articles(ids))
        yield news


def slow_pages(site: NewsSite, outlet: str, ids: list[str], seconds: float) -> None:
    """Serve ``outlet``'s article pages only after ``seconds`` (woken when the server stops)."""
    for article in articles(ids):
        page = article_page(article, outlet)
        site.server.route(
            site.page_path(outlet, article.id),
            Response(200, page, content_type="text/html; charset=utf-8", delay_s=seconds),
        )


def seeded_config(tmp_path: Path, site: NewsSite, extra: str = "") -> Path:
    """A config whose state was seeded with ``SEED`` by a first ``monitor once``."""
    config = write_config(tmp_path, site.sources(), extra=extra)
    done = run_monitor(config, "once")
    assert done.returncode == 0, done.stderr
    return config


def integrity(state: Path) -> str:
    return str(query(state, "PRAGMA integrity_check")[0][0])


def entries(state: Path) -> dict[str, tuple[object, ...]]:
    rows = query(state, "SELECT key, source_id, relevant, story_id, content_hash FROM entries")
    return {str(r[0]): r[1:] for r in rows}


def assert_no_half_recorded(state: Path) -> None:
    """A processed entry has its analysis; a relevant one its story, and the story exists."""
    stories = {r[0] for r in query(state, "SELECT id FROM stories")}
    members = {r[0] for r in query(state, "SELECT article_key FROM story_members")}
    for key, (_, relevant, story_id, content_hash) in entries(state).items():
        if relevant:
            assert story_id in stories and key in members, key
        if content_hash is None:  # recorded as seen only (seeding): no analysis expected
            assert relevant is None and story_id is None, key


def story_partition(state: Path) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for key, story in query(state, "SELECT article_key, story_id FROM story_members"):
        groups.setdefault(str(story), set()).add(str(key))
    return {frozenset(g) for g in groups.values()}


def jsonl(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def alert_ids(state: Path) -> set[str]:
    return {str(r[0]) for r in query(state, "SELECT id FROM alerts WHERE kind != 'operator'")}


def test_kill_9_mid_cycle_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, site: NewsSite
) -> None:
    config = seeded_config(tmp_path, site)
    state = tmp_path / "state"
    for outlet, ids in NEWS.items():
        site.publish(outlet, articles(ids))
    slow_pages(site, "furat", NEWS["furat"], 60)

    with Monitor(config, ["once"]) as run:
        # The cycle is in flight: dijla's pages are in, furat's hang. Articles are processed
        # in publication order as they are read (a furat page that timed out falls back to
        # its feed summary), so some may be recorded already; the kill must lose nothing and
        # leave nothing half-done.
        assert run.until(
            lambda: (
                site.server.hits(site.page_path("furat", "victory-gulf")) >= 1
                and all(
                    site.server.hits(site.page_path("dijla", a)) >= 1 for a in NEWS["dijla"][1:]
                )
            )
        ), run.log()
        run.kill9()

    assert integrity(state) == "ok"
    assert_no_half_recorded(state)
    seen = entries(state)
    assert 1 <= sum(1 for e in seen.values() if e[0] == "furat") <= 4  # the seeded one, maybe more
    queued = alert_ids(state)
    delivered_before = {str(r["alert_id"]) for r in jsonl(tmp_path / "alerts.jsonl")}

    site.publish("furat", articles(NEWS["furat"]))  # the pages answer again
    done = run_monitor(config, "once")
    assert done.returncode == 0, done.stderr

    assert integrity(state) == "ok"
    assert_no_half_recorded(state)
    after = entries(state)
    assert {k: v for k, v in after.items() if k in seen} == seen  # nothing processed twice
    assert sum(1 for e in after.values() if e[0] == "furat") == 4
    lines = jsonl(tmp_path / "alerts.jsonl")
    sent = Counter(str(r["alert_id"]) for r in lines)
    assert set(sent) == alert_ids(state)  # every alert delivered: none lost
    assert set(sent.values()) == {1}  # and none twice
    assert queued <= set(sent) and delivered_before <= set(sent)
    assert query(state, "SELECT DISTINCT status FROM outbox") == [("sent",)]

    # The same news without the kill gives the same stories.
    reference = tmp_path / "reference"
    reference.mkdir()
    for outlet, ids in SEED.items():
        site.publish(outlet, articles(ids))
    ref_config = seeded_config(reference, site)
    for outlet, ids in NEWS.items():
        site.publish(outlet, articles(ids))
    assert run_monitor(ref_config, "once").returncode == 0
    assert story_partition(reference / "state") == story_partition(state)
    relevant = {k for k, v in after.items() if v[1]}
    assert relevant == {k for k, v in entries(reference / "state").items() if v[1]}


def test_kill_9_mid_delivery_repeats_only_the_delivery_in_flight(
    tmp_path: Path, site: NewsSite
) -> None:
    with WebhookReceiver() as receiver:
        hook = (
            f'[[channels]]\nname = "hook"\ntype = "webhook"\nurl = "{receiver.url}"\n'
            f"immediate = {json.dumps(list(ALL))}\ndigest = []\n"
        )
        config = seeded_config(tmp_path, site, extra=hook)
        state = tmp_path / "state"
        for outlet, ids in NEWS.items():
            site.publish(outlet, articles(ids))
        receiver.script(Reply(hang=True))  # the first webhook delivery never gets its answer

        with Monitor(config, ["once"]) as run:
            assert run.until(lambda: len(receiver.requests) == 1), run.log()
            run.kill9()
        receiver.release()
        assert integrity(state) == "ok"
        in_flight = receiver.requests[0].webhook_id

        done = run_monitor(config, "once")
        assert done.returncode == 0, done.stderr
        assert integrity(state) == "ok"
        hooks = Counter(r.webhook_id for r in receiver.requests)
        ids = alert_ids(state)

    assert len(hooks) == len(ids) >= 3  # one webhook id per alert: none lost
    assert {k: n for k, n in hooks.items() if n > 1} == {in_flight: 2}  # only it, once more
    lines = Counter(str(r["delivery_id"]) for r in jsonl(tmp_path / "alerts.jsonl"))
    assert {str(r["alert_id"]) for r in jsonl(tmp_path / "alerts.jsonl")} == ids
    assert max(lines.values()) <= 2  # a JSON line cut mid-send repeats once, same id
    assert query(state, "SELECT DISTINCT status FROM outbox") == [("sent",)]


# --------------------------------------------------------------------------- a hanging cycle


def test_a_hanging_source_is_cut_at_the_cycle_deadline_and_the_next_cycle_runs(
    tmp_path: Path, site: NewsSite
) -> None:
    site.server.route("/hang/feed.xml", Response(200, b"<rss/>", delay_s=3600))
    sources = [*site.sources(), ("hang", "never answers", site.server.url("/hang/feed.xml"))]
    path = write_config(tmp_path, sources, monitor="cycle_deadline_seconds = 1.5")
    text = path.read_text(encoding="utf-8")
    for key in ("connect_timeout_seconds", "read_timeout_seconds", "total_timeout_seconds"):
        text = text.replace(f"{key} = ", f"{key} = 600\n# was: {key} = ")
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    assert config.http.read_timeout_seconds == 600
    store = Store.open(config.state_dir)
    rt = Runtime(config=config, store=store)
    try:
        t0 = time.monotonic()
        first = run_cycle(rt)
        assert time.monotonic() - t0 < GUARD_S  # cut at the deadline, not the 600 s timeouts
        outcomes = {o.source_id: o for o in first.sources}
        assert outcomes["hang"].error_kind == "deadline" and not outcomes["hang"].ok
        assert outcomes["dijla"].ok and outcomes["furat"].ok
        health = store.get_health("hang")
        assert (health.consecutive_failures, health.last_error_kind) == (1, "deadline")
        assert "deadline" in (health.last_error or "")

        # The server recovers; the next cycle runs and polls it again (no backoff yet).
        site.server.route("/hang/feed.xml", Response(200, _feed(site), content_type="text/xml"))
        second = run_cycle(rt)
        assert {o.source_id: o.ok for o in second.sources}["hang"]
        assert store.get_health("hang").consecutive_failures == 0
        assert len(query(config.state_dir, "SELECT id FROM cycles")) == 2
    finally:
        store.close()


def _feed(site: NewsSite) -> bytes:
    from tests.support.feeds import FeedItem, rss

    article = load_articles()["victory-figure"]
    item = FeedItem(
        article.title, site.server.url("/hang/1"), article.published, article.description
    )
    return rss("hang", site.server.url("/hang/"), [item])


def test_the_store_survives_a_kill_between_cycles(tmp_path: Path, site: NewsSite) -> None:
    """A database left by ``kill -9`` opens, migrates nothing and passes its checks."""
    config = seeded_config(tmp_path, site)
    state = tmp_path / "state"
    with Monitor(config, ["run"]) as daemon:
        assert daemon.until(lambda: len(query(state, "SELECT id FROM cycles")) == 2)
        daemon.kill9()
    conn = sqlite3.connect(state / "monitor.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    assert run_monitor(config, "once").returncode == 0  # the lock died with the process
