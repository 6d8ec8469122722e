"""Commands that read the state, on a clone that never ran: they make nothing.

A newcomer's first `monitor status` (or `timeline`, `story`, `outbox`, `healthcheck`, `digest
send`) used to create an empty state directory and database. Now each says in one line on
stderr that there is no state yet, naming the path and the commands that create it, exits 1,
and leaves the directory as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.feeds import write_config

from monitor.cli import main
from monitor.store import Store

READERS = (
    ["status"],
    ["status", "--json"],
    ["status", "--check"],
    ["timeline"],
    ["timeline", "--json"],
    ["story", "abc123"],
    ["outbox"],
    ["outbox", "retry", "1"],
    ["digest", "send"],
)


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_read_on_a_fresh_clone_says_there_is_no_state_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    config = write_config(tmp_path, [("feed", "Feed", "http://127.0.0.1:9/feed.xml")])
    before = sorted(tmp_path.iterdir())

    code = main(["--config", str(config), *command])

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    state = tmp_path / "state"
    assert lines[0] == (
        f"monitor: no state yet in {state} (no monitor.db): `monitor once` or `monitor run`"
        " creates it"
    )
    assert sorted(tmp_path.iterdir()) == before  # no state directory, no database


def test_healthcheck_before_the_first_cycle_is_unhealthy_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, [("feed", "Feed", "http://127.0.0.1:9/feed.xml")])
    (tmp_path / "state").mkdir()  # a container's empty volume

    code = main(["--config", str(config), "healthcheck"])

    _, err = capsys.readouterr()
    assert code == 1
    assert err.startswith("no good cycle yet: no state yet in ")
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
