"""The whole pipeline on real local servers: fetch → parse → extract → analyse → stories → outbox.

Every test runs real cycles (``run_cycle`` or ``monitor.cli.main``) against outlets served on
127.0.0.1 by ``tests.support.feeds.NewsSite``, with a state directory and a JSON-Lines alert
channel under ``tmp_path``; alerts are counted by reading that file back. The articles are our
own (``tests/fixtures/pipeline/articles.toml``).
"""

from __future__ import annotations

import json
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.support.feeds import (
    FeedItem,
    NewsSite,
    article_page,
    edited,
    load_articles,
    read_alerts,
    rss,
    write_config,
)
from tests.support.httpserver import HttpServer, Request, Response

from monitor.analysis.analyzer import Analyzer
from monitor.cli import main
from monitor.config.load import default_config, load_config
from monitor.models import CycleReport, Finding
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.store import Store

A = load_articles()


# --------------------------------------------------------------------------- harness


class Monitor:
    """One monitor (config, state, runtime) over the outlets of a ``NewsSite``."""

    def __init__(
        self,
        tmp_path: Path,
        sources: list[tuple[str, str, str]],
        monitor: str = "",
        source_options: str = "",
    ):
        self.tmp_path = tmp_path
        self.config_path = write_config(
            tmp_path, sources, monitor=monitor, source_options=source_options
        )
        self.config = load_config(self.config_path)
        self.rt = Runtime(config=self.config, store=Store.open(self.config.state_dir))

    def cycle(self, **kw: Any) -> CycleReport:
        return run_cycle(self.rt, **kw)

    def alerts(self) -> list[dict[str, Any]]:
        return read_alerts(self.tmp_path)

    def close(self) -> None:
        self.rt.store.close()


@pytest.fixture
def site(server: HttpServer) -> NewsSite:
    return NewsSite(server)


@pytest.fixture
def make_monitor(tmp_path: Path) -> Iterator[Callable[..., Monitor]]:
    made: list[Monitor] = []

    def make(
        sources: list[tuple[str, str, str]], monitor: str = "", source_options: str = ""
    ) -> Monitor:
        m = Monitor(tmp_path, sources, monitor, source_options)
        made.append(m)
        return m

    yield make
    for m in made:
        m.close()


def claims_of(alert: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(c["kind"], c["verdict"], c["timeline_event"]) for c in alert["claims"]]


def refused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (the port was just bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


# --------------------------------------------------------------------------- foundation

BROKEN = [
    pytest.param(
        Response(200, b"<html><body><p>\xd8\xae\xd8\xb7\xd8\xa3 <<</body", content_type="text/xml"),
        "parse",
        id="invalid-xml",
    ),
    pytest.param(
        Response(500, b"internal error", content_type="text/plain"), "fetch", id="http-500"
    ),
    pytest.param(None, "fetch", id="connection-refused"),
]


@pytest.mark.parametrize(("broken", "kind"), BROKEN)
def test_a_broken_feed_does_not_stop_the_good_ones(
    server: HttpServer,
    site: NewsSite,
    make_monitor: Callable[..., Monitor],
    broken: Response | None,
    kind: str,
) -> None:
    site.publish("dijla", [A["parliament-timetable"], A["basra-dates"]])
    site.publish("gulf", [A["erbil-plan"], A["gulf-markets"]], fmt="atom")
    if broken is None:
        bad_url = refused_url()
    else:
        server.route("/broken/feed.xml", broken)
        bad_url = server.url("/broken/feed.xml")
    mon = make_monitor([("broken", "منفذ معطل", bad_url), *site.sources()])

    report = mon.cycle(alert_on_first_run=True)

    assert report.sources_ok == 2 and report.sources_failed == 1
    failed = [o for o in report.sources if not o.ok]
    assert [(o.source_id, o.error_kind) for o in failed] == [("broken", kind)]
    health = mon.rt.store.get_health("broken")
    assert health.consecutive_failures == 1 and health.last_error_kind == kind
    assert health.last_error
    assert mon.rt.store.get_health("dijla").consecutive_failures == 0
    titles = {a["title"] for a in mon.alerts()}
    assert titles == {A["parliament-timetable"].title, A["erbil-plan"].title}


def test_two_cycles_in_a_row_give_no_duplicate_alert(
    server: HttpServer, site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    site.publish("dijla", [A["parliament-timetable"], A["basra-dates"]])
    site.publish("gulf", [A["erbil-plan"], A["gulf-markets"]], fmt="atom")
    mon = make_monitor(site.sources())
    first = mon.cycle(alert_on_first_run=True)
    assert first.alerts == 2 and len(mon.alerts()) == 2

    # The feeds change (a new unrelated item each), so they are parsed again, not 304'd.
    site.publish("dijla", [A["parliament-timetable"], A["basra-dates"], A["mosul-library"]])
    site.publish("gulf", [A["erbil-plan"], A["gulf-markets"], A["amman-rain"]], fmt="atom")
    server.reset()
    second = mon.cycle()

    assert second.alerts == 0 and second.articles == 2  # only the two new items
    assert len(mon.alerts()) == 2
    assert server.hits("/dijla/news/parliament-timetable") == 0
    assert server.hits("/dijla/news/mosul-library") == 1


def test_first_run_seeds_the_state_without_alerting(
    server: HttpServer, site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    site.publish("dijla", [A["parliament-timetable"], A["basra-dates"]])
    site.publish("gulf", [A["erbil-plan"], A["gulf-markets"]], fmt="atom")
    mon = make_monitor(site.sources())

    seeded = mon.cycle()

    assert seeded.seeded and seeded.alerts == 0 and mon.alerts() == []
    assert seeded.sources_ok == 2
    assert mon.rt.store.count_entries() == 4  # marked seen
    assert server.hits("/dijla/news/parliament-timetable") == 0  # pages not even fetched

    site.publish("dijla", [A["parliament-timetable"], A["basra-dates"], A["kurdistan-cp1256"]])
    second = mon.cycle()

    assert not second.seeded
    assert [a["title"] for a in mon.alerts()] == [A["kurdistan-cp1256"].title]
    assert second.alerts == 1


@pytest.mark.parametrize(
    ("argv", "monitor_table", "expect_alerts"),
    [
        pytest.param(["once"], "", False, id="default-seeds"),
        pytest.param(["once", "--alert-on-first-run"], "", True, id="flag-alerts"),
        pytest.param(["once"], "alert_on_first_run = true", True, id="config-alerts"),
    ],
)
def test_first_run_through_the_cli(
    tmp_path: Path,
    site: NewsSite,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    monitor_table: str,
    expect_alerts: bool,
) -> None:
    site.publish("dijla", [A["parliament-timetable"], A["basra-dates"]])
    config = write_config(tmp_path, site.sources(), monitor=monitor_table)

    code = main(["--config", str(config), *argv])

    out = capsys.readouterr().out
    assert code == 0
    summary = [line for line in out.splitlines() if line.startswith("cycle: ")]
    assert len(summary) == 1
    assert f"seeded={not expect_alerts}" in summary[0]
    titles = [a["title"] for a in read_alerts(tmp_path)]
    assert titles == ([A["parliament-timetable"].title] if expect_alerts else [])


def test_conditional_get_second_cycle_gets_304_and_does_nothing(
    server: HttpServer, site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    site.publish("dijla", [A["parliament-timetable"], A["basra-dates"]])
    mon = make_monitor(site.sources())
    mon.cycle(alert_on_first_run=True)
    assert len(mon.alerts()) == 1
    server.reset()

    report = mon.cycle()

    (feed,) = server.requests  # the feed only: no page is fetched again
    assert feed.path == "/dijla/feed.xml"
    assert feed.headers["if-none-match"].startswith('"')
    (outcome,) = report.sources
    assert outcome.ok and outcome.not_modified
    assert report.articles == 0 and report.alerts == 0
    assert len(mon.alerts()) == 1


def test_an_item_relisted_after_its_entry_was_pruned_never_alerts_twice(
    server: HttpServer, site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    site.publish("dijla", [A["parliament-timetable"], A["basra-dates"]])
    mon = make_monitor(site.sources())
    mon.cycle(alert_on_first_run=True)
    assert len(mon.alerts()) == 1
    with mon.rt.store.transaction():  # everything is older than a window that ends in the future
        mon.rt.store.prune_entries(timedelta(seconds=-3600))
    assert mon.rt.store.count_entries() == 0
    server.reset()

    # Re-listed with tracking parameters on the link: the canonical URL (the key) is the same.
    site.publish(
        "dijla",
        [A["parliament-timetable"], A["basra-dates"]],
        link_query="utm_source=rss&fbclid=x1",
    )
    report = mon.cycle()

    assert report.sources_ok == 1 and report.alerts == 0 and report.articles == 0
    assert server.hits("/dijla/news/parliament-timetable") == 0
    assert len(mon.alerts()) == 1


def test_an_article_edited_in_place_with_a_new_claim_gives_one_update_alert(
    site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    site.publish("dijla", [A["erbil-plan"], A["basra-dates"]])
    mon = make_monitor(site.sources())
    mon.cycle(alert_on_first_run=True)
    (first,) = mon.alerts()
    assert first["type"] == "story.new"

    # Same URL (same article id), new text: a troop figure and a new place (Harir).
    new = A["erbil-plan-edited"]
    site.publish(
        "dijla", [edited(A["erbil-plan"], summary=new.summary, body=new.body), A["basra-dates"]]
    )
    report = mon.cycle()

    alerts = mon.alerts()
    assert report.alerts == 1 and len(alerts) == 2
    update = alerts[1]
    assert update["type"] == "story.update"
    assert update["follows"] == first["alert_id"] and update["story_id"] == first["story_id"]
    numbers = [c["number"]["value"] for c in update["claims"] if c["number"]]
    assert 900 in numbers

    # Nothing changes any more: no third alert.
    site.publish(
        "dijla",
        [
            edited(A["erbil-plan"], summary=new.summary, body=new.body),
            A["basra-dates"],
            A["mosul-library"],
        ],
    )
    assert mon.cycle().alerts == 0
    assert len(mon.alerts()) == 2


def test_a_windows_1256_feed_gives_correct_arabic_in_the_alert(
    server: HttpServer, site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    article = A["kurdistan-cp1256"]
    site.publish(
        "sham", [article, A["amman-rain"]], name="شبكة الشام الإخبارية", encoding="windows-1256"
    )
    mon = make_monitor(site.sources())

    mon.cycle(alert_on_first_run=True)

    feed = server.requests[0]
    assert feed.path == "/sham/feed.xml"
    (alert,) = mon.alerts()
    assert alert["title"] == article.title
    (outlet,) = alert["outlets"]
    assert outlet["name"] == "شبكة الشام الإخبارية"
    assert outlet["title"] == article.title
    assert alert["claims"], "the article's claims reach the alert"
    for claim in alert["claims"]:
        # the original Arabic (headline or body), decoded right
        assert claim["sentence"] in article.title or claim["sentence"] in article.body
    assert any("حرير" in t or "التحالف" in t for t in alert["terms"])


def test_the_windows_1256_feed_really_is_windows_1256(site: NewsSite, server: HttpServer) -> None:
    """Guard for the test above: the served bytes are not UTF-8."""
    import httpx

    site.publish("sham", [A["kurdistan-cp1256"]], encoding="windows-1256")
    body = httpx.get(server.url("/sham/feed.xml")).content
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert A["kurdistan-cp1256"].title in body.decode("windows-1256")


def test_items_over_the_per_cycle_page_cap_are_not_lost(
    server: HttpServer, site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    """``max_articles_per_cycle`` bounds the pages fetched per cycle; the rest waits, it is
    never marked seen unread (three relevant items, a cap of two, a feed that answers 304)."""
    relevant = [A["parliament-timetable"], A["erbil-plan"], A["kurdistan-cp1256"]]
    site.publish("dijla", [A["basra-dates"]])
    mon = make_monitor(site.sources(), source_options="max_articles_per_cycle = 2")
    mon.cycle()  # seeds
    site.publish("dijla", [A["basra-dates"], *relevant])

    first = mon.cycle()
    page_hits = sum(server.hits(f"/dijla/news/{a.id}") for a in relevant)
    assert first.articles == 2 and page_hits == 2
    mon.cycle()

    assert sorted(a["title"] for a in mon.alerts()) == sorted(a.title for a in relevant)
    assert all(server.hits(f"/dijla/news/{a.id}") == 1 for a in relevant)


# --------------------------------------------------------------------------- stories (issue 6)


def test_three_outlets_one_story_one_alert_then_one_update_for_a_new_figure(
    site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    site.publish("dijla", [A["victory-wire"], A["basra-dates"]], name="وكالة دجلة للأنباء")
    site.publish("gulf", [A["victory-gulf"], A["gulf-markets"]], name="الخليج اليوم", fmt="atom")
    site.publish("sham", [A["amman-rain"]], name="شبكة الشام", encoding="windows-1256")
    site.publish("zawraa", [A["mosul-library"]], name="الزوراء الجديدة")
    mon = make_monitor(site.sources())

    mon.cycle(alert_on_first_run=True)
    site.publish(
        "sham", [A["victory-levant"], A["amman-rain"]], name="شبكة الشام", encoding="windows-1256"
    )
    second = mon.cycle()

    alerts = mon.alerts()
    assert [a["type"] for a in alerts] == ["story.new"], [claims_of(a) for a in alerts]
    assert second.alerts == 0
    story = mon.rt.store.load_story(alerts[0]["story_id"])
    assert story is not None
    assert {m.source_id for m in story.members} == {"dijla", "gulf", "sham"}

    # A fourth outlet's copy adds a troop figure: exactly one update, following the first alert.
    site.publish("zawraa", [A["victory-figure"], A["mosul-library"]], name="الزوراء الجديدة")
    third = mon.cycle()

    alerts = mon.alerts()
    assert third.alerts == 1
    assert [a["type"] for a in alerts] == ["story.new", "story.update"]
    update = alerts[1]
    assert update["follows"] == alerts[0]["alert_id"]
    assert update["story_id"] == alerts[0]["story_id"]
    assert update["outlet_count"] == 4
    assert any(c["number"] and c["number"]["value"] == 350 for c in update["claims"])


def test_an_off_topic_withdrawal_gives_no_alert(
    site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    site.publish("dijla", [A["syria-factions"], A["basra-dates"]])
    mon = make_monitor(site.sources())

    report = mon.cycle(alert_on_first_run=True)

    assert report.articles == 2 and report.relevant == 0 and report.alerts == 0
    assert mon.alerts() == []


# --------------------------------------------------------------------------- timeline (issue 5)


def _timeline_json(config: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["--config", str(config), "timeline", "--json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return {m["id"]: m for m in data["milestones"]}


def test_a_completion_report_completes_the_milestone_and_a_later_still_planned_claim_conflicts(
    site: NewsSite, make_monitor: Callable[..., Monitor], capsys: pytest.CaptureFixture[str]
) -> None:
    site.publish("dijla", [A["phase-one-done"], A["basra-dates"]])
    mon = make_monitor(site.sources())
    mon.cycle(alert_on_first_run=True)
    (done,) = mon.alerts()
    assert ("phase-one-end", "completed") in {
        (c["timeline_event"], c["verdict"]) for c in done["claims"]
    }

    milestone = _timeline_json(mon.config_path, capsys)["phase-one-end"]
    assert milestone["status"] == "completed"
    assert milestone["completed_by"] == done["story_id"]

    site.publish("zawraa", [A["phase-one-still-planned"], A["mosul-library"]])
    mon.close()
    mon2 = make_monitor(site.sources())  # same state directory, one more outlet
    mon2.cycle(alert_on_first_run=True)  # a new source seeds unless asked to alert

    alerts = mon2.alerts()
    assert len(alerts) == 2
    later = alerts[1]
    assert later["type"] == "story.new" and later["story_id"] != done["story_id"]
    flagged = [
        c
        for c in later["claims"]
        if c["timeline_event"] == "phase-one-end" and c["verdict"] == "conflicting"
    ]
    assert flagged, claims_of(later)
    assert any("still ahead" in c["reason"] and done["story_id"] in c["reason"] for c in flagged)
    milestone = _timeline_json(mon2.config_path, capsys)["phase-one-end"]
    assert milestone["status"] == "completed"
    assert later["story_id"] in milestone["contradicting"]


# --------------------------------------------------------------------------- bugs found here
# Found while writing the tests above; they live in other helpers' modules, so they are kept as
# strict xfails (they start failing, loudly, once fixed). The analyser is a pure function: no
# server needed to show them.


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    config = default_config(Path("."))
    return Analyzer(config.rules, config.timeline)


def _findings(
    analyzer: Analyzer,
    title: str,
    body: str,
    published: str,
    milestones: dict[str, str] | None = None,
) -> tuple[Finding, ...]:
    result = analyzer.analyze(title, body, datetime.fromisoformat(published), milestones or {})
    assert result.relevance.relevant, result.relevance.terms
    return result.findings


def test_a_troop_figure_without_a_place_is_not_judged_against_syria(analyzer: Analyzer) -> None:
    findings = _findings(
        analyzer,
        "نقل مستشارين من التحالف الدولي إلى قاعدة حرير في أربيل",
        "أربيل - وكالة دجلة\n\nأعلنت قوات التحالف الدولي سحب عدد من مستشاريها من مطار أربيل"
        " ونقلهم إلى قاعدة حرير الجوية في إقليم كردستان.\n\nوقال مسؤول كردي إن نحو 300 مستشار"
        " وصلوا إلى القاعدة خلال الأسبوع الجاري.",
        "2026-02-02T09:00:00+03:00",
    )
    figures = [f for f in findings if f.claim.number and f.claim.number.value == 300]
    assert figures
    for f in figures:
        assert not (
            f.verdict.verdict == "conflicting" and f.verdict.timeline_event == "us-troops-syria"
        )


def test_a_negation_after_the_claim_does_not_deny_it(analyzer: Analyzer) -> None:
    findings = _findings(
        analyzer,
        "السفارة: انتهاء مهمة التحالف في بغداد لا يعني نهاية الشراكة",
        "بغداد - وكالة دجلة\n\nقالت السفارة الأمريكية في بغداد إن انتهاء مهمة التحالف الدولي في"
        " بغداد والأنبار لا يعني نهاية الشراكة الأمنية مع العراق، مؤكدة أن التعاون سيتواصل في"
        " مجالات التدريب.",
        "2026-01-19T09:00:00+03:00",
        {"phase-one-end": "story-x"},
    )
    ends = [f for f in findings if f.claim.kind == "mission_end"]
    assert ends
    assert all(not f.claim.negated and f.verdict.verdict != "conflicting" for f in ends)


def test_a_demand_for_a_timetable_is_not_an_agreement_dated_that_day(analyzer: Analyzer) -> None:
    article = A["parliament-timetable"]
    findings = _findings(analyzer, article.title, article.body, article.published.isoformat())
    assert all(f.verdict.verdict != "conflicting" for f in findings), [
        f.verdict.reason for f in findings
    ]


def test_a_source_with_nothing_to_analyse_is_recorded_as_it_lands_not_after_the_wave(
    server: HttpServer, site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    # A seeding source's entries and health are written while slower sources are still
    # being fetched: the slow feed answers only once the fast one's entries are stored.
    site.publish("dijla", [A["phase-one-done"], A["basra-dates"]])
    slow_url = server.url("/slow/feed.xml")
    mon = make_monitor([*site.sources(), ("slow", "بطيء", slow_url)], "first_wave_seconds = 60")
    seen_while_waiting: list[int] = []
    item = FeedItem("خبر", server.url("/slow/1"), datetime(2026, 1, 18, tzinfo=UTC), "نص")

    def slow_feed(_: Request) -> Response:
        reader = sqlite3.connect(f"file:{mon.rt.store.path}?mode=ro", uri=True)
        try:
            for _ in range(100):
                n = reader.execute("SELECT count(*) FROM entries WHERE source_id = 'dijla'")
                seen_while_waiting[:] = [n.fetchone()[0]]
                if seen_while_waiting[0]:
                    break
                time.sleep(0.05)
        finally:
            reader.close()
        return Response(200, rss("بطيء", slow_url, [item]), content_type="application/rss+xml")

    server.route("/slow/feed.xml", slow_feed)
    report = mon.cycle()
    assert report.sources_ok == 2 and report.seeded and report.alerts == 0
    assert seen_while_waiting == [2]
    assert mon.rt.store.count_entries() == 3


def test_an_article_is_processed_once_those_before_it_are_ready_not_after_every_page(
    server: HttpServer, site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    # The first wave goes in publication order, but an article does not wait for the pages
    # of later ones: the newer slow page is served only once the older article is stored.
    site.publish("dijla", [A["phase-one-done"]])
    slow_url = server.url("/slow/feed.xml")
    mon = make_monitor([*site.sources(), ("slow", "بطيء", slow_url)], "first_wave_seconds = 60")
    later = datetime(2026, 2, 1, tzinfo=UTC)
    item = FeedItem("خبر لاحق", server.url("/slow/page"), later, "نص")
    server.route(
        "/slow/feed.xml",
        Response(200, rss("بطيء", slow_url, [item]), content_type="application/rss+xml"),
    )
    stored_first: list[bool] = []

    def slow_page(_: Request) -> Response:
        reader = sqlite3.connect(f"file:{mon.rt.store.path}?mode=ro", uri=True)
        try:
            for _ in range(100):
                row = reader.execute(
                    "SELECT content_hash FROM entries WHERE source_id = 'dijla'"
                ).fetchone()
                stored_first[:] = [bool(row and row[0])]
                if stored_first[0]:
                    break
                time.sleep(0.05)
        finally:
            reader.close()
        return Response(200, b"<html><body><p>page</p></body></html>", content_type="text/html")

    server.route("/slow/page", slow_page)
    report = mon.cycle(alert_on_first_run=True)
    assert report.sources_ok == 2 and report.articles == 2
    assert stored_first == [True]
    assert [a["type"] for a in mon.alerts()] == ["story.new"]


def test_the_first_wave_keeps_publication_order_when_the_older_page_lands_last(
    server: HttpServer, site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    site.publish("dijla", [A["victory-wire"]])  # the first report of the story
    site.publish("gulf", [A["victory-gulf"]])  # a copy, two hours later
    wire = article_page(A["victory-wire"], "منفذ dijla")
    server.route(
        site.page_path("dijla", "victory-wire"),
        Response(200, wire, content_type="text/html; charset=utf-8", delay_s=1.0),
    )
    mon = make_monitor(site.sources())
    report = mon.cycle(alert_on_first_run=True)
    assert report.articles == 2 and report.stories_new == 1
    rows = mon.rt.store.conn.execute("SELECT source_id FROM entries ORDER BY rowid").fetchall()
    assert [r[0] for r in rows] == ["dijla", "gulf"]  # processed oldest first all the same


def test_a_source_seeds_on_its_first_good_fetch_not_on_the_first_cycle(
    site: NewsSite, make_monitor: Callable[..., Monitor]
) -> None:
    # The first cycle reaches no feed (the site is down); the next one must not alert on
    # the whole backlog: each source seeds on its own first successful fetch.
    site.publish("dijla", [A["phase-one-done"], A["basra-dates"]])
    sources = site.sources()
    down = [(i, name, url.replace("/dijla/", "/gone/")) for i, name, url in sources]
    mon = make_monitor(down)
    assert mon.cycle().sources_failed == len(down)
    mon.close()
    mon = make_monitor(sources)
    report = mon.cycle()
    assert report.seeded and report.alerts == 0 and mon.alerts() == []
    site.publish("dijla", [A["phase-one-done"], A["basra-dates"], A["victory-wire"]])
    mon.cycle()
    assert [a["type"] for a in mon.alerts()] == ["story.new"]
