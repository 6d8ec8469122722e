"""The command line: exit codes, one-line errors, ``analyze``'s contract, ``outbox``, ``timeline``.

Commands run in-process through ``monitor.cli.main(argv)`` with pytest's ``capsys``; feeds and
the webhook are real servers on 127.0.0.1.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from tests.support.feeds import NewsSite, load_articles, read_alerts, write_config
from tests.support.httpserver import HttpServer, Response

from monitor.cli import main
from monitor.store import Store

A = load_articles()
REPO = Path(__file__).resolve().parents[1]
CLAIM_KINDS = {
    "withdrawal",
    "mission_end",
    "handover",
    "relocation",
    "troop_count",
    "agreement",
    "timetable",
    "other",
}
VERDICTS = {"consistent", "conflicting", "completed", "new"}
GRANULARITIES = {"day", "week", "part_of_month", "month", "part_of_year", "year"}
QUALIFIERS = {"exact", "about", "more_than", "less_than", "at_least", "at_most"}
RESULT_KEYS = {"id", "relevant", "score", "terms", "story", "claims"}
CLAIM_KEYS = {
    "kind",
    "sentence",
    "date",
    "places",
    "number",
    "negated",
    "hedged",
    "verdict",
    "timeline_event",
    "reported",
    "destinations",
    "reason",
    "reason_ar",
}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("monitor: ")
    return lines[0]


# --------------------------------------------------------------------------- config errors


def _bad_regex_keywords(tmp_path: Path) -> None:
    text = (REPO / "config" / "keywords.toml").read_text(encoding="utf-8")
    head = '[groups.actions]\nrole = "action"\nweight = 2.0\n'
    assert head in text
    text = text.replace(head, head + 'patterns = ["انسحاب(ات"]\n')
    (tmp_path / "kw.toml").write_text(text, encoding="utf-8")


SOURCE = '[[sources]]\nid = "a"\nname = "أ"\nurl = "http://127.0.0.1:9/feed.xml"\n'
CONFIG_ERRORS = [
    # (files to write, command, what the one line must say)
    pytest.param({}, "check-config", [r"missing\.toml", "not found"], id="missing-file"),
    pytest.param(
        {"monitor.toml": '[monitor]\nstate_dir = "s"\nlog_level = \n' + SOURCE},
        "check-config",
        [r"monitor\.toml", "TOML syntax error", "line 3"],
        id="toml-syntax-error",
    ),
    pytest.param(
        {"monitor.toml": '[monitor]\nstat_dir = "s"\n' + SOURCE},
        "once",
        [r"monitor\.toml", r"\[monitor\]", "unknown key 'stat_dir'"],
        id="unknown-key",
    ),
    pytest.param(
        {"monitor.toml": '[monitor]\nkeywords_file = "kw.toml"\n' + SOURCE, "kw.toml": None},
        "check-config",
        [r"kw\.toml", "actions", "patterns", "invalid regex"],
        id="invalid-regex",
    ),
    pytest.param(
        {"monitor.toml": '[monitor]\nstat_dir = "s"\nlog_level = 3\n[http]\nfoo = 1\n'},
        "check-config",
        ["4 config problems", "stat_dir", "log_level", "'foo'", "no \\[\\[sources\\]\\]"],
        id="all-problems-at-once",
    ),
]


@pytest.mark.parametrize(("files", "command", "expected"), CONFIG_ERRORS)
def test_bad_config_exits_1_with_one_line_naming_file_and_key(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str | None],
    command: str,
    expected: list[str],
) -> None:
    for name, text in files.items():
        if text is None:
            _bad_regex_keywords(tmp_path)
        else:
            (tmp_path / name).write_text(text, encoding="utf-8")
    config = tmp_path / ("monitor.toml" if files else "missing.toml")

    code, out, err = run(["--config", str(config), command], capsys)

    assert code == 1
    assert out == ""
    line = one_line(err)
    for pattern in expected:
        assert re.search(pattern, line), (pattern, line)
    assert not (tmp_path / "s").exists()  # nothing ran


def test_no_config_anywhere_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    code, _, err = run(["once"], capsys)
    assert code == 1
    assert "--config" in one_line(err)


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert main([]) == 2


# --------------------------------------------------------------------------- analyze


def _record(article_id: str, **over: Any) -> dict[str, Any]:
    a = A[article_id]
    rec = {
        "id": a.id,
        "url": f"https://news.example/{a.id}",
        "outlet": "وكالة دجلة",
        "published": a.published.isoformat(),
        "title": a.title,
        "text": a.body.strip(),
    }
    rec.update(over)
    return rec


def _jsonl(records: list[dict[str, Any] | str]) -> str:
    return "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
    )


ANALYZE_ERRORS = [
    pytest.param(
        [_record("basra-dates"), "{not json", _record("victory-wire")],
        ["line 2", "invalid JSON"],
        id="invalid-json-line-2",
    ),
    pytest.param(
        [_record("basra-dates"), "", {"id": "x", "url": None, "title": "بلا نص"}],
        ["line 3", "missing field 'text'"],
        id="missing-text-line-3",
    ),
    pytest.param(
        [{"url": "https://news.example/1", "text": "نص"}],
        ["line 1", "missing field 'id'"],
        id="missing-id-line-1",
    ),
    pytest.param(
        [_record("basra-dates", published="أمس")],
        ["line 1", "published"],
        id="bad-published",
    ),
    pytest.param(
        ["انسحاب قوات التحالف من قاعدة عين الأسد"],  # a plain text file, not records
        ["line 1", "invalid JSON", "expected JSON Lines", '"text"'],
        id="plain-text",
    ),
]


@pytest.mark.parametrize(("lines", "expected"), ANALYZE_ERRORS)
@pytest.mark.parametrize("via", ["file", "stdin"])
def test_analyze_bad_input_names_the_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lines: list[dict[str, Any] | str],
    expected: list[str],
    via: str,
) -> None:
    data = _jsonl(lines)
    if via == "file":
        path = tmp_path / "in.jsonl"
        path.write_text(data, encoding="utf-8")
        argv = ["analyze", "--input", str(path)]
    else:
        monkeypatch.setattr("sys.stdin", io.StringIO(data))
        argv = ["analyze", "--input", "-"]

    code, out, err = run(argv, capsys)

    assert code == 1
    assert out == ""  # nothing half-written
    line = one_line(err)
    for text in expected:
        assert text in line
    if via == "file":
        assert str(path) in line  # the file is named


def test_analyze_missing_input_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["analyze", "--input", str(tmp_path / "none.jsonl")], capsys)
    assert code == 1
    assert "none.jsonl" in one_line(err)


def test_analyze_unreadable_input_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["analyze", "--input", str(tmp_path)], capsys)  # a directory
    assert code == 1
    assert str(tmp_path) in one_line(err) and "cannot read" in err


def _check_claim(claim: dict[str, Any], text: str) -> None:
    assert set(claim) == CLAIM_KEYS
    assert claim["kind"] in CLAIM_KINDS
    assert claim["verdict"] in VERDICTS
    assert isinstance(claim["reason"], str) and claim["reason"]
    # the original sentence (of the headline or the text), not the normalised form
    assert claim["sentence"] in text
    assert isinstance(claim["places"], list)
    assert all(isinstance(p, str) and re.fullmatch(r"[a-z_]+", p) for p in claim["places"])
    assert isinstance(claim["negated"], bool) and isinstance(claim["hedged"], bool)
    assert claim["timeline_event"] is None or isinstance(claim["timeline_event"], str)
    if claim["date"] is not None:
        assert set(claim["date"]) == {"text", "start", "end", "granularity"}
        assert claim["date"]["granularity"] in GRANULARITIES
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", claim["date"]["start"])
        assert claim["date"]["start"] <= claim["date"]["end"]
    if claim["number"] is not None:
        assert set(claim["number"]) == {"value", "qualifier"}
        assert isinstance(claim["number"]["value"], int)
        assert claim["number"]["qualifier"] in QUALIFIERS


def test_analyze_happy_path_keeps_input_order_and_the_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = ["parliament-timetable", "basra-dates", "erbil-plan"]
    records = [_record(i) for i in ids]
    records[1]["published"] = "2026-02-02"  # a bare date is accepted too
    records[2]["url"] = None
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl(list(records)), encoding="utf-8")
    config = write_config(tmp_path, [])  # its state_dir must stay untouched

    code, out, err = run(["--config", str(config), "analyze", "--input", str(path)], capsys)

    assert code == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ids
    for r, rec in zip(results, records, strict=True):
        assert set(r) == RESULT_KEYS
        assert isinstance(r["score"], float | int) and isinstance(r["terms"], list)
        for claim in r["claims"]:
            _check_claim(claim, f"{rec['title']}\n{rec['text']}")
    relevant, irrelevant, erbil = results
    assert relevant["relevant"] and relevant["claims"] and isinstance(relevant["story"], str)
    assert not irrelevant["relevant"] and irrelevant["claims"] == []
    assert irrelevant["story"] is None
    assert erbil["relevant"]
    assert ("erbil-mission-end", "consistent") in {
        (c["timeline_event"], c["verdict"]) for c in erbil["claims"]
    }
    assert not (tmp_path / "state").exists()


def test_analyze_text_format_is_a_readable_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl([_record("erbil-plan"), _record("basra-dates")]), encoding="utf-8")
    code, out, _ = run(["analyze", "--input", str(path), "--format", "text"], capsys)
    assert code == 0
    assert "erbil-plan" in out and "basra-dates" in out
    assert A["erbil-plan"].title in out
    assert out.index("erbil-plan") < out.index("basra-dates")
    assert "السبب: " in out  # the reason an Arabic reader gets, beside the English one


def test_analyze_groups_copies_of_one_story_across_the_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = ["victory-wire", "basra-dates", "victory-gulf", "victory-levant"]
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl([_record(i) for i in ids]), encoding="utf-8")
    code, out, _ = run(["analyze", "--input", str(path)], capsys)
    assert code == 0
    stories = [json.loads(line)["story"] for line in out.splitlines()]
    assert stories[1] is None
    assert stories[0] is not None and stories[0] == stories[2] == stories[3]


# --------------------------------------------------------------------------- outbox


def test_outbox_lists_a_dead_delivery_and_retry_requeues_it(
    tmp_path: Path, server: HttpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    site = NewsSite(server)
    site.publish("dijla", [A["parliament-timetable"], A["basra-dates"]])
    server.route("/hook", Response(404, b"no such hook"), methods=("POST",))
    hook = (
        '[[channels]]\nname = "desk-hook"\ntype = "webhook"\n'
        f'url = "{server.url("/hook")}"\nimmediate = ["conflicting", "completed", "new", '
        '"consistent"]\ndigest = []\n'
    )
    config = str(write_config(tmp_path, site.sources(), extra=hook))
    assert run(["--config", config, "once", "--alert-on-first-run"], capsys)[0] == 0
    assert len(read_alerts(tmp_path)) == 1  # the JSON-Lines channel got it all the same
    assert server.hits("/hook") == 1

    code, out, _ = run(["--config", config, "outbox"], capsys)
    assert code == 0
    assert "dead=1" in out.splitlines()[0]
    rows = [line.split() for line in out.splitlines() if re.match(r"\d+\s+dead\s", line)]
    assert len(rows) == 1 and rows[0][2] == "desk-hook"
    delivery_id = rows[0][0]
    assert "404" in out

    code, out, _ = run(["--config", config, "outbox", "retry", delivery_id], capsys)
    assert code == 0 and f"delivery {delivery_id} requeued" in out

    code, out, _ = run(["--config", config, "outbox"], capsys)
    assert code == 0
    assert "pending=1" in out.splitlines()[0] and "dead" not in out.splitlines()[0]

    # A delivered one (the JSON-Lines line) or an unknown id cannot be retried; no id is an error.
    store = Store.open(tmp_path / "state", lock=False)
    try:
        (sent,) = store.outbox_rows("sent")
    finally:
        store.close()
    assert sent.channel == "log"
    for argv in (
        ["outbox", "retry", str(sent.id)],
        ["outbox", "retry", "99999"],
        ["outbox", "retry"],
    ):
        code, _, err = run(["--config", config, *argv], capsys)
        assert code == 1
        assert "outbox retry" in one_line(err)


def test_outbox_on_an_empty_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(write_config(tmp_path, []))
    code, out, _ = run(["--config", config, "outbox"], capsys)
    assert code == 0
    assert out.splitlines() == ["outbox: empty", "nothing waiting"]


# --------------------------------------------------------------------------- timeline


def test_timeline_text_and_json_before_and_after_a_completion(
    tmp_path: Path, server: HttpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(tmp_path, []))
    code, text, _ = run(["--config", config, "timeline"], capsys)
    assert code == 0
    assert text.startswith("timeline version ")
    row = next(line for line in text.splitlines() if " phase-one-end " in line)
    assert "planned" in row and "completed" not in row
    code, out, _ = run(["--config", config, "timeline", "--json"], capsys)
    data = json.loads(out)
    events = {m["id"]: m for m in data["milestones"]}
    toml_ids = re.findall(r'^id = "([^"]+)"', (REPO / "config" / "timeline.toml").read_text(), re.M)
    assert set(events) == set(toml_ids)
    assert events["phase-one-end"]["status"] == "planned"
    assert events["joint-statement"]["status"] == "completed"

    site = NewsSite(server)
    site.publish("dijla", [A["phase-one-done"], A["basra-dates"]])
    config = str(write_config(tmp_path, site.sources()))
    assert run(["--config", config, "once", "--alert-on-first-run"], capsys)[0] == 0
    (alert,) = read_alerts(tmp_path)

    code, text, _ = run(["--config", config, "timeline"], capsys)
    row = next(line for line in text.splitlines() if " phase-one-end " in line)
    assert f"completed (story {alert['story_id'][:8]})" in row
    # the short id is listed with the story's title under the table
    assert f"  {alert['story_id'][:8]}  {alert['title']}" in text.splitlines()
    code, out, _ = run(["--config", config, "timeline", "--json"], capsys)
    events = {m["id"]: m for m in json.loads(out)["milestones"]}
    assert events["phase-one-end"]["status"] == "completed"
    assert events["phase-one-end"]["status_in_timeline"] == "planned"
    assert events["phase-one-end"]["completed_by"] == alert["story_id"]
    assert alert["story_id"] in events["phase-one-end"]["supporting"]


def test_check_config_redacts_secrets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hook = (
        '[[channels]]\nname = "h"\ntype = "webhook"\nurl = "https://hooks.example.org/x"\n'
        'secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"\n'
    )
    config = write_config(tmp_path, [("a", "أ", "http://127.0.0.1:9/feed.xml")], extra=hook)
    code, out, _ = run(["--config", str(config), "check-config"], capsys)
    assert code == 0
    assert "whsec_" not in out
    data = json.loads(out)
    assert {c["name"]: c.get("secret") for c in data["channels"]}["h"] == "***"


def test_analyze_never_needs_a_config_or_the_repo_config_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --config the packaged defaults are used, from any directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(_jsonl([_record("erbil-plan")])))
    code, out, _ = run(["analyze"], capsys)
    assert code == 0
    assert json.loads(out)["relevant"] is True
    assert list(tmp_path.iterdir()) == []  # no state, no files
