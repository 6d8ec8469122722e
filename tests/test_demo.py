"""``monitor demo``: the bundled demo set through the real pipeline, checked against its manifest.

One run goes through ``main(["demo"])`` exactly as a user types it (stdout checked with capsys).
A second run, ``main(["demo", "--config", FILE])`` with a webhook channel that takes every
verdict at once, gives the alerts as data (its JSON-Lines archive must stay untouched); each alert's claims are credited to its last outlet
(the article that made the story new, or the copy that triggered the update).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from tests.support.feeds import read_alerts
from tests.support.webhook_receiver import WebhookReceiver

from monitor.cli import main

MANIFEST: dict[str, Any] = json.loads(
    (resources.files("monitor") / "demo" / "manifest.json").read_text(encoding="utf-8")
)
ITEMS: dict[str, dict[str, Any]] = {i["path"]: i for i in MANIFEST["items"]}
ARABIC = re.compile(r"[\u0621-\u064a]{3,}")
SUMMARY = re.compile(
    r"^cycle: sources_ok=(\d+) sources_failed=(\d+) articles=(\d+) relevant=(\d+) "
    r"stories_new=(\d+) stories_updated=(\d+) alerts=(\d+) deliveries_ok=(\d+) "
    r"deliveries_failed=(\d+) seeded=(True|False) seconds=[\d.]+$"
)


@dataclass(frozen=True)
class DemoRun:
    code: int
    out: str
    err: str
    alerts: list[dict[str, Any]]
    tmp: Path

    def item_paths(self, alert: dict[str, Any]) -> list[str]:
        return [urlsplit(o["url"]).path for o in alert["outlets"]]

    def alerts_with(self, path: str) -> list[dict[str, Any]]:
        return [a for a in self.alerts if path in self.item_paths(a)]

    def claims_by(self, path: str) -> list[dict[str, Any]]:
        """The claims of the alerts this item caused (it is their last outlet)."""
        return [c for a in self.alerts if self.item_paths(a)[-1:] == [path] for c in a["claims"]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """``monitor demo --config FILE`` with a webhook and a JSON-Lines archive configured."""
    tmp = tmp_path_factory.mktemp("demo")
    config = tmp / "channels.toml"
    every = 'immediate = ["conflicting", "completed", "new", "consistent"]\ndigest = []\n'
    with WebhookReceiver() as hook:
        config.write_text(
            f'[[channels]]\nname = "log"\ntype = "jsonl"\npath = "alerts.jsonl"\n{every}'
            f'[[channels]]\nname = "hook"\ntype = "webhook"\nurl = "{hook.url}"\n{every}',
            encoding="utf-8",
        )
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["demo", "--config", str(config)])
        payloads = [json.loads(r.body) for r in hook.requests]
    alerts = [p for p in payloads if p["type"] in ("story.new", "story.update")]
    yield DemoRun(code, out.getvalue(), err.getvalue(), alerts, tmp)


def test_demo_alerts_are_marked_and_never_archived(demo: DemoRun) -> None:
    assert demo.alerts and all(a["demo"] is True for a in demo.alerts)
    assert not (demo.tmp / "alerts.jsonl").exists()  # the configured archive stays untouched
    assert read_alerts(demo.tmp) == []
    assert "demo: channel 'log' (jsonl) skipped" in demo.out
    assert "■ [تجريبي / DEMO] [" in demo.out  # the console headings are marked too


def _items(*, intent: str | None = None, prefix: str | None = None) -> Iterator[Any]:
    for item in MANIFEST["items"]:
        if (intent and item["intent"] == intent) or (prefix and item["intent"].startswith(prefix)):
            yield pytest.param(item, id=item["id"])


# --------------------------------------------------------------------------- as a user sees it


def test_demo_exits_0_prints_arabic_alerts_then_one_summary_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["demo"])

    out, err = capsys.readouterr()
    assert code == 0
    assert "Traceback" not in err
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[0].startswith("demo: serving 3 bundled feeds at http://127.0.0.1:")
    match = SUMMARY.match(lines[-1])
    assert match, lines[-1]
    assert [line for line in lines if line.startswith("cycle: ")] == [lines[-1]]
    ok, failed, articles, relevant = (int(match.group(i)) for i in range(1, 5))
    alerts, delivered = int(match.group(7)), int(match.group(8))
    assert (ok, failed) == (3, 0)
    assert articles == len(MANIFEST["items"])
    assert relevant == sum(i["relevant"] for i in MANIFEST["items"])
    assert match.group(10) == "False"  # the demo alerts on its first run
    assert alerts >= 1 and delivered >= 1
    headings = [line for line in lines if line.startswith("■ ")]
    assert len(headings) == delivered  # only the console channel: one heading per delivery
    assert all(ARABIC.search(h) for h in headings)
    titles = {i["title"] for i in MANIFEST["items"] if i["relevant"]}
    assert any(t in out for t in titles)  # verbatim, so decoded right (windows-1256 included)
    assert "\ufffd" not in out and "Ø" not in out


def test_demo_with_a_config_runs_the_same_cycle(demo: DemoRun) -> None:
    assert demo.code == 0, demo.err
    assert "Traceback" not in demo.err
    assert SUMMARY.match(demo.out.strip().splitlines()[-1])
    assert demo.alerts, "the webhook channel of --config FILE got the alerts"


# --------------------------------------------------------------------------- against the manifest


@pytest.mark.parametrize("item", [*_items(prefix="offtopic-"), *_items(intent="unrelated")])
def test_off_topic_and_unrelated_items_give_no_alert(demo: DemoRun, item: dict[str, Any]) -> None:
    assert not item["relevant"]
    assert demo.alerts_with(item["path"]) == []
    assert item["title"] not in demo.out


def test_every_relevant_story_of_the_manifest_alerts(demo: DemoRun) -> None:
    stories = {i["story"] for i in MANIFEST["items"] if i["relevant"]}
    alerted = {ITEMS[p]["story"] for a in demo.alerts for p in demo.item_paths(a)}
    assert alerted == stories


def test_a_conflicting_verdict_shows_in_the_demo(demo: DemoRun) -> None:
    assert any(c["verdict"] == "conflicting" for a in demo.alerts for c in a["claims"])
    assert "متعارض / conflicting" in demo.out


@pytest.mark.parametrize("item", list(_items(intent="conflicting")))
def test_each_conflicting_item_gets_a_conflicting_verdict(
    demo: DemoRun, item: dict[str, Any]
) -> None:
    verdicts = [(c["verdict"], c["timeline_event"]) for c in demo.claims_by(item["path"])]
    assert any(v == "conflicting" for v, _ in verdicts), verdicts


NOT_CONFLICTING: dict[str, str] = {}  # item id -> reason for a strict xfail


def _agreeing_params() -> list[Any]:
    out = []
    for intent in ("consistent", "new"):
        for param in _items(intent=intent):
            (item,) = param.values
            reason = NOT_CONFLICTING.get(item["id"])
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(item, id=item["id"], marks=marks))
    return out


@pytest.mark.parametrize("item", _agreeing_params())
def test_consistent_and_new_items_get_no_conflicting_verdict(
    demo: DemoRun, item: dict[str, Any]
) -> None:
    claims = demo.claims_by(item["path"])
    assert claims, "the item alerted"
    assert [c["reason"][:90] for c in claims if c["verdict"] == "conflicting"] == []


def test_the_completed_story_is_reported_as_completed(demo: DemoRun) -> None:
    paths = [p for p, i in ITEMS.items() if i["intent"] == "completed"]
    claims = [c for p in paths for c in demo.claims_by(p) if c["timeline_event"] == "phase-one-end"]
    # The story that completes the milestone says "completed"; if another article already
    # completed it in the same cycle, the story's claims confirm it is completed.
    assert any(
        c["verdict"] == "completed"
        or (c["verdict"] == "consistent" and "is completed" in c["reason"])
        for c in claims
    ), [(c["verdict"], c["reason"][:80]) for c in claims]
    assert "مكتمل / completed" in demo.out or "is completed" in demo.out


SHARED = [p for p, i in ITEMS.items() if i["story"] == "phase-one-complete"]


def test_the_three_copies_of_the_shared_story_give_one_new_story_alert(demo: DemoRun) -> None:
    assert len(SHARED) == 3
    alerts = [a for a in demo.alerts if set(demo.item_paths(a)) & set(SHARED)]
    assert len({a["story_id"] for a in alerts}) == 1, [demo.item_paths(a) for a in alerts]
    assert [a["type"] for a in alerts].count("story.new") == 1


def test_no_alert_mixes_two_stories_of_the_manifest(demo: DemoRun) -> None:
    for alert in demo.alerts:
        labels = {ITEMS[p]["story"] for p in demo.item_paths(alert)}
        assert len(labels) == 1, (alert["title"], labels)


def test_the_copies_of_the_completion_report_do_not_contradict_it(demo: DemoRun) -> None:
    paths = [p for p, i in ITEMS.items() if i["story"] == "phase-one-complete"]
    conflicting = [
        (ITEMS[p]["id"], c["reason"][:90])
        for p in paths
        for c in demo.claims_by(p)
        if c["timeline_event"] == "phase-one-end" and c["verdict"] == "conflicting"
    ]
    assert conflicting == []


def test_demo_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's state lives in a temporary directory, not in the working directory."""
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo"]) == 0
    assert list(tmp_path.iterdir()) == []
