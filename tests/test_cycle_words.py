"""What a cycle tells its user (issue 14, point 5), on real local servers.

A first run that seeds says so in one line; the article pages of each source are counted
(``monitor status``, ``--json``) and logged as one line per source per cycle, not one per page;
two update alerts of one story in one cycle reach the channels as one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from tests.support.feeds import NewsSite, load_articles, read_alerts, write_config
from tests.support.httpserver import HttpServer, Response

from monitor.alerts.compose import merge_updates
from monitor.cli import main
from monitor.config.load import load_config
from monitor.models import Alert
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.store import Store, utcnow

A = load_articles()


@pytest.fixture
def site(server: HttpServer) -> NewsSite:
    return NewsSite(server)


@pytest.fixture
def runtime(tmp_path: Path, site: NewsSite) -> Iterator[Callable[[], Runtime]]:
    """A runtime over every outlet published before the first use (see each test)."""
    made: list[Runtime] = []

    def make() -> Runtime:
        config = load_config(write_config(tmp_path, site.sources()))
        rt = Runtime(config=config, store=Store.open(config.state_dir))
        made.append(rt)
        return rt

    yield make
    for rt in made:
        rt.store.close()


# --------------------------------------------------------------------------- first run


def test_a_first_run_that_seeds_says_so_in_one_line(
    tmp_path: Path, site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site.publish("dijla", [A["parliament-timetable"], A["basra-dates"]])
    site.publish("gulf", [A["erbil-plan"]], fmt="atom")
    config = write_config(tmp_path, site.sources())

    assert main(["--config", str(config), "once"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "first run: 3 items marked as seen, no alerts; they stay seen"
        " (to alert on them, run on an empty state with `--alert-on-first-run`)"
    )
    assert out[1].startswith("cycle: ") and len(out) == 2

    # The next cycle is not a first run: no such line.
    site.publish("dijla", [A["parliament-timetable"], A["basra-dates"], A["mosul-library"]])
    assert main(["--config", str(config), "once"]) == 0
    assert not any("marked as seen" in line for line in capsys.readouterr().out.splitlines())

    # The flag after the fact cannot bring the seeded items back, and says so.
    assert main(["--config", str(config), "once", "--alert-on-first-run"]) == 0
    err = capsys.readouterr().err
    assert "--alert-on-first-run: dijla, gulf fetched before" in err and "stays seen" in err


def test_a_source_added_later_says_it_seeded_by_name(
    tmp_path: Path, site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site.publish("dijla", [A["basra-dates"]])
    config = write_config(tmp_path, site.sources())
    assert main(["--config", str(config), "once"]) == 0
    capsys.readouterr()

    site.publish("gulf", [A["erbil-plan"], A["gulf-markets"]], fmt="atom")
    site.publish("dijla", [A["basra-dates"], A["parliament-timetable"]])
    config = write_config(tmp_path, site.sources())
    assert main(["--config", str(config), "once"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "first fetch of gulf: 2 items marked as seen there, no alerts for them; they stay seen"
        " (to alert on them, run on an empty state with `--alert-on-first-run`)"
    )
    assert [a["title"] for a in read_alerts(tmp_path)] == [A["parliament-timetable"].title]


def test_alerting_on_the_first_run_prints_no_seeding_line(
    tmp_path: Path, site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site.publish("dijla", [A["parliament-timetable"]])
    config = write_config(tmp_path, site.sources())

    assert main(["--config", str(config), "once", "--alert-on-first-run"]) == 0

    assert "marked as seen" not in capsys.readouterr().out


# --------------------------------------------------------------------------- page fetches


def test_a_source_whose_pages_all_fail_shows_it_in_status(
    tmp_path: Path, site: NewsSite, server: HttpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    site.publish("dijla", [A["basra-dates"]])
    site.publish("gulf", [A["gulf-markets"]], fmt="atom")
    config = write_config(tmp_path, site.sources(), monitor='log_format = "json"')
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('log_level = "error"', 'log_level = "info"'), encoding="utf-8")
    assert main(["--config", str(config), "once"]) == 0  # seeds

    site.publish("dijla", [A["basra-dates"], A["parliament-timetable"], A["erbil-plan"]])
    site.publish("gulf", [A["gulf-markets"], A["mosul-library"], A["amman-rain"]], fmt="atom")
    for article in ("mosul-library", "amman-rain"):  # gulf's feed is fine, its pages are not
        server.route(f"/gulf/news/{article}", Response(403, b"forbidden"))
    capsys.readouterr()
    assert main(["--config", str(config), "once"]) == 0

    # One line per source for its pages, whatever their number.
    log = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    page_lines = [r for r in log if r["event"].startswith("page fetch")]
    by_source = {r["source_id"]: r for r in page_lines}
    assert len(page_lines) == 2 and set(by_source) == {"dijla", "gulf"}
    assert by_source["dijla"]["level"] == "info"
    assert (by_source["dijla"]["ok"], by_source["dijla"]["failed"]) == (2, 0)
    gulf = by_source["gulf"]
    assert gulf["level"] == "warning" and (gulf["ok"], gulf["failed"]) == (0, 2)
    assert "HTTP 403" in gulf["first_error"]

    capsys.readouterr()
    assert main(["--config", str(config), "status", "--json"]) == 0
    sources = {s["id"]: s for s in json.loads(capsys.readouterr().out)["sources"]}
    assert sources["gulf"]["state"] == "ok, pages failing"
    assert sources["gulf"]["pages"]["ok"] == 0 and sources["gulf"]["pages"]["failed"] == 2
    assert "403" in sources["gulf"]["pages"]["first_error"]
    assert sources["dijla"]["state"] == "ok"
    assert sources["dijla"]["pages"]["ok"] == 2 and sources["dijla"]["pages"]["failed"] == 0

    assert main(["--config", str(config), "status"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert "pages ok/failed" in table[2]
    gulf_row = next(line for line in table if line.startswith("gulf "))
    assert "ok, pages failing" in gulf_row and " 0/2 " in gulf_row and "page: " in gulf_row
    dijla_row = next(line for line in table if line.startswith("dijla "))
    assert " 2/0 " in dijla_row


def test_page_counts_stay_from_the_last_fetch_that_asked_for_pages(
    site: NewsSite, server: HttpServer, runtime: Callable[[], Runtime]
) -> None:
    site.publish("dijla", [A["basra-dates"]])
    rt = runtime()
    run_cycle(rt)  # seeds: no page asked for
    assert rt.store.get_health("dijla").pages is None

    site.publish("dijla", [A["basra-dates"], A["parliament-timetable"]])
    server.route("/dijla/news/parliament-timetable", Response(500, b"oops"))
    (outcome,) = run_cycle(rt).sources
    assert (outcome.pages.ok, outcome.pages.failed) == (0, 1)

    run_cycle(rt)  # 304: no page fetched, the counts stay
    pages = rt.store.get_health("dijla").pages
    assert pages is not None and (pages.ok, pages.failed) == (0, 1) and pages.first_error
    rt.metrics.page_fetches.labels("dijla", "failed")  # the counter exists per source
    assert (
        rt.metrics.registry.get_sample_value(
            "monitor_page_fetches_total", {"source": "dijla", "result": "failed"}
        )
        == 1
    )


# --------------------------------------------------------------------------- updates


def test_two_updates_of_one_story_in_one_cycle_become_one_alert(
    tmp_path: Path, site: NewsSite, runtime: Callable[[], Runtime]
) -> None:
    site.publish("dijla", [A["victory-wire"], A["basra-dates"]], name="وكالة دجلة للأنباء")
    site.publish("zawraa", [A["mosul-library"]], name="الزوراء الجديدة")
    site.publish("rafidain", [A["amman-rain"]], name="الرافدين نيوز")
    rt = runtime()
    run_cycle(rt, alert_on_first_run=True)
    (first,) = read_alerts(tmp_path)

    # Two outlets, one cycle: each adds its own figure (350 advisers left; 120 went to Harir).
    site.publish("zawraa", [A["victory-figure"], A["mosul-library"]], name="الزوراء الجديدة")
    site.publish("rafidain", [A["victory-harir"], A["amman-rain"]], name="الرافدين نيوز")
    report = run_cycle(rt)

    alerts = read_alerts(tmp_path)
    assert [a["type"] for a in alerts] == ["story.new", "story.update"]
    assert report.alerts == 1 and report.stories_updated == 1
    update = alerts[1]
    assert update["follows"] == first["alert_id"] and update["story_id"] == first["story_id"]
    assert update["outlet_count"] == 3
    numbers = {c["number"]["value"] for c in update["claims"] if c["number"]}
    assert numbers == {350, 120}  # what each copy added, in one message
    # The merged alert is the one in the outbox, once per channel.
    rows = rt.store.outbox_rows()
    assert sorted(r.alert_kind or "" for r in rows) == ["new_story", "story_update"]


def test_an_update_already_tried_by_a_channel_is_not_rewritten(
    runtime: Callable[[], Runtime], site: NewsSite
) -> None:
    """The merge happens only while no channel has tried the queued update."""
    site.publish("dijla", [A["basra-dates"]])
    rt = runtime()
    store = rt.store
    queued = _update("u1", "s1")
    with store.transaction():
        store.enqueue_alert(queued, [("log", "now")])
    merged = merge_updates(queued, replace(queued, id="u2"))
    (row,) = store.outbox_rows()
    with store.transaction():
        store.mark_failed(row.id, "timeout", utcnow(), utcnow())
        assert not store.rewrite_unsent_alert(merged, [("log", "now")])
    assert store.get_alert("u1") == queued


def _update(alert_id: str, story_id: str) -> Alert:
    return Alert(
        id=alert_id, kind="story_update", title="t", created_at=utcnow(), story_id=story_id
    )


def test_alerts_held_for_the_digest_are_counted_in_the_summary(
    tmp_path: Path, site: NewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    """``alerts=1 deliveries_ok=0`` alone reads as a lost alert: the summary says the
    channel's digest holds it."""
    site.publish("dijla", [A["parliament-timetable"]])
    digest_only = (
        '[[channels]]\nname = "desk"\ntype = "console"\nimmediate = []\n'
        'digest = ["conflicting", "completed", "new", "consistent"]\n'
    )
    config = write_config(tmp_path, site.sources(), extra=digest_only)
    assert main(["--config", str(config), "once", "--alert-on-first-run"]) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    fields = dict(kv.split("=") for kv in summary.removeprefix("cycle: ").split())
    assert int(fields["alerts"]) >= 1
    assert int(fields["held_for_digest"]) == int(fields["alerts"])  # one per alert: one channel
