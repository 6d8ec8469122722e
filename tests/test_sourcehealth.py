"""Sources' health: failing sources back off exponentially and are never disabled; the operator
is told once when a source has failed N times and once when it has gone silent, with the cause
(fetch failed, parse failed, fetched fine with nothing new), through a real JSON-Lines channel."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.support.feeds import FeedItem, NewsSite, load_articles, read_alerts, rss, write_config
from tests.support.httpserver import HttpServer, Response

from monitor.config.load import load_config
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.pipeline.sourcehealth import MAX_BACKOFF, backoff_delay
from monitor.store import Store

NOT_A_FEED = Response(
    200, b"<html><body><p>maintenance</p></body></html>", content_type="text/html"
)


@pytest.mark.parametrize(
    ("failures_before", "retry_after_s", "low", "high"),
    [
        (0, None, timedelta(0), timedelta(0)),
        (1, None, timedelta(minutes=27), timedelta(minutes=33)),
        (2, None, timedelta(minutes=54), timedelta(minutes=66)),
        (4, None, timedelta(minutes=216), timedelta(minutes=264)),
        (40, None, MAX_BACKOFF * 0.9, MAX_BACKOFF * 1.1),
        (0, 600.0, timedelta(seconds=600), timedelta(seconds=600)),
        (1, 7200.0, timedelta(hours=2), timedelta(hours=2)),
    ],
    ids=[
        "first-retries-next-poll",
        "x2",
        "x4",
        "x16",
        "capped",
        "retry-after",
        "retry-after-floor",
    ],
)
def test_backoff_doubles_per_failure_within_jitter_and_a_cap(
    failures_before: int, retry_after_s: float | None, low: timedelta, high: timedelta
) -> None:
    for seed in range(20):
        delay = backoff_delay(failures_before, 15, retry_after_s, random.Random(seed))
        assert low <= delay <= high


@dataclass
class Farm:
    server: HttpServer
    rt: Runtime
    tmp: Path

    def cycle(self) -> None:
        run_cycle(self.rt)

    def health(self, source_id: str) -> tuple[int, str | None, datetime | None]:
        h = self.rt.store.get_health(source_id)
        return h.consecutive_failures, h.last_error_kind, h.next_attempt_at

    def operator_alerts(self) -> list[str]:
        return [str(a["text"]) for a in read_alerts(self.tmp, types=("operator",))]

    def time_travel(self, sql: str, *params: object) -> None:
        """Move the state's clock marks (the daemon is idle between cycles)."""
        conn = sqlite3.connect(self.rt.config.state_dir / "monitor.db")
        with conn:
            conn.execute(sql, params)
        conn.close()


def hours_ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")


@pytest.fixture
def farm(tmp_path: Path) -> Iterator[Farm]:
    with HttpServer() as server:
        news = NewsSite(server)
        news.publish("good", [load_articles()["victory-wire"]])
        news.publish("quiet", [load_articles()["gulf-markets"]])
        article = load_articles()["erbil-plan"]
        item = FeedItem(
            article.title, server.url("/flaky/1"), article.published, article.description
        )
        server.route("/flaky/feed.xml", Response(200, rss("flaky", server.url("/"), [item])))
        server.route("/down/feed.xml", Response(500, b"oops"))
        server.route("/garbled/feed.xml", NOT_A_FEED)
        sources = [
            *news.sources(),
            ("flaky", "flaky", server.url("/flaky/feed.xml")),
            ("down", "down", server.url("/down/feed.xml")),
            ("garbled", "garbled", server.url("/garbled/feed.xml")),
        ]
        extra = "[health]\nfailure_alert_after = 2\nsilence_alert_hours = 1\n"
        config = load_config(write_config(tmp_path, sources, extra=extra))
        store = Store.open(config.state_dir)
        try:
            yield Farm(server, Runtime(config=config, store=store), tmp_path)
        finally:
            store.close()


def test_failures_back_off_alert_once_and_never_disable(farm: Farm) -> None:
    farm.cycle()
    assert farm.health("down")[:2] == (1, "fetch")
    assert farm.health("down")[2] is None  # the first failure retries at the next poll
    assert farm.health("garbled")[:2] == (1, "parse")
    assert farm.operator_alerts() == []

    farm.cycle()
    now = datetime.now(UTC)
    failures, _, next_at = farm.health("down")
    assert failures == 2 and next_at is not None
    assert timedelta(minutes=25) < next_at - now < timedelta(minutes=35)  # 15 min x 2, jitter
    texts = farm.operator_alerts()
    assert len(texts) == 2
    down = next(t for t in texts if "source down " in t)
    garbled = next(t for t in texts if "source garbled " in t)
    assert "failing" in down and "fetch failed 2 times" in down and "500" in down
    assert "failing" in garbled and "parse failed" in garbled

    hits = farm.server.hits("/down/feed.xml")
    farm.cycle()  # backing off: not polled, nothing counted, nobody told again
    assert farm.server.hits("/down/feed.xml") == hits
    assert farm.health("down")[0] == 2
    assert len(farm.operator_alerts()) == 2

    for _ in range(3):  # the backoff passes: polled again, never disabled, told only once
        farm.time_travel("UPDATE source_health SET next_attempt_at = NULL")
        farm.cycle()
    failures, _, next_at = farm.health("down")
    assert failures == 5 and farm.server.hits("/down/feed.xml") == hits + 3
    assert next_at is not None and next_at - datetime.now(UTC) > timedelta(hours=3.5)  # x16
    assert len(farm.operator_alerts()) == 2

    # It recovers, fails again: the failure alert is re-armed by the success.
    farm.server.route("/down/feed.xml", farm.server.in_turn(Response(200, _feed(farm))))
    farm.time_travel("UPDATE source_health SET next_attempt_at = NULL")
    farm.cycle()
    assert farm.health("down")[0] == 0
    farm.server.route("/down/feed.xml", Response(503, b"busy"))
    farm.cycle()
    farm.cycle()
    assert sum("source down " in t for t in farm.operator_alerts()) == 2


def _feed(farm: Farm) -> bytes:
    article = load_articles()["basra-dates"]
    item = FeedItem(
        article.title, farm.server.url("/down/1"), article.published, article.description
    )
    return rss("down", farm.server.url("/"), [item])


def test_silence_is_told_once_with_its_cause(farm: Farm) -> None:
    farm.cycle()  # seeds: every source that answers has "new" items now
    farm.server.route("/flaky/feed.xml", NOT_A_FEED)
    farm.cycle()
    assert farm.health("flaky")[:2] == (1, "parse")
    assert not [t for t in farm.operator_alerts() if "silent" in t or "source flaky " in t]

    farm.time_travel(
        "UPDATE source_health SET last_new_item = ? WHERE source_id IN ('quiet', 'flaky')",
        hours_ago(2),
    )
    farm.time_travel("UPDATE source_health SET next_attempt_at = NULL")
    farm.cycle()
    texts = farm.operator_alerts()
    quiet = [t for t in texts if "source quiet " in t]
    flaky = [t for t in texts if "source flaky " in t and "silent" in t]
    assert len(quiet) == 1 and "silent" in quiet[0]
    assert "fetched fine with nothing new" in quiet[0] and "limit 1" in quiet[0]
    assert len(flaky) == 1 and "parse failed" in flaky[0]
    assert not any("source good " in t for t in texts)  # it had news an instant ago

    farm.time_travel("UPDATE source_health SET next_attempt_at = NULL")
    farm.cycle()
    assert sum("silent" in t for t in farm.operator_alerts()) == 2  # told once each

    # New items re-arm it: the next silence is told again.
    news = NewsSite(farm.server)
    news.publish("quiet", [load_articles()["gulf-markets"], load_articles()["amman-rain"]])
    farm.cycle()
    farm.time_travel(
        "UPDATE source_health SET last_new_item = ? WHERE source_id = 'quiet'", hours_ago(3)
    )
    farm.cycle()
    assert sum("source quiet " in t for t in farm.operator_alerts()) == 2


def test_operator_alerts_reach_every_channel(farm: Farm, tmp_path: Path) -> None:
    for _ in range(2):
        farm.cycle()
    rows = farm.rt.store.conn.execute(
        "SELECT o.channel, o.status FROM outbox o JOIN alerts a ON a.id = o.alert_id"
        " WHERE a.kind = 'operator'"
    ).fetchall()
    assert rows and {tuple(r) for r in rows} == {("log", "sent")}
    payloads = read_alerts(tmp_path, types=("operator",))
    assert all(p["title"] and p["text"] for p in payloads)
