"""Commands as a user meets them (issue 14): `monitor story`, `outbox retry` explaining itself,
`| head` ending quietly, help that tells the truth."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.support.sample_alerts import finding, make_alert, members

from monitor.alerts.bidi import LRI, PDI
from monitor.alerts.words import Presentation
from monitor.cli import main
from monitor.models import StoryClaim
from monitor.ops.story import StoryView, story_text, story_view
from monitor.store import Store

T0 = datetime(2026, 9, 30, 8, 15, tzinfo=UTC)


def _state(state_dir: Path) -> Store:
    store = Store.open(state_dir)
    with store.transaction():
        store.create_story("20260930", "مصادر: التحالف يغادر عين الأسد", T0)
        for m in members(2):
            store.save_member("20260930", m, (finding(),), shingles=b"", signature=b"", now=T0)
        store.save_story_claims("20260930", [StoryClaim(finding(), ("وكالة الرافدين",))])
        alert = make_alert("alert-1", story_id="20260930")
        store.enqueue_alert(alert, [("mail", "now"), ("hook", "digest")], now=T0)
    sent = next(d for d in store.outbox_rows() if d.channel == "mail")
    with store.transaction():
        store.mark_sent(sent.id, T0)
    return store


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "monitor.toml"
    config.write_text(
        '[monitor]\nstate_dir = "state"\n[[sources]]\nid = "a"\nurl = "https://a.example/feed"\n',
        encoding="utf-8",
    )
    return config


def test_story_view_is_a_typed_record_of_members_claims_and_alerts(tmp_path: Path) -> None:
    store = _state(tmp_path / "state")
    try:
        view = story_view(store, "20260930")
        assert story_view(store, "nope") is None
    finally:
        store.close()
    assert isinstance(view, StoryView)
    assert len(view.story.members) == 2 and len(view.story.claims) == 1
    (record,) = view.alerts
    assert {d.channel: d.status for d in record.deliveries} == {"mail": "sent", "hook": "digest"}
    text = story_text(view, Presentation("en"))
    assert "verdict: conflicting" in text and "mail: sent" in text
    assert "hook: held for the digest" in text
    assert f"story: {LRI}20260930{PDI}" in text  # a digits-only id cannot flip its line


def test_monitor_story_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _state(tmp_path / "state").close()
    config = _config(tmp_path)
    assert main(["story", "20260930", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "مصادر: التحالف يغادر عين الأسد" in out and "الحكم / verdict" in out
    assert main(["story", "missing", "--config", str(config)]) == 1
    assert "no story 'missing'" in capsys.readouterr().err


def test_monitor_story_takes_an_id_as_copied_or_its_first_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _state(tmp_path / "state").close()
    config = str(_config(tmp_path))
    # As copied from an alert: the id inside its LTR isolate, with a trailing space.
    assert main(["story", f"{LRI}20260930{PDI} ", "--config", config]) == 0
    assert "مصادر: التحالف يغادر عين الأسد" in capsys.readouterr().out
    assert main(["story", "202609", "--config", config]) == 0  # a prefix, as the timeline shows
    assert "مصادر: التحالف يغادر عين الأسد" in capsys.readouterr().out
    assert main(["story", "9", "--config", config]) == 1
    assert "no story '9'" in capsys.readouterr().err


def test_outbox_retry_says_why_it_cannot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _state(tmp_path / "state")
    ids = {d.channel: d.id for d in store.outbox_rows()}
    store.close()
    config = str(_config(tmp_path))
    assert main(["outbox", "retry", str(ids["mail"]), "--config", config]) == 1
    assert "already sent to mail" in capsys.readouterr().err
    assert main(["outbox", "retry", str(ids["hook"]), "--config", config]) == 1
    err = capsys.readouterr().err
    assert "held for hook's daily digest" in err and "monitor digest send" in err
    assert main(["outbox", "retry", "999", "--config", config]) == 1
    assert "no delivery with id 999" in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    line = (
        '{"id":"%d","url":"https://x.example/1","outlet":"x","published":"2026-01-18",'
        '"title":null,"text":"أعلنت اللجنة مغادرة آخر مستشاري التحالف الدولي قاعدة عين الأسد."}\n'
    )
    data = tmp_path / "in.jsonl"
    data.write_text("".join(line % i for i in range(400)), encoding="utf-8")
    monitor = f"{sys.executable} -m monitor analyze --input {data} --format text"
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {monitor} | head -1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert str(data) not in done.stderr  # the input file is not blamed
    assert done.stdout.count("\n") == 1


def test_help_tells_the_truth(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    demo = capsys.readouterr().out
    assert "MONITOR_CONFIG" not in demo and "./config/monitor.toml" not in demo
    assert "default: none" in demo
    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    analyze = " ".join(capsys.readouterr().out.split())
    assert "(default: json)" in analyze and "text:" in analyze


def test_monitor_timeline_fits_100_columns_or_goes_wide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    assert main(["timeline", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("timeline version") and max(map(len, lines)) <= 100
    assert main(["timeline", "--wide", "--config", str(config)]) == 0
    wide = capsys.readouterr().out.splitlines()
    assert max(map(len, wide)) > 100 and wide[1].startswith("date ")
