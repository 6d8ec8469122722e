"""The web pages over a state made by the real demo cycle (Starlette's TestClient).

Each page answers 200 in Arabic, right to left, with the security headers; the stories page
filters by verdict, place (and the places inside it), period and words (clitics and letter
variants folded); a story shows its reports, marked claims and alerts; the timeline draws every
milestone and links each conflicting claim to its story; the outbox's POST actions need the
CSRF token and change the outbox; /healthz and /metrics answer as the daemon's did.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tests.support.web import client, demo_state

from monitor.config.load import Config
from monitor.models import Alert, StoryFilter
from monitor.pipeline.metrics import Metrics
from monitor.store import Store
from monitor.web.security import CSP, csrf_token

PAGES = ("/", "/timeline", "/sources", "/outbox")


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return demo_state(tmp_path_factory.mktemp("state"))


@pytest.fixture(scope="module")
def web(config: Config) -> TestClient:
    return client(config)


def _stories(config: Config, **flt: object) -> dict[str, str]:
    store = Store.open_readonly(config.state_dir)
    try:
        return {s.id: s.title for s in store.story_summaries(StoryFilter(**flt))}  # type: ignore[arg-type]
    finally:
        store.close()


def _story_links(html: str) -> list[str]:
    return re.findall(r'href="/story/([0-9a-f]+)"', html)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_arabic_right_to_left_with_strict_headers(web: TestClient, path: str) -> None:
    r = web.get(path)
    assert r.status_code == 200
    assert '<html lang="ar" dir="rtl">' in r.text
    assert r.headers["content-security-policy"] == CSP
    assert "script-src" not in CSP and "'unsafe-inline'" not in CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    # no script and no inline style anywhere: the CSP would block them, and we need none
    assert "<script" not in r.text.lower()
    assert " style=" not in r.text


def test_the_stylesheet_is_served_from_the_package(web: TestClient) -> None:
    r = web.get("/static/style.css")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/css")
    packaged = resources.files("monitor.web").joinpath("static", "style.css").read_text()
    assert r.text == packaged
    assert "@import" not in r.text and "url(" not in r.text  # nothing fetched from elsewhere


def test_stories_newest_first_with_badges_and_counts(web: TestClient, config: Config) -> None:
    html = web.get("/").text
    ids = _story_links(html)
    assert len(ids) == 7 == len(set(ids))
    assert ids == list(_stories(config))  # the store's order: last seen, then newest report
    assert html.count('class="badge v-conflicting"') == 3
    assert 'class="badge v-completed"' in html
    # the merged story: three outlets, nine claims, one update alert
    card = html[html.index("عين الأسد ومقر العمليات") :]
    card = card[: card.index("</li>")]
    facts = re.findall(r'<dd dir="ltr">(\d+)</dd>', card)
    assert facts == ["3", "3", "9", "1"]  # outlets, reports, claims, updates


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("verdict=conflicting", 3),
        ("verdict=completed", 1),
        ("place=harir", 1),  # the advisers moved to Harir
        ("place=kurdistan&verdict=conflicting", 2),  # Erbil is inside Kurdistan
        ("q=%D9%88%D8%A8%D8%A3%D8%B1%D8%A8%D9%8A%D9%84", 6),  # "وبأربيل": و + ب + أربيل
        (
            "q=%D8%A7%D9%84%D9%82%D8%A7%D8%B9%D8%AF%D8%A9+%D8%AD%D8%B1%D9%8A%D8%B1",
            1,
        ),  # القاعدة حرير
        ("period=day", 7),
        ("from=2999-01-01", 0),
        ("verdict=bogus&place=nowhere", 7),  # unknown values are ignored
    ],
)
def test_stories_filters(web: TestClient, query: str, expected: int) -> None:
    r = web.get(f"/?{query}")
    assert r.status_code == 200
    assert len(_story_links(r.text)) == expected, query


def test_period_counts_activity_not_publication(
    tmp_path: Path, config: Config, web: TestClient
) -> None:
    later = datetime.now(UTC) + timedelta(days=3)
    shifted = client(config, clock=lambda: later)
    assert len(_story_links(shifted.get("/?period=day").text)) == 0
    assert len(_story_links(shifted.get("/?period=week").text)) == 7


def test_a_story_shows_reports_marked_claims_and_alerts(web: TestClient, config: Config) -> None:
    merged = next(i for i, t in _stories(config).items() if "عين الأسد ومقر" in t)
    html = web.get(f"/story/{merged}").text
    assert html.count('class="outlet"') == 3
    assert html.count('rel="noopener noreferrer nofollow"') == 3
    assert "نُشر" in html  # every demo report has a publication time
    assert '<mark class="m-date">مساء الأحد</mark>' in html
    assert '<mark class="m-place">قاعدة عين الأسد</mark>' in html
    assert 'class="card claim v-completed"' in html
    assert 'href="/timeline#phase-one-end"' in html
    # the reason in both languages (alert_language "ar+en"), each date in an Arabic reason
    # isolated left to right as in the email (it read "09-2026" without)
    assert 'class="reason"' in html and 'lang="en" class="reason"' in html
    arabic = re.findall(r'<span dir="rtl" class="reason">(.*?)</span></dd>', html)
    assert arabic and any('<bdi dir="ltr"' in r for r in arabic)
    for reason in arabic:
        bare = re.sub(r"<bdi[^>]*>.*?</bdi>", "", reason)
        assert not re.search(r"\d{4}-\d{2}", bare), reason
    # alerts sent: the new story and its update, both on the console channel
    table = html[html.index("<tbody>", html.index("alerts_sent") if "alerts_sent" in html else 0) :]
    assert table.count('<bdi dir="ltr">console</bdi>') == 2
    assert table.count('class="status s-sent"') == 2


def test_a_number_is_marked(web: TestClient, config: Config) -> None:
    troops = next(i for i, t in _stories(config).items() if "خمسة آلاف" in t)
    html = web.get(f"/story/{troops}").text
    assert '<mark class="m-number">' in html
    assert 'class="card claim v-conflicting"' in html
    # the qualifier is part of the figure: "نحو 5,000" is not "5,000"
    assert re.search(r"<dd>نحو / about <bdi dir=\"ltr\">5,000</bdi>", html), html


def test_an_unknown_story_is_a_404_page(web: TestClient) -> None:
    r = web.get("/story/0123456789abcdef")
    assert r.status_code == 404
    assert 'dir="rtl"' in r.text


def test_timeline_draws_every_milestone_and_links_conflicts(
    web: TestClient, config: Config
) -> None:
    html = web.get("/timeline").text
    for chart in ("chart-wide", "chart-narrow"):
        svg = html[html.index(f'class="chart {chart}"') :]
        svg = svg[: svg.index("</svg>")]
        drawn = re.findall(r'data-milestone="([^"]+)"', svg)
        assert drawn == sorted(
            (e.id for e in config.timeline.events),
            key=lambda i: next((e.start, e.end, e.id) for e in config.timeline.events if e.id == i),
        )
        drawn_conflicts = re.findall(r'<a href="/story/(\w+)" class="dot-link v-conflicting"', svg)
        undated = re.findall(r'<a href="/story/(\w+)" class="conflict-link"', html)
        # every conflicting story links from the chart (a dated claim) or the list below it
        assert set(drawn_conflicts) | set(undated) == set(_stories(config, verdict="conflicting"))
        assert len(set(drawn_conflicts)) >= 2
    # a completed milestone (reported by the merged story) and an overdue one
    assert 'data-milestone="phase-one-end"' in html
    assert re.search(r'class="lane st-completed" data-milestone="phase-one-end"', html)
    assert re.search(r'class="lane st-overdue" data-milestone="erbil-mission-end"', html)
    # the table beside it
    assert html.count('<tr id="') == len(config.timeline.events)


def test_timeline_all_years_starts_at_the_first_milestone(web: TestClient) -> None:
    html = web.get("/timeline?range=all").text
    assert ">2011<" in html


def test_sources_page_lists_health_per_source(web: TestClient, config: Config) -> None:
    html = web.get("/sources").text
    for source in config.sources:
        assert source.name in html
    assert html.count('class="status src-ok"') == len(config.sources)
    # page fetches: each count beside its own word, never a bare "6 / 0" pair
    assert re.search(r'<bdi dir="ltr">\d+</bdi> نجح[^،]*، <bdi dir="ltr">0</bdi> فشل', html)


def test_sources_page_lists_operator_alerts(tmp_path: Path) -> None:
    config = demo_state(tmp_path)
    store = Store.open(config.state_dir, lock=False)
    alert = Alert(
        id="op-1",
        kind="operator",
        title="المصدر متوقف: rafidain",
        created_at=datetime.now(UTC),
        text="fetch failed 5 times in a row: connection refused",
    )
    store.enqueue_alert(alert, [])
    store.close()
    html = client(config).get("/sources").text
    assert "المصدر متوقف: rafidain" in html
    assert "connection refused" in html


def test_outbox_retry_needs_the_token_and_requeues(tmp_path: Path) -> None:
    config = demo_state(tmp_path)
    store = Store.open(config.state_dir, lock=False)
    row = store.outbox_rows("sent")[0]
    store.mark_dead(row.id, "gave up", datetime.now(UTC), attempted=True)
    store.close()
    web = client(config)
    page = web.get("/outbox").text
    assert f'name="id" value="{row.id}"' in page
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert token is not None

    refused = web.post("/outbox/retry", data={"id": str(row.id), "csrf": "forged"})
    assert refused.status_code == 403
    assert _status(config, row.id) == "dead"

    done = web.post(
        "/outbox/retry", data={"id": str(row.id), "csrf": token.group(1)}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/outbox?done=queued_note"
    assert _status(config, row.id) == "pending"
    again = web.post("/outbox/retry", data={"id": "999999", "csrf": token.group(1)})
    assert "retry_refused" in str(again.url)


def test_send_digest_now_bundles_what_waits(tmp_path: Path) -> None:
    config = demo_state(tmp_path)
    store = Store.open(config.state_dir, lock=False)
    alert = store.get_alert(store.outbox_rows("sent")[0].alert_id)
    assert alert is not None
    held = Alert(id="held-1", kind="new_story", title="خبر", created_at=datetime.now(UTC))
    store.enqueue_alert(held, [("console", "digest")])
    store.close()
    ctx_client = client(config)
    page = ctx_client.get("/outbox").text
    assert 'name="channel" value="console"' in page
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    r = ctx_client.post("/outbox/digest", data={"channel": "console", "csrf": token})
    assert "queued_note" in str(r.url)
    store = Store.open(config.state_dir, lock=False)
    try:
        assert store.digest_queue("console") == []
        digests = [d for d in store.outbox_rows("pending") if d.alert_kind == "digest"]
        assert len(digests) == 1
    finally:
        store.close()
    r = ctx_client.post("/outbox/digest", data={"channel": "console", "csrf": token})
    assert "no_digest" in str(r.url)


def test_the_token_is_per_process(config: Config) -> None:
    a = client(config).get("/outbox").text
    b = client(config).get("/outbox").text
    tokens = [re.search(r'name="csrf" value="([0-9a-f]+)"', t) for t in (a, b)]
    # no form when nothing is due; the token is still derived from a fresh key per context
    assert csrf_token(b"k1") != csrf_token(b"k2")
    assert all(t is None for t in tokens) or tokens[0] != tokens[1]


def test_healthz_and_metrics(config: Config) -> None:
    metrics = Metrics()
    metrics.cycles.labels("ok").inc()
    up = client(
        config, healthy=lambda: (True, "ok: last good cycle 1.0 minutes ago"), metrics=metrics
    )
    assert up.get("/healthz").status_code == 200
    body = up.get("/metrics")
    assert body.status_code == 200
    assert 'monitor_cycles_total{outcome="ok"} 1.0' in body.text
    down = client(config, healthy=lambda: (False, "no good cycle yet"))
    r = down.get("/healthz")
    assert r.status_code == 503 and r.text == "no good cycle yet\n"
    assert down.get("/metrics").status_code == 404  # monitor serve: the daemon counts


def test_labels_follow_alert_language(config: Config) -> None:
    arabic = client(replace(config, alert_language="ar")).get("/").text
    english = client(replace(config, alert_language="en")).get("/").text
    assert "Stories" not in arabic and "القصص" in arabic
    assert '<bdi dir="ltr" lang="en">Stories</bdi>' in english
    assert 'dir="rtl"' in english  # the content is Arabic whatever the labels


def _status(config: Config, delivery_id: int) -> str:
    store = Store.open_readonly(config.state_dir)
    try:
        return next(d.status for d in store.outbox_rows() if d.id == delivery_id)
    finally:
        store.close()
