"""Commands that read the state, on a clone that never ran: they make nothing.

A newcomer's first `monitor status` (or `timeline`, `story`, `outbox`, `healthcheck`, `digest
send`) used to create an empty state directory and database. Now each shows what an empty
state shows (the exit code is the one an empty state gives), says in one line on stderr that
there is no state yet, naming the path and the commands that create it, and leaves the
directory as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.feeds import write_config

from monitor.cli import main
from monitor.store import Store

NOTE = "monitor: no state yet in {} (no monitor.db): `monitor once` or `monitor run` creates it"
# (command, exit code, a line of what it shows): the same as on an empty state
READERS = (
    (["status"], 0, "never polled"),
    (["status", "--json"], 0, '"last_cycle": null'),
    (["status", "--check"], 0, "never polled"),
    (["timeline"], 0, "phase-one-end"),
    (["timeline", "--json"], 0, '"phase-one-end"'),
    (["outbox"], 0, "outbox: empty"),
    (["digest", "send"], 0, "digest: nothing is held for the digest of any channel"),
    (["story", "abc123"], 1, ""),
    (["outbox", "retry", "1"], 1, ""),
)


@pytest.mark.parametrize(("command", "code", "shown"), READERS, ids=lambda v: str(v))
def test_a_read_on_a_fresh_clone_shows_an_empty_state_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], code: int, shown: str
) -> None:
    config = write_config(tmp_path, [("feed", "Feed", "http://127.0.0.1:9/feed.xml")])
    before = sorted(tmp_path.iterdir())

    assert main(["--config", str(config), *command]) == code

    out, err = capsys.readouterr()
    assert shown in out
    lines = err.strip().splitlines()
    assert lines[0] == NOTE.format(tmp_path / "state") + "; shown as empty", err
    if code:  # and the command's own one-line error
        assert len(lines) == 2 and lines[1].startswith("monitor: ")
    else:
        assert len(lines) == 1
    assert sorted(tmp_path.iterdir()) == before  # no state directory, no database


def test_healthcheck_before_the_first_cycle_is_unhealthy_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, [("feed", "Feed", "http://127.0.0.1:9/feed.xml")])
    (tmp_path / "state").mkdir()  # a container's empty volume

    code = main(["--config", str(config), "healthcheck"])

    _, err = capsys.readouterr()
    assert code == 1
    assert err.strip() == "no good cycle yet"
    assert list((tmp_path / "state").iterdir()) == []


def test_a_state_that_exists_is_read_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, [("feed", "Feed", "http://127.0.0.1:9/feed.xml")])
    Store.open(tmp_path / "state").close()

    assert main(["--config", str(config), "status", "--json"]) == 0
    assert main(["--config", str(config), "timeline"]) == 0
    assert main(["--config", str(config), "outbox"]) == 0


def test_a_database_that_went_missing_is_damage_not_a_fresh_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The beacon says a database was there: that is reported as such, not as "no state"."""
    config = write_config(tmp_path, [("feed", "Feed", "http://127.0.0.1:9/feed.xml")])
    Store.open(tmp_path / "state").close()
    (tmp_path / "state" / "monitor.db").unlink()
    capsys.readouterr()

    assert main(["--config", str(config), "status"]) == 1

    err = capsys.readouterr().err
    assert "is missing, but" in err and "no state yet" not in err
