"""Commands users expect (issue 14, point 6), on real local servers.

``monitor once --dry-run`` shows what would alert and leaves the state as it was;
``monitor digest send [--channel NAME]`` sends what waits for a digest now;
``monitor sources import FILE.opml`` prints ``[[sources]]`` for a feed reader's export.
"""

from __future__ import annotations

import json
import sqlite3
import tomllib
from pathlib import Path

import pytest
from tests.support.feeds import NewsSite, load_articles, read_alerts, write_config
from tests.support.httpserver import HttpServer
from tests.support.webhook_receiver import WebhookReceiver

from monitor.cli import main
from monitor.store import Store, utcnow

A = load_articles()


@pytest.fixture
def site(server: HttpServer) -> NewsSite:
    return NewsSite(server)


def _dump(state: Path) -> list[str]:
    """Every row of the state database, as SQL (the logical content, not the file)."""
    conn = sqlite3.connect(f"{(state / 'monitor.db').as_uri()}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _webhook(receiver: WebhookReceiver) -> str:
    return (
        '[[channels]]\nname = "hook"\ntype = "webhook"\n'
        f'url = "{receiver.url}"\nimmediate = ["conflicting", "completed", "new"]\n'
        'digest = ["consistent"]\n'
    )


# --------------------------------------------------------------------------- once --dry-run


def test_dry_run_shows_what_would_alert_and_changes_nothing(
    tmp_path: Path,
    site: NewsSite,
    server: HttpServer,
    receiver: WebhookReceiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site.publish("dijla", [A["basra-dates"]], name="وكالة دجلة")
    config = write_config(tmp_path, site.sources(), extra=_webhook(receiver))
    assert main(["--config", str(config), "once"]) == 0  # seeds
    site.publish("dijla", [A["basra-dates"], A["erbil-plan"]], name="وكالة دجلة")
    state = tmp_path / "state"
    before = _dump(state)
    files_before = sorted(p.name for p in state.iterdir())
    capsys.readouterr()
    server.reset()

    assert main(["--config", str(config), "once", "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "would alert → log (now), hook (" in out
    assert A["erbil-plan"].title in out
    assert "alerts=1" in out
    assert out.rstrip().endswith(
        "dry run: 1 alert would be sent; nothing was delivered or recorded (the state is as it was)"
    )
    assert server.hits("/dijla/news/erbil-plan") == 1  # really fetched and analysed
    # Nothing delivered, nothing recorded: the state is as it was, row for row.
    assert read_alerts(tmp_path) == [] and receiver.requests == []
    assert _dump(state) == before
    assert sorted(p.name for p in state.iterdir()) == files_before

    # The real cycle after it still sees the article as new, and alerts.
    assert main(["--config", str(config), "once"]) == 0
    assert [a["title"] for a in read_alerts(tmp_path)] == [A["erbil-plan"].title]


def test_dry_run_on_an_empty_state_creates_no_state(
    tmp_path: Path, site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site.publish("dijla", [A["erbil-plan"], A["basra-dates"]])
    config = write_config(tmp_path, site.sources())

    assert main(["--config", str(config), "once", "--dry-run", "--alert-on-first-run"]) == 0

    out = capsys.readouterr().out
    assert A["erbil-plan"].title in out and "dry run: 1 alert would be sent" in out
    assert not (tmp_path / "state" / "monitor.db").exists()


def test_dry_run_works_beside_a_running_daemon(
    tmp_path: Path, site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    """It takes no lock on the real state: a daemon holding it does not stop a dry run."""
    site.publish("dijla", [A["basra-dates"]])
    config = write_config(tmp_path, site.sources())
    held = Store.open(tmp_path / "state")  # what `monitor run` holds while it runs
    try:
        assert main(["--config", str(config), "once"]) == 1  # the real one is refused
        assert "in use" in capsys.readouterr().err
        assert main(["--config", str(config), "once", "--dry-run"]) == 0
    finally:
        held.close()


# --------------------------------------------------------------------------- digest send

DESK = """
[[channels]]
name = "desk"
type = "jsonl"
path = "desk.jsonl"
immediate = []
digest = ["conflicting", "completed", "new", "consistent"]
digest_at = "08:00"
"""


def _desk_lines(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "desk.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _held_for_the_desk(tmp_path: Path, site: NewsSite) -> Path:
    site.publish("dijla", [A["erbil-plan"], A["parliament-timetable"], A["basra-dates"]])
    config = write_config(tmp_path, site.sources(), extra=DESK)
    assert main(["--config", str(config), "once", "--alert-on-first-run"]) == 0
    assert len(read_alerts(tmp_path)) == 2 and _desk_lines(tmp_path) == []  # held
    return config


def test_digest_send_sends_what_is_held_now(
    tmp_path: Path, site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _held_for_the_desk(tmp_path, site)
    capsys.readouterr()

    assert main(["--config", str(config), "digest", "send", "--channel", "desk"]) == 0

    assert capsys.readouterr().out == "digest for desk (2 alerts): sent\n"
    (digest,) = _desk_lines(tmp_path)
    assert digest["type"] == "digest"
    titles = {a["title"] for a in digest["alerts"]}  # type: ignore[union-attr]
    assert titles == {A["erbil-plan"].title, A["parliament-timetable"].title}
    store = Store.open(tmp_path / "state", lock=False)
    try:
        assert store.digest_queue("desk") == []
        statuses = sorted(d.status for d in store.outbox_rows() if d.channel == "desk")
        assert statuses == ["bundled", "bundled", "sent"]
    finally:
        store.close()

    # Nothing held any more: it says so, and sends nothing.
    assert main(["--config", str(config), "digest", "send"]) == 0
    assert capsys.readouterr().out == "digest: nothing is held for the digest of any channel\n"
    assert len(_desk_lines(tmp_path)) == 1


def test_digest_send_beside_a_running_daemon_queues_it_for_the_daemon(
    tmp_path: Path, site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _held_for_the_desk(tmp_path, site)
    capsys.readouterr()
    held = Store.open(tmp_path / "state")  # the daemon's lock
    try:
        assert main(["--config", str(config), "digest", "send"]) == 0
        out = capsys.readouterr().out
        assert out == (
            "digest for desk (2 alerts): queued; the running daemon sends it within a minute\n"
        )
        assert _desk_lines(tmp_path) == []
        (row,) = [d for d in held.due_deliveries(utcnow()) if d.channel == "desk"]
        assert row.alert_kind == "digest"
    finally:
        held.close()


def test_digest_send_names_an_unknown_channel(
    tmp_path: Path, site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _held_for_the_desk(tmp_path, site)
    capsys.readouterr()

    assert main(["--config", str(config), "digest", "send", "--channel", "nope"]) == 1

    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no channel 'nope'" in err and "desk" in err


# --------------------------------------------------------------------------- sources import

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>اشتراكاتي</title></head>
  <body>
    <outline text="العراق" title="العراق">
      <outline type="rss" text="وكالة الرافدين" xmlUrl="https://www.rafidain-news.example/rss.xml"
               htmlUrl="https://www.rafidain-news.example/"/>
      <outline type="rss" text="Baghdad &quot;Today&quot;" xmlUrl="https://baghdad.example/feed"/>
      <outline type="rss" title="Baghdad Today" xmlUrl="https://baghdad.example/other-feed"/>
    </outline>
    <outline type="rss" text="وكالة الرافدين" xmlUrl="https://www.rafidain-news.example/rss.xml"/>
    <outline type="rss" text="Local file" xmlUrl="file:///etc/passwd"/>
  </body>
</opml>
"""


def test_sources_import_prints_sources_the_config_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = tmp_path / "subscriptions.opml"
    opml.write_text(OPML, encoding="utf-8")

    assert main(["sources", "import", str(opml)]) == 0

    toml_text = capsys.readouterr().out
    data = tomllib.loads(toml_text)
    assert data["sources"] == [
        {
            "id": "rafidain-news",
            "name": "وكالة الرافدين",
            "url": "https://www.rafidain-news.example/rss.xml",
        },
        {"id": "baghdad-today", "name": 'Baghdad "Today"', "url": "https://baghdad.example/feed"},
        {
            "id": "baghdad-today-2",
            "name": "Baghdad Today",
            "url": "https://baghdad.example/other-feed",
        },
    ]
    assert "# العراق" in toml_text
    assert "# skipped, not an http(s) URL: file:///etc/passwd" in toml_text
    # Pasted under a [monitor] table, it is a config that loads.
    config = tmp_path / "monitor.toml"
    config.write_text('[monitor]\nstate_dir = "state"\n\n' + toml_text, encoding="utf-8")
    assert main(["--config", str(config), "check-config"]) == 0


@pytest.mark.parametrize(
    ("content", "why"),
    [
        pytest.param("<opml><body><outline text='x'", "bad XML at line 1", id="not-xml"),
        pytest.param("<rss><channel/></rss>", "no <opml> document", id="rss-not-opml"),
        pytest.param("<opml><body><outline text='folder'/></body></opml>", "no feeds", id="empty"),
    ],
)
def test_sources_import_of_a_bad_file_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, why: str
) -> None:
    opml = tmp_path / "bad.opml"
    opml.write_text(content, encoding="utf-8")

    assert main(["sources", "import", str(opml)]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"monitor: {opml}: ") and why in line


def test_sources_import_of_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sources", "import", str(tmp_path / "nope.opml")]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "nope.opml: cannot read" in line
